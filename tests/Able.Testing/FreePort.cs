using System.Net;
using System.Net.Sockets;

namespace Able.Testing;

public static class FreePort
{
    // Below Linux's ephemeral range (32768-60999 by default), so an outgoing connection of a parallel test
    // can never take a port between our check and the server's bind; a per-process counter keeps this
    // process's own picks distinct.
    private const int First = 20_000;
    private const int Last = 32_000;
    private static int next = First + Random.Shared.Next(0, 4_000);

    /// <summary>A loopback port that was free a moment ago and that no other caller in this process got.</summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < Last - First; attempt++)
        {
            var port = Interlocked.Increment(ref next);
            if (port > Last)
            {
                Interlocked.CompareExchange(ref next, First, port);
                continue;
            }

            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken by another process; try the next one.
            }
        }

        throw new InvalidOperationException($"No free loopback port between {First} and {Last}.");
    }
}
