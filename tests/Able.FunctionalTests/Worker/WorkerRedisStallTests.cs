using Able.Attribution.Worker;
using Able.Schema.Redis;
using Able.Supervision;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// A Redis that stops answering for a few seconds makes StackExchange.Redis throw <see cref="RedisTimeoutException"/>,
/// which is a <see cref="TimeoutException"/>, not a <see cref="RedisException"/>. The worker loops must wait it out
/// like any other outage: the host keeps running and delivers what arrives afterwards.
/// </summary>
public sealed class WorkerRedisStallTests
{
    [Fact]
    public async Task A_frozen_redis_does_not_stop_the_worker_and_bookings_after_it_are_delivered()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        using var client = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await using var tikTok = await FakeTikTok.StartAsync();
        // Short command timeouts, so a stall of a few seconds surfaces as timeouts rather than a slow answer.
        using var config = WorkerTestData.Config($"{redis.ConnectionString},asyncTimeout=300,syncTimeout=300", tikTok);
        var time = new ShiftedTime(ShiftedTime.At(WorkerDeliveryTests.BookedAt));
        var keys = new RedisKeys(config.KeyPrefix);
        var db = client.GetDatabase();
        await using var worker = await WorkerHost.StartAsync(config, time);
        var lifetime = worker.Services.GetRequiredService<IHostApplicationLifetime>();

        const string before = "00000000-0000-4000-8000-0000000000a1";
        await WorkerTestData.AddIngestAsync(db, keys, "calendly", "acme", "invitee.created", WorkerDeliveryTests.Untracked(before, "before@example.com"), time.GetUtcNow());
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(tikTok.AcceptedCount("schedule:" + before) == 1), TimeSpan.FromSeconds(10)));

        var health = worker.Services.GetRequiredService<LoopHealth>();
        redis.Pause();
        var outageSeen = await Eventually.TrueAsync(() => Task.FromResult(health.Outages.Any(o => o.Loop == IngestConsumer.LoopName)), TimeSpan.FromSeconds(3));
        await Task.Delay(TimeSpan.FromSeconds(1));
        redis.Resume();
        Assert.True(outageSeen, "the consumer's outage did not show in LoopHealth");

        const string after = "00000000-0000-4000-8000-0000000000a2";
        await WorkerTestData.AddIngestAsync(db, keys, "calendly", "acme", "invitee.created", WorkerDeliveryTests.Untracked(after, "after@example.com"), time.GetUtcNow());
        Assert.True(
            await Eventually.TrueAsync(() => Task.FromResult(tikTok.AcceptedCount("schedule:" + after) == 1), TimeSpan.FromSeconds(20)),
            $"not delivered after the stall; host stopping: {lifetime.ApplicationStopping.IsCancellationRequested}");
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the worker host stopped because of the stall");
        Assert.Equal(1, tikTok.AcceptedCount("schedule:" + before));
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(health.Outages.Count == 0), TimeSpan.FromSeconds(10)), "a loop is still in an outage");
        Assert.Empty(tikTok.Violations);
    }
}
