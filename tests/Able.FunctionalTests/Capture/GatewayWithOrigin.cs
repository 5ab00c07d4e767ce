
namespace Able.FunctionalTests.Capture;

/// <summary>
/// The usual capture test setup: a <see cref="RecordingOrigin"/>, the shared test Redis, a config whose one
/// funnel points at that origin (adjusted by the test), and the real gateway started from it.
/// </summary>
public sealed class GatewayWithOrigin : IAsyncDisposable
{
    private GatewayWithOrigin(RecordingOrigin origin, RedisTestServer redis, TestConfig config, RunningService gateway)
    {
        Origin = origin;
        Redis = redis;
        Config = config;
        Gateway = gateway;
    }

    public RecordingOrigin Origin { get; }

    public RedisTestServer Redis { get; }

    public TestConfig Config { get; }

    public RunningService Gateway { get; }

    public static async Task<GatewayWithOrigin> StartAsync(Action<TestConfig>? configure = null)
    {
        var origin = await RecordingOrigin.StartAsync();
        var redis = await RedisTestServer.GetAsync();
        var config = TestConfig.Create(redis.ConnectionString, origin.Url);
        configure?.Invoke(config);
        return new GatewayWithOrigin(origin, redis, config, await RunningService.StartGatewayAsync(config));
    }

    public void Deconstruct(out RecordingOrigin origin, out RedisTestServer redis, out TestConfig config, out RunningService gateway) =>
        (origin, redis, config, gateway) = (Origin, Redis, Config, Gateway);

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Origin.DisposeAsync();
        Config.Dispose();
    }
}
