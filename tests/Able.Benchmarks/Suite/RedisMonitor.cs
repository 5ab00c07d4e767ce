using System.Net.Sockets;
using System.Text;

namespace Able.Benchmarks.Suite;

/// <summary>
/// Counts, with Redis MONITOR, the commands clients send, apart from those a script runs: INFO commandstats counts a
/// command a Lua script calls as a command too (an EVALSHA that runs four commands shows as five), while "commands
/// per capture" means what the gateway sends. MONITOR marks a script's commands with the source <c>lua</c>.
/// Its output buffer counts in <c>used_memory</c>, so it is closed before memory is read.
/// </summary>
internal sealed class RedisMonitor : IAsyncDisposable
{
    private readonly TcpClient client;
    private readonly StreamReader reader;
    private readonly Task reading;
    private readonly Dictionary<string, long> sent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> fromScripts = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private long lastLineTicks = Environment.TickCount64;

    private RedisMonitor(TcpClient client, StreamReader reader)
    {
        this.client = client;
        this.reader = reader;
        reading = Task.Run(ReadAsync);
    }

    public static async Task<RedisMonitor> StartAsync(int port, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("*1\r\n$7\r\nMONITOR\r\n"), cancellationToken);
        var reader = new StreamReader(stream, Encoding.UTF8, false, 1 << 16);
        var ok = await reader.ReadLineAsync(cancellationToken);
        return ok == "+OK" ? new RedisMonitor(client, reader) : throw new IOException("MONITOR answered " + ok);
    }

    /// <summary>Commands clients sent, by name (the suite's own INFO, DBSIZE, FLUSHALL and PING left out).</summary>
    public IReadOnlyDictionary<string, long> Sent
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, long>(sent, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Commands scripts ran, by name.</summary>
    public IReadOnlyDictionary<string, long> FromScripts
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, long>(fromScripts, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Waits until no command has been seen for half a second (at most 10 s), so the counts are complete.</summary>
    public async Task WaitUntilQuietAsync(CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (Environment.TickCount64 - Interlocked.Read(ref lastLineTicks) < 500 && Environment.TickCount64 < deadline)
        {
            await Task.Delay(100, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        try
        {
            await reading;
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException or SocketException)
        {
            // The connection was closed under the reader: that is how it stops.
        }

        reader.Dispose();
    }

    private async Task ReadAsync()
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            Interlocked.Exchange(ref lastLineTicks, Environment.TickCount64);
            // +1701500000.123456 [0 127.0.0.1:5555] "HSETNX" "able:{v:...}" ...   or   [0 lua] "hset" ...
            var sourceEnd = line.IndexOf(']', StringComparison.Ordinal);
            var nameStart = line.IndexOf('"', sourceEnd + 1);
            var nameEnd = nameStart < 0 ? -1 : line.IndexOf('"', nameStart + 1);
            if (sourceEnd < 0 || nameEnd < 0)
            {
                continue;
            }

            var name = line[(nameStart + 1)..nameEnd].ToLowerInvariant();
            var fromScript = line.AsSpan(0, sourceEnd).EndsWith(" lua", StringComparison.Ordinal);
            if (!fromScript && RedisWire.OwnCommands.Contains(name))
            {
                continue;
            }

            lock (gate)
            {
                var counts = fromScript ? fromScripts : sent;
                counts[name] = counts.GetValueOrDefault(name) + 1;
            }
        }
    }
}
