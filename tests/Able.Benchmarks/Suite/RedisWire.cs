using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Able.Benchmarks.Suite;

/// <summary>
/// A minimal RESP client for the few commands the suite sends itself (INFO, DBSIZE, FLUSHALL, PING). Not
/// StackExchange.Redis on purpose: that client sends commands of its own (CLIENT, CONFIG, ECHO, heartbeats), which
/// would blur the command counts measured per capture; here every command sent is one the suite chose and counts.
/// </summary>
internal sealed class RedisWire : IDisposable
{
    private readonly TcpClient client;
    private readonly NetworkStream stream;
    private readonly StreamReader reader;

    private RedisWire(TcpClient client)
    {
        this.client = client;
        stream = client.GetStream();
        reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 65536, leaveOpen: true);
    }

    /// <summary>Commands this client sends, by Redis's name (cmdstat_*), so measurements can leave them out.</summary>
    public static readonly IReadOnlySet<string> OwnCommands = new HashSet<string>(StringComparer.Ordinal) { "info", "dbsize", "flushall", "ping" };

    public static async Task<RedisWire> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port, cancellationToken);
        return new RedisWire(client);
    }

    public async Task<string> CallAsync(params string[] command)
    {
        var request = new StringBuilder().Append('*').Append(command.Length).Append("\r\n");
        foreach (var part in command)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        return await ReadReplyAsync();
    }

    public async Task<long> DbSizeAsync() => long.Parse(await CallAsync("DBSIZE"), CultureInfo.InvariantCulture);

    /// <summary>INFO of one section as name → value.</summary>
    public async Task<Dictionary<string, string>> InfoAsync(string section)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in (await CallAsync("INFO", section)).Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && !line.StartsWith('#'))
            {
                values[line[..colon]] = line[(colon + 1)..];
            }
        }

        return values;
    }

    public async Task<long> UsedMemoryAsync() => long.Parse((await InfoAsync("memory"))["used_memory"], CultureInfo.InvariantCulture);

    /// <summary>INFO commandstats as command name → calls.</summary>
    public async Task<Dictionary<string, long>> CommandCallsAsync()
    {
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, value) in await InfoAsync("commandstats"))
        {
            // cmdstat_hset:calls=3,usec=12,usec_per_call=4.00,rejected_calls=0,failed_calls=0
            var count = value.Split(',')[0];
            calls[name["cmdstat_".Length..]] = long.Parse(count["calls=".Length..], CultureInfo.InvariantCulture);
        }

        return calls;
    }

    public void Dispose()
    {
        reader.Dispose();
        stream.Dispose();
        client.Dispose();
    }

    private async Task<string> ReadReplyAsync()
    {
        var line = await reader.ReadLineAsync() ?? throw new IOException("Redis closed the connection");
        switch (line[0])
        {
            case '+':
            case ':':
                return line[1..];
            case '-':
                throw new IOException("Redis: " + line[1..]);
            case '$':
                var length = int.Parse(line.AsSpan(1), CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return "";
                }

                var buffer = new char[length + 2];
                var read = 0;
                while (read < buffer.Length)
                {
                    var n = await reader.ReadAsync(buffer.AsMemory(read));
                    if (n == 0)
                    {
                        throw new IOException("Redis closed the connection");
                    }

                    read += n;
                }

                return new string(buffer, 0, length);
            default:
                throw new IOException("unexpected Redis reply: " + line);
        }
    }
}
