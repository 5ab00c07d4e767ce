using System.Net;
using System.Net.Sockets;

namespace Able.Benchmarks.Suite;

/// <summary>A loopback port nothing listens on right now (the OS picks it), for one of the suite's servers.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
