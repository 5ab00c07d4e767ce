using Able.Attribution.Delivery;
using Able.Attribution.Receipts;
using Able.Attribution.Worker;
using Able.Hosting.Configuration;
using Able.Hosting.Redis;
using Able.Schema.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Able.Testing;

/// <summary>
/// The attribution worker exactly as the service registers it (<c>AddAttributionWorker</c>), hosted alone
/// so a test can give it a clock and crash checkpoints, run several replicas, and stop one mid-flight.
/// </summary>
public sealed class WorkerHost : IAsyncDisposable
{
    private readonly IHost host;

    private WorkerHost(IHost host) => this.host = host;

    public IServiceProvider Services => host.Services;

    public ReceiptStore Receipts => Services.GetRequiredService<ReceiptStore>();

    public DeadLetters DeadLetters => Services.GetRequiredService<DeadLetters>();

    public CollectorRegistry Registry => Services.GetRequiredService<CollectorRegistry>();

    /// <summary>Starts a worker; <paramref name="logging"/> replaces the default (console, warnings and up).</summary>
    public static async Task<WorkerHost> StartAsync(TestConfig config, TimeProvider time, WorkerCheckpoints? checkpoints = null, Action<ILoggingBuilder>? logging = null)
    {
        config.Write();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddJsonFile(config.FilePath, optional: false);
        if (logging is null)
        {
            builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        }
        else
        {
            logging(builder.Logging);
        }
        // The same options registration as the attribution service (LastValidOptionsMonitor, its sections).
        builder.Services.AddAbleOptions(builder.Configuration, Able.Attribution.Service.AttributionApp.OptionsSections);
        builder.Services.AddAbleRedis();
        builder.Services.AddSingleton(_ => Metrics.NewCustomRegistry());
        builder.Services.AddSingleton<IMetricFactory>(p => Metrics.WithCustomRegistry(p.GetRequiredService<CollectorRegistry>()));
        builder.Services.AddSingleton(time);
        if (checkpoints is not null)
        {
            builder.Services.AddSingleton(checkpoints);
        }

        builder.Services.AddAttributionWorker();
        var host = builder.Build();
        await host.StartAsync();
        return new WorkerHost(host);
    }

    public async Task<string> MetricsTextAsync()
    {
        using var stream = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await host.StopAsync(timeout.Token);
        host.Dispose();
    }
}

/// <summary>Holds a replica at one checkpoint (the first <paramref name="times"/> times it is reached) until the replica is stopped.</summary>
public sealed class StopAt(string stopPoint, int times = 1) : WorkerCheckpoints
{
    private int remaining = times;

    public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override async Task ReachedAsync(string point, CancellationToken cancellationToken)
    {
        if (point != stopPoint || Interlocked.Decrement(ref remaining) < 0)
        {
            return;
        }

        Reached.TrySetResult();
        // Stays here until the host stops: nothing after this point runs, as in a crash. Stopping cancels
        // the consumer's token; the delivery loop's token is its stopping token too.
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}

/// <summary>Writes what the gateway and the ingress would write, in their documented layouts.</summary>
public static class WorkerTestData
{
    /// <summary>
    /// An entry as the ingress writes it: the body's facts, phone numbers read in <paramref name="defaultPhoneRegion"/>
    /// (that of <see cref="Config"/>'s funnel unless given).
    /// </summary>
    public static Task<StackExchange.Redis.RedisValue> AddIngestAsync(
        StackExchange.Redis.IDatabase db, RedisKeys keys, string source, string funnel, string type, string body, DateTimeOffset receivedAt, string defaultPhoneRegion = "DE") =>
        db.StreamAddAsync(keys.IngestStream,
        [
            new(Able.Attribution.Ingest.IngestEntry.Source, source),
            new(Able.Attribution.Ingest.IngestEntry.Mark, funnel),
            new(Able.Attribution.Ingest.IngestEntry.SourceEvent, type),
            new(Able.Attribution.Ingest.IngestEntry.ReceivedAt, receivedAt.ToUnixTimeMilliseconds()),
            new(Able.Attribution.Ingest.IngestEntry.Facts,
                Able.Attribution.Ingest.IngestFacts.Parse(source, System.Text.Encoding.UTF8.GetBytes(body), defaultPhoneRegion).ToUtf8Json()),
        ]);

