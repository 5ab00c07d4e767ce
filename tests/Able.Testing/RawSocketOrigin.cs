using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Able.Testing;

/// <summary>
/// A hand-written HTTP/1.1 origin on a raw socket, for what Kestrel would never do. It keeps every connection
/// alive and, like servers of the "CL.0" class, ignores a body on GET and HEAD: those bytes stay in the
/// connection and are read as the next request. It answers each request with its own request line as the
/// body (so a response that reaches the wrong request is visible), after <c>answerDelay</c> (time spent
/// "working", which lets the proxy reuse the connection before a smuggled request's answer arrives). It records
/// each request head exactly as the bytes came in and can add raw header bytes (e.g. UTF-8) to every response.
/// </summary>
public sealed class RawSocketOrigin : IAsyncDisposable
{
    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();

    private readonly TcpListener listener;
    private readonly byte[] extraResponseHeaders;
    private readonly TimeSpan answerDelay;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentBag<TcpClient> connections = [];
    private readonly Task accepting;

    private RawSocketOrigin(byte[] extraResponseHeaders, TimeSpan answerDelay)
    {
        this.extraResponseHeaders = extraResponseHeaders;
        this.answerDelay = answerDelay;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        accepting = AcceptAsync();
    }

    /// <summary>The base URL without a trailing slash.</summary>
    public string Url { get; }

    /// <summary>Every request head (request line and headers, up to the blank line) as the raw bytes received.</summary>
    public ConcurrentQueue<byte[]> RequestHeads { get; } = new();

    /// <summary>The request lines received, e.g. <c>GET /a HTTP/1.1</c>.</summary>
    public IReadOnlyList<string> RequestLines =>
        [.. RequestHeads.Select(head => Encoding.Latin1.GetString(head).Split("\r\n")[0])];

    /// <param name="extraResponseHeaders">Header lines (each ending in CRLF) added to every response byte for byte.</param>
    /// <param name="answerDelay">How long the origin "works" on each request before it answers.</param>
    public static RawSocketOrigin Start(byte[]? extraResponseHeaders = null, TimeSpan answerDelay = default) =>
        new(extraResponseHeaders ?? [], answerDelay);

    private async Task AcceptAsync()
    {
        var serving = new List<Task>();
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(stopping.Token);
                connections.Add(client);
                serving.Add(ServeAsync(client));
            }
        }
        catch (Exception stop) when (stop is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        await Task.WhenAll(serving);
    }

    private async Task ServeAsync(TcpClient client)
    {
        var buffered = new List<byte>();
        var chunk = new byte[8192];
        try
        {
            using (client)
            {
                var stream = client.GetStream();
                while (!stopping.IsCancellationRequested)
                {
                    int headEnd;
                    while ((headEnd = IndexOf(buffered, EndOfHead)) < 0)
                    {
                        var read = await stream.ReadAsync(chunk, stopping.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        buffered.AddRange(chunk.AsSpan(0, read));
                    }

                    var head = buffered.GetRange(0, headEnd + EndOfHead.Length).ToArray();
                    buffered.RemoveRange(0, head.Length);
                    RequestHeads.Enqueue(head);
                    var text = Encoding.Latin1.GetString(head);
                    var requestLine = text.Split("\r\n")[0];
                    var method = requestLine.Split(' ')[0];

                    // The defect being modelled: a body on GET/HEAD is not read, it stays for the next request.
                    if (method is not ("GET" or "HEAD"))
                    {
                        var length = ContentLength(text);
                        while (buffered.Count < length)
                        {
                            var read = await stream.ReadAsync(chunk, stopping.Token);
                            if (read == 0)
                            {
                                return;
                            }

                            buffered.AddRange(chunk.AsSpan(0, read));
                        }

                        buffered.RemoveRange(0, length);
                    }

                    if (answerDelay > TimeSpan.Zero)
                    {
                        await Task.Delay(answerDelay, stopping.Token);
                    }

                    var body = Encoding.Latin1.GetBytes(requestLine);
                    var response = new List<byte>();
                    response.AddRange(Encoding.ASCII.GetBytes(
                        $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\n"));
                    response.AddRange(extraResponseHeaders);
                    response.AddRange("\r\n"u8.ToArray());
                    if (method != "HEAD")
                    {
                        response.AddRange(body);
                    }

                    await stream.WriteAsync(response.ToArray(), stopping.Token);
                }
            }
        }
        catch (Exception closed) when (closed is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private static int ContentLength(string head)
    {
        foreach (var line in head.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                return int.Parse(line[(colon + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static int IndexOf(List<byte> buffer, byte[] pattern)
    {
        for (var i = 0; i <= buffer.Count - pattern.Length; i++)
        {
            var match = true;
            for (var j = 0; j < pattern.Length && match; j++)
            {
                match = buffer[i + j] == pattern[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        foreach (var connection in connections)
        {
            connection.Dispose();
        }

        await accepting;
        stopping.Dispose();
    }
}
