using System.Globalization;
using System.Text.Json.Nodes;
using Able.Schema.Redis;
using StackExchange.Redis;

namespace Able.FaultTests;

/// <summary>
/// One scenario's world: a real <c>redis-server</c> with AOF on a loopback port, a fake TikTok answered by a
/// <see cref="DeliveryRecorder"/>, the attribution service as a child process configured against both, and a
/// Calendly-like sender. <see cref="AwaitDeliveryAsync"/> waits until the service has nothing left to do and counts
/// what TikTok received against what the sender saw accepted.
/// </summary>
internal sealed class FaultRun : IAsyncDisposable
{
    public const string SigningKey = "fault-test-calendly-key";

    private readonly ConnectionMultiplexer observer;
    private int acceptedSoFar;

    private FaultRun(string scenario, RedisServerProcess redis, FakeTikTok tikTok, DeliveryRecorder recorder, TestConfig config, AttributionProcess service, ConnectionMultiplexer observer)
    {
        Scenario = scenario;
        Redis = redis;
        TikTok = tikTok;
        Recorder = recorder;
        Config = config;
        Service = service;
        this.observer = observer;
        Keys = new RedisKeys(config.KeyPrefix);
        var publicUrl = new Uri((string)config.Able["Attribution"]!["PublicUrl"]!);
        Sender = new CalendlySender(new Uri(publicUrl, "/calendly-webhook/acme"), SigningKey);
    }

    /// <summary>Bookings per scenario: <c>ABLE_FAULT_BOOKINGS</c>, 150 by default (the short form in ./able test).</summary>
    public static int Bookings { get; } = Setting("ABLE_FAULT_BOOKINGS", 150);

    /// <summary>Bookings released per second: <c>ABLE_FAULT_RATE</c>, 50 by default, so a short run lasts a few seconds.</summary>
    public static int PerSecond { get; } = Setting("ABLE_FAULT_RATE", 50);

    /// <summary>Concurrent senders, as Calendly delivers several webhooks at once.</summary>
    public const int Senders = 8;

    /// <summary>How long anything may take to recover: generous, since the machine may be busy; never a pass criterion.</summary>
    public static TimeSpan Patience { get; } = TimeSpan.FromSeconds(120 + Bookings / 10);

    public string Scenario { get; }

    public RedisServerProcess Redis { get; }

    public FakeTikTok TikTok { get; }

    public DeliveryRecorder Recorder { get; }

    public TestConfig Config { get; }

    public AttributionProcess Service { get; }

    public CalendlySender Sender { get; }

    public RedisKeys Keys { get; }

    public IDatabase Db => observer.GetDatabase();

    public int Kills { get; set; }

    /// <summary>What the results table should say about the fault besides the counts (refused attacks, dead letters).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>When the injected fault was over: the drain time counts from here.</summary>
    public DateTimeOffset? FaultEndedAt { get; set; }