    /// <summary>An entry as versions before facts wrote it: the raw body.</summary>
    public static Task<StackExchange.Redis.RedisValue> AddLegacyIngestAsync(
        StackExchange.Redis.IDatabase db, RedisKeys keys, string source, string funnel, string type, string body, DateTimeOffset receivedAt) =>
        db.StreamAddAsync(keys.IngestStream,
        [
            new(Able.Attribution.Ingest.IngestEntry.Source, source),
            new(Able.Attribution.Ingest.IngestEntry.Mark, funnel),
            new(Able.Attribution.Ingest.IngestEntry.SourceEvent, type),
            new(Able.Attribution.Ingest.IngestEntry.ReceivedAt, receivedAt.ToUnixTimeMilliseconds()),
            new(Able.Attribution.Ingest.IngestEntry.Body, System.Text.Encoding.UTF8.GetBytes(body)),
        ]);

    /// <summary>A visitor hash as the gateway's capture writes it after a TikTok ad click on the visitor's first visit.</summary>
    public static async Task WriteVisitorAsync(StackExchange.Redis.IDatabase db, RedisKeys keys, string visitorId, string ttclid, DateTimeOffset clickAt, string ip, string userAgent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)")
    {
        var url = $"https://book.example.com/?ttclid={ttclid}&utm_source=tiktok";
        var touch = new Able.Schema.Visitors.VisitorTouch
        {
            Kind = "pageview",
            At = clickAt.ToUnixTimeMilliseconds(),
            Url = url,
            Referrer = "https://www.tiktok.com/",
            Ttclid = ttclid,
        };
        // The click is the first touch's: the hash has no click fields of its own then (VisitorFields.ClickTtclid).
        await db.HashSetAsync(keys.Visitor(visitorId),
        [
            new(Able.Schema.Visitors.VisitorFields.FirstTouch, touch.ToJson()),
            new(Able.Schema.Visitors.VisitorFields.Ttp, "ttp-" + visitorId),
            new(Able.Schema.Visitors.VisitorFields.Ip, ip),
            new(Able.Schema.Visitors.VisitorFields.UserAgent, userAgent),
            new(Able.Schema.Visitors.VisitorFields.AcceptLanguage, "de-DE,de;q=0.9"),
            new(Able.Schema.Visitors.VisitorFields.Mark, "acme"),
        ]);
    }

    /// <summary>A test config whose worker talks to <paramref name="tikTok"/> with short timings.</summary>
    public static TestConfig Config(string redis, FakeTikTok tikTok, string? accessToken = "test-token", int graceSeconds = 0)
    {
        var config = TestConfig.Create(redis);
        // The worker host listens on nothing; fixed distinct ports keep validation independent of FreePort
        // (which can hand out the same free port twice in a row).
        config.Able["Gateway"]!["PublicUrl"] = "http://127.0.0.1:1";
        config.Able["Gateway"]!["ManagementUrl"] = "http://127.0.0.1:2";
        config.Able["Attribution"]!["PublicUrl"] = "http://127.0.0.1:3";
        config.Able["Attribution"]!["ManagementUrl"] = "http://127.0.0.1:4";
        config.Able["Worker"] = new System.Text.Json.Nodes.JsonObject
        {
            ["ConsumerName"] = "w1",
            ["TikTokBaseUrl"] = tikTok.BaseUrl.ToString(),
            ["RequestTimeoutMilliseconds"] = 1000,
            ["FlushIntervalMilliseconds"] = 50,
            ["PollIntervalMilliseconds"] = 50,
            ["RetryBaseMilliseconds"] = 100,
            ["RetryMaxMilliseconds"] = 400,
            ["GracePeriodSeconds"] = graceSeconds,
            ["ClaimIdleSeconds"] = 2,
        };
        config.Funnel["DefaultPhoneRegion"] = "DE";
        config.Funnel["Hosts"] = new System.Text.Json.Nodes.JsonArray("book.example.com", "localhost");
        config.Funnel["TikTok"] = new System.Text.Json.Nodes.JsonObject
        {
            ["PixelId"] = "CTESTPIXEL0000000000",
            ["AccessToken"] = accessToken,
            ["ClickWindowDays"] = 28,
        };
        return config;
    }
}
