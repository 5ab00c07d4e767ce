namespace Able.Benchmarks.Suite;

/// <summary>The loopback ports of one bench run, all free when the run starts.</summary>
internal sealed record BenchPorts(int Redis, int Origin, int Nginx, int Yarp, int Gateway, int GatewayManagement, int Attribution, int AttributionManagement)
{
    public static BenchPorts Pick()
    {
        var ports = new HashSet<int>();
        int Next()
        {
            int port;
            do
            {
                port = FreePort.Next();
            }
            while (!ports.Add(port));
            return port;
        }

        return new BenchPorts(Next(), Next(), Next(), Next(), Next(), Next(), Next(), Next());
    }
}
