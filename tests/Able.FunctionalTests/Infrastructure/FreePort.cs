using System.Net;
using System.Net.Sockets;

namespace Able.FunctionalTests.Infrastructure;

public static class FreePort
{
    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