    public static async Task<FaultRun> StartAsync(string scenario)
    {
        var redis = await RedisServerProcess.StartAsync("--appendonly", "yes", "--appendfsync", "everysec");
        var tikTok = await FakeTikTok.StartAsync();
        var recorder = new DeliveryRecorder();
        tikTok.Responder = recorder.Answer;
        var config = Configure(redis.ConnectionString, tikTok);
        config.Write();
        var service = new AttributionProcess(config.FilePath, new Uri((string)config.Able["Attribution"]!["ManagementUrl"]!));
        var observer = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { redis.ConnectionString },
            AbortOnConnectFail = false,
            ConnectTimeout = 1000,
            SyncTimeout = 2000,
            AsyncTimeout = 2000,
        });
        var run = new FaultRun(scenario, redis, tikTok, recorder, config, service, observer);
        await service.StartAsync();
        return run;
    }

    /// <summary>Sends <paramref name="bookings"/> like Calendly; <see cref="WhenAcceptedAsync"/> follows its progress.</summary>
    public Task<SendReport> SendAsync(IReadOnlyList<Booking> bookings) =>
        Sender.SendAsync(bookings, Senders, PerSecond, Patience, r => Volatile.Write(ref acceptedSoFar, r.Accepted));

    /// <summary>Waits until the sender has had <paramref name="count"/> bookings accepted: the moment to inject a fault.</summary>
    public async Task WhenAcceptedAsync(int count) =>
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref acceptedSoFar) >= count), Patience),
            $"{Scenario}: only {Volatile.Read(ref acceptedSoFar)} of {count} bookings were accepted.\n{Service.OutputTail}");

    public void FaultEnded() => FaultEndedAt = DateTimeOffset.UtcNow;

    /// <summary>
    /// Waits until every accepted booking reached TikTok and the service is idle (no unread or pending ingest entry,
    /// an empty delivery schedule), then counts.
    /// </summary>
    public async Task<FaultOutcome> AwaitDeliveryAsync(SendReport report, IReadOnlyCollection<string>? notExpected = null)
    {
        var expected = report.AcceptedInvitees.Select(i => $"schedule:{i}").ToHashSet(StringComparer.Ordinal);
        var idle = await Eventually.TrueAsync(async () =>
            expected.All(Recorder.AcceptedCounts().ContainsKey) && await IsIdleAsync(), Patience);
        var counts = Recorder.AcceptedCounts();
        var lost = expected.Where(id => !counts.ContainsKey(id)).Order(StringComparer.Ordinal).ToList();
        var duplicated = counts.Where(c => c.Value > 1).ToDictionary(c => c.Key, c => c.Value - 1, StringComparer.Ordinal);
        var unexpected = counts.Keys.Where(id => !expected.Contains(id)).ToList();
        var firstAccepted = Recorder.FirstAccepted();
        // Drain time: from the fault's end (the sender's last accepted booking when there was no fault) until every
        // booking accepted by then had reached TikTok; zero when nothing was waiting.
        var recovered = FaultEndedAt ?? report.LastAcceptedAt ?? DateTimeOffset.UtcNow;
        var backlog = report.AcceptedAt.Where(a => a.Value <= recovered).Select(a => $"schedule:{a.Key}").Where(firstAccepted.ContainsKey).ToList();
        var lastOfBacklog = backlog.Select(id => firstAccepted[id]).DefaultIfEmpty(recovered).Max();
        var drain = lastOfBacklog > recovered ? lastOfBacklog - recovered : TimeSpan.Zero;
        // The requests in which each duplicated event was first accepted: a crash window re-sends what was in flight.
        var requests = Recorder.AcceptedRequests;
        var batchesWithDuplicates = duplicated.Keys.Select(id => requests.First(r => r.EventIds.Contains(id)).Sequence).Distinct().Count();
        return new FaultOutcome(Scenario, report, expected.Count - lost.Count, lost, duplicated, unexpected, drain, batchesWithDuplicates, idle,
            notExpected?.Where(counts.ContainsKey).ToList() ?? []);
    }

    /// <summary>Asserts what every scenario must hold: nothing lost, the service never stopped on its own, TikTok's reference kept.</summary>
    public void AssertHeld(FaultOutcome outcome, int bookings, bool duplicatesAllowed = false)
    {
        var context = $"{outcome.Describe()}\n--- service output (tail) ---\n{Service.OutputTail}";
        Assert.True(outcome.Idle, $"{Scenario}: the service did not finish its work within {Patience}.\n{context}");
        Assert.Equal(bookings, outcome.Report.Accepted);
        Assert.True(outcome.Lost.Count == 0, $"{Scenario}: lost {string.Join(", ", outcome.Lost.Take(10))}.\n{context}");
        Assert.True(outcome.Unexpected.Count == 0, $"{Scenario}: delivered events nobody booked: {string.Join(", ", outcome.Unexpected.Take(10))}.\n{context}");
        Assert.True(outcome.ForbiddenDelivered.Count == 0, $"{Scenario}: delivered refused bookings: {string.Join(", ", outcome.ForbiddenDelivered.Take(10))}.\n{context}");
        if (!duplicatesAllowed)
        {
            Assert.True(outcome.Duplicated.Count == 0, $"{Scenario}: duplicated {string.Join(", ", outcome.Duplicated.Keys.Take(10))}.\n{context}");
        }

        Assert.True(Service.UnexpectedExits.Count == 0, $"{Scenario}: the service exited on its own ({string.Join("; ", Service.UnexpectedExits)}).\n{context}");
        Assert.Empty(TikTok.Violations);
        FaultResults.Record(outcome, Kills, Notes);
    }

    private async Task<bool> IsIdleAsync()
    {
        try
        {
            var db = Db;
            var groups = await db.StreamGroupInfoAsync(Keys.IngestStream);
            var group = groups.FirstOrDefault(g => g.Name == RedisKeys.WorkerGroup);
            var stream = await db.StreamInfoAsync(Keys.IngestStream);
            return group.Name is not null
                && group.PendingMessageCount == 0
                && group.LastDeliveredId == stream.LastGeneratedId
                && await db.SortedSetLengthAsync(Keys.DeliverySchedule) == 0;
        }
        catch (RedisException)
        {
            return false;
        }
    }

    private static TestConfig Configure(string redis, FakeTikTok tikTok)
    {
        var config = TestConfig.Create(redis);
        config.Root["Logging"] = new JsonObject
        {
            ["LogLevel"] = new JsonObject { ["Default"] = "Warning", ["Microsoft.AspNetCore"] = "Warning" },
        };
        config.Able["Attribution"]!["Ingress"] = new JsonObject
        {
            ["RateLimit"] = new JsonObject { ["PermitsPerIp"] = 1_000_000, ["PermitsPerFunnel"] = 1_000_000 },
        };
        config.Able["Worker"] = new JsonObject
        {
            ["ConsumerName"] = "fault-worker",
            ["TikTokBaseUrl"] = tikTok.BaseUrl.ToString(),
            // Long enough that a loopback request slowed by a loaded CI machine is not timed out and sent again: a timed-out
            // request TikTok had accepted is the documented duplicate window (README, Guarantees), not what these scenarios test.
            ["RequestTimeoutMilliseconds"] = 3000,
            ["FlushIntervalMilliseconds"] = 50,
            ["PollIntervalMilliseconds"] = 50,
            ["RetryBaseMilliseconds"] = 100,
            ["RetryMaxMilliseconds"] = 1000,
            ["GracePeriodSeconds"] = 0,
            ["ClaimIdleSeconds"] = 4,
            ["MaxIngestAttempts"] = 3,
        };
        config.Funnel["Calendly"] = new JsonObject { ["SigningKey"] = SigningKey };
        config.Funnel["TikTok"] = new JsonObject
        {
            ["PixelId"] = "CFAULTPIXEL000000000",
            ["AccessToken"] = "fault-test-token",
            ["ClickWindowDays"] = 28,
        };
        return config;
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    public async ValueTask DisposeAsync()
    {
        Sender.Dispose();
        await Service.DisposeAsync();
        await observer.DisposeAsync();
        await TikTok.DisposeAsync();
        await Redis.DisposeAsync();
        Config.Dispose();
    }
}

/// <summary>What one scenario counted.</summary>
internal sealed record FaultOutcome(
    string Scenario,
    SendReport Report,
    int Delivered,
    IReadOnlyList<string> Lost,
    IReadOnlyDictionary<string, int> Duplicated,
    IReadOnlyList<string> Unexpected,
    TimeSpan Drain,
    int BatchesWithDuplicates,
    bool Idle,
    IReadOnlyList<string> ForbiddenDelivered)
{
    public int DuplicateCount => Duplicated.Values.Sum();

    public string Describe() =>
        $"{Scenario}: sent {Report.Sent}, attempts {Report.Attempts} ({Report.Describe()}), accepted {Report.Accepted}, delivered {Delivered}, " +
        $"lost {Lost.Count}, duplicated {DuplicateCount} (first accepted in {BatchesWithDuplicates} requests), drain {Drain.TotalSeconds:F1} s";
}
