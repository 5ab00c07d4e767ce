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

/// <summary>
/// TikTok accepts a batch and Redis goes away (stopped with SIGTERM, as in a restart) before the worker records it. Once
/// Redis is back, even after the job's lease has run out, the worker must not send the batch again: the accepted outcome
/// is kept in memory and recorded before anything is claimed again.
/// </summary>
public sealed class AcceptedThenRedisRestartTests
{
    [Fact]
    public async Task A_batch_TikTok_accepted_just_before_Redis_stopped_is_recorded_when_it_is_back_and_never_sent_again()
    {
        await using var redis = await RedisServerProcess.StartAsync("--appendonly", "yes", "--appendfsync", "always");
        using var client = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},abortConnect=false");
        await using var tikTok = await FakeTikTok.StartAsync();
        using var config = WorkerTestData.Config($"{redis.ConnectionString},asyncTimeout=500,syncTimeout=500", tikTok);
        var time = new ShiftedTime(ShiftedTime.At(WorkerDeliveryTests.BookedAt));
        var keys = new RedisKeys(config.KeyPrefix);
        var db = client.GetDatabase();
        await using var worker = await WorkerHost.StartAsync(config, time);

        // The first request stops Redis while TikTok answers OK: the worker's next writes (the ledger) fail.
        var stopped = 0;
        tikTok.Responder = _ =>
        {
            if (Interlocked.Exchange(ref stopped, 1) == 0)
            {
                redis.TerminateAsync().GetAwaiter().GetResult();
            }

            return FakeReply.Ok;
        };
        const string booking = "00000000-0000-4000-8000-0000000000b1";
        await WorkerTestData.AddIngestAsync(db, keys, "calendly", "acme", "invitee.created", WorkerDeliveryTests.Untracked(booking, "stall@example.com"), time.GetUtcNow());
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(tikTok.AcceptedCount("schedule:" + booking) == 1), TimeSpan.FromSeconds(10)));

        await Task.Delay(TimeSpan.FromSeconds(2));
        await redis.StartAgainAsync();
        // Past the job's lease (and any retry backoff): a worker that had forgotten the accepted send would claim it again.
        time.JumpTo(time.GetUtcNow().AddHours(1));
        Assert.True(
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    return await db.SortedSetLengthAsync(keys.DeliverySchedule) == 0;
                }
                catch (RedisException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(30)),
            "the accepted job was never recorded and removed");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, tikTok.AcceptedCount("schedule:" + booking));
        Assert.Single(tikTok.Requests);
        Assert.Empty(tikTok.Violations);
    }
}
