using System.Net.Sockets;

namespace Able.Testing;

/// <summary>Whether a Docker engine answers (not just a client on PATH): GET /_ping on its socket.</summary>
public static class DockerEngine
{
    public static async Task<bool> AnswersAsync(TimeSpan timeout)
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        string? socketPath = host switch
        {
            null or "" => "/var/run/docker.sock",
            _ when host.StartsWith("unix://", StringComparison.Ordinal) => host["unix://".Length..],
            _ => null,
        };
        using var handler = new SocketsHttpHandler();
        Uri ping;
        if (socketPath is not null)
        {
            if (!File.Exists(socketPath))
            {
                return false;
            }

            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            };
            ping = new Uri("http://docker/_ping");
        }
        else
        {
            ping = new Uri(new Uri(host!.Replace("tcp://", "http://", StringComparison.Ordinal)), "/_ping");
        }

        using var client = new HttpClient(handler) { Timeout = timeout };
        try
        {
            using var response = await client.GetAsync(ping);
            return response.IsSuccessStatusCode;
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException or SocketException)
        {
            return false;
        }
    }
}
