using System.Net;
using System.Net.Sockets;

namespace Able.Testing;

/// <summary>
/// An <see cref="HttpClient"/> whose connections leave from a chosen local address (127.0.0.2, say), so the
/// server sees a different client IP on its socket: no forged header involved. Like
/// <see cref="RunningService.Client"/>, it follows no redirects and keeps no cookies.
/// </summary>
public static class SourceAddressClient
{
    public static HttpClient From(IPAddress localAddress) =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(localAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(localAddress, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
}
