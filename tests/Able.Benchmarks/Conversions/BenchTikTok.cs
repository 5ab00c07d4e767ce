using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Able.Benchmarks.Conversions;

/// <summary>
/// A TikTok Events API on real Kestrel (loopback) for the conversion benchmark: <c>POST /open_api/v1.3/event/track/</c>
/// with an <c>Access-Token</c>, a JSON body whose <c>data</c> array holds 1-1000 events, answered as TikTok answers
/// success (HTTP 200, <c>code</c> 0). It counts accepted events by <c>event_id</c>, so a second delivery of the same
/// event shows as a duplicate, and notes when a wanted number of distinct events has been reached.
/// </summary>
internal sealed class BenchTikTok : IAsyncDisposable
{
    private static readonly byte[] Accepted = """{"code":0,"message":"OK","request_id":"bench","data":{}}"""u8.ToArray();
    private readonly ConcurrentDictionary<string, byte> eventIds = new(StringComparer.Ordinal);
    private readonly WebApplication app;
    private int duplicates;
    private int requests;
    private int violations;
    private int target = int.MaxValue;
    private long reachedAt;
    private TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BenchTikTok(WebApplication app, Uri baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public int DistinctEvents => eventIds.Count;

    public int Duplicates => Volatile.Read(ref duplicates);

    public int Requests => Volatile.Read(ref requests);

    public int Violations => Volatile.Read(ref violations);

    /// <summary>The <see cref="Stopwatch"/> timestamp at which the target was reached.</summary>
    public long ReachedAt => Interlocked.Read(ref reachedAt);

    public static async Task<BenchTikTok> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        BenchTikTok? fake = null;
        app.MapPost("/open_api/v1.3/event/track/", (HttpContext context) => fake!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Urls.First();
        fake = new BenchTikTok(app, new Uri(address + "/"));
        return fake;
    }

    /// <summary>Starts counting towards <paramref name="count"/> distinct events from now; the task ends when they are in.</summary>
    public Task Expect(int count)
    {
        eventIds.Clear();
        Interlocked.Exchange(ref duplicates, 0);
        Interlocked.Exchange(ref reachedAt, 0);
        reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref target, count);
        return reached.Task;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref requests);
        var ok = context.Request.Headers["Access-Token"].Count == 1;
        using var document = await JsonDocument.ParseAsync(context.Request.Body);
        if (!ok || !document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array
            || data.GetArrayLength() is 0 or > 1000)
        {
            Interlocked.Increment(ref violations);
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync("""{"code":40002,"message":"Invalid parameter","request_id":"bench"}"""u8.ToArray());
            return;
        }

        foreach (var item in data.EnumerateArray())
        {
            var id = item.TryGetProperty("event_id", out var e) ? e.GetString() ?? "" : "";
            if (!eventIds.TryAdd(id, 0))
            {
                Interlocked.Increment(ref duplicates);
            }
        }

        if (eventIds.Count >= Volatile.Read(ref target) && Interlocked.CompareExchange(ref reachedAt, Stopwatch.GetTimestamp(), 0) == 0)
        {
            reached.TrySetResult();
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = Accepted.Length;
        await context.Response.Body.WriteAsync(Accepted);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
