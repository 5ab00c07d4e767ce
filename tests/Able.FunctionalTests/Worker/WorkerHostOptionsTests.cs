using Able.Hosting.Configuration;
using Able.Schema.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Able.FunctionalTests.Worker;

/// <summary>The worker test host registers options as the services do, so the tests run production's options code.</summary>
public sealed class WorkerHostOptionsTests
{
    [Fact]
    public async Task The_worker_host_reads_options_through_the_last_valid_monitor()
    {
        var redis = await RedisTestServer.GetAsync();
        await using var tikTok = await FakeTikTok.StartAsync();
        using var config = WorkerTestData.Config(redis.ConnectionString, tikTok);
        await using var worker = await WorkerHost.StartAsync(config, TimeProvider.System);

        Assert.IsType<LastValidOptionsMonitor>(worker.Services.GetRequiredService<IOptionsMonitor<AbleOptions>>());
        Assert.Equal("w1", worker.Services.GetRequiredService<IOptions<AbleOptions>>().Value.Worker.ConsumerName);
    }

    [Fact]
    public async Task A_stop_waits_longer_than_a_TikTok_request_may_take()
    {
        var redis = await RedisTestServer.GetAsync();
        await using var tikTok = await FakeTikTok.StartAsync();
        using var config = WorkerTestData.Config(redis.ConnectionString, tikTok);
        config.Able["Worker"]!["RequestTimeoutMilliseconds"] = 60_000;
        config.Able["Worker"]!["ClaimIdleSeconds"] = 90;
        await using var worker = await WorkerHost.StartAsync(config, TimeProvider.System);

        Assert.Equal(TimeSpan.FromSeconds(65), worker.Services.GetRequiredService<IOptions<Microsoft.Extensions.Hosting.HostOptions>>().Value.ShutdownTimeout);
    }
}
