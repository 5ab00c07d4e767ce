using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Able.Testing;

/// <summary>A response read off the wire: its status code, the raw bytes of its head and its body.</summary>
public sealed record RawHttpResponse(int Status, byte[] Head, byte[] Body)
{
    /// <summary>True when the head contains exactly these bytes.</summary>
    public bool HeadContains(ReadOnlySpan<byte> bytes) => Head.AsSpan().IndexOf(bytes) >= 0;

    public string HeadText => Encoding.Latin1.GetString(Head);
}

/// <summary>
/// Sends one HTTP/1.1 request as exact bytes on a new connection (so a test can put raw UTF-8 or anything else
/// on the wire that HttpClient would refuse) and reads the response until the server closes the connection.
/// </summary>
public static class RawHttpClient
{
    /// <summary>
    /// Sends <paramref name="requestLine"/>, a <c>Host</c> header, <paramref name="headers"/> (raw header lines, each
    /// ending in CRLF) and <c>Connection: close</c>.
    /// </summary>
    public static Task<RawHttpResponse> SendAsync(Uri server, string requestLine, byte[] headers)
    {
        ArgumentNullException.ThrowIfNull(server);
        var request = new List<byte>();
        request.AddRange(Encoding.ASCII.GetBytes($"{requestLine}\r\nHost: {server.Authority}\r\n"));
        request.AddRange(headers);
        request.AddRange("Connection: close\r\n\r\n"u8.ToArray());
        return SendBytesAsync(server, [.. request]);
    }

    public static async Task<RawHttpResponse> SendBytesAsync(Uri server, byte[] request)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(request, timeout.Token);
        using var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token);
        var bytes = received.ToArray();
        var headEnd = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            throw new InvalidOperationException($"No complete response head in {bytes.Length} bytes: {Encoding.Latin1.GetString(bytes)}");
        }

        var head = bytes[..(headEnd + 4)];
        var status = int.Parse(Encoding.ASCII.GetString(head, 9, 3), CultureInfo.InvariantCulture);
        return new RawHttpResponse(status, head, bytes[(headEnd + 4)..]);
    }
}
