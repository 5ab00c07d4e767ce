using Able.Attribution.Delivery;
using Able.Attribution.Worker;
using Able.Schema.Redis;
using StackExchange.Redis;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// One worker test's world: the shared real Redis under a fresh prefix, a fake TikTok, a config pointing
/// the worker at it with short timings, and a clock moved to the fixtures' dates.
/// </summary>
internal sealed class WorkerScenario : IAsyncDisposable
{
    private WorkerScenario(FakeTikTok tikTok, TestConfig config, IDatabase db, ShiftedTime time)
    {
        TikTok = tikTok;
        Config = config;
        Db = db;
        Time = time;
        Keys = new RedisKeys(config.KeyPrefix);
    }

    public FakeTikTok TikTok { get; }

    public TestConfig Config { get; }

    public RedisKeys Keys { get; }

    public IDatabase Db { get; }

    public ShiftedTime Time { get; }

    public static async Task<WorkerScenario> CreateAsync(string pretendNow, string? accessToken = "test-token", int graceSeconds = 0)
    {
        var redis = await RedisTestServer.GetAsync();
        var tikTok = await FakeTikTok.StartAsync();
        var config = WorkerTestData.Config(redis.ConnectionString, tikTok, accessToken, graceSeconds);
        return new WorkerScenario(tikTok, config, redis.Multiplexer.GetDatabase(), new ShiftedTime(ShiftedTime.At(pretendNow)));
    }

    /// <summary>Sets an <c>Able:Worker</c> value before a worker starts.</summary>
    public void Worker(string key, System.Text.Json.Nodes.JsonNode value) => Config.Able["Worker"]![key] = value;

    public Task<WorkerHost> StartWorkerAsync(WorkerCheckpoints? checkpoints = null, Action<Microsoft.Extensions.Logging.ILoggingBuilder>? logging = null) =>
        WorkerHost.StartAsync(Config, Time, checkpoints, logging);

    public Task<RedisValue> AddAsync(string source, string type, string body) =>
        WorkerTestData.AddIngestAsync(Db, Keys, source, "acme", type, body, Time.GetUtcNow());

    public Task AddVisitorAsync(string visitorId, string ttclid, string clickAt, string ip) =>
        WorkerTestData.WriteVisitorAsync(Db, Keys, visitorId, ttclid, ShiftedTime.At(clickAt), ip);

    public async ValueTask DisposeAsync()
    {
        await TikTok.DisposeAsync();
        Config.Dispose();
    }
}
