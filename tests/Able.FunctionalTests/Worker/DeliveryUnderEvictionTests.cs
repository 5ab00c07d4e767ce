using StackExchange.Redis;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// A Redis at its maxmemory with the documented <c>volatile-lru</c> policy evicts keys with a TTL. The pending job
/// and the dedup ledger must not be among them: the conversion is still delivered, and exactly once.
/// </summary>
public sealed class DeliveryUnderEvictionTests
{
    private const string Booking = "00000000-0000-4000-8000-0000000000ee";

    [Fact]
    public async Task A_delivery_waiting_while_redis_evicts_expiring_keys_is_sent_once_and_a_later_duplicate_is_not()
    {
        await using var redis = await RedisServerProcess.StartAsync("--maxmemory", "8mb", "--maxmemory-policy", "volatile-lru");
        using var filler = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},allowAdmin=true");
        await using var tikTok = await FakeTikTok.StartAsync();
        using var config = WorkerTestData.Config(redis.ConnectionString, tikTok, graceSeconds: 4);
        var time = new ShiftedTime(ShiftedTime.At(WorkerDeliveryTests.BookedAt));
        var keys = new Able.Schema.Redis.RedisKeys(config.KeyPrefix);
        var db = filler.GetDatabase();
        await using var worker = await WorkerHost.StartAsync(config, time);

        // An unmatched booking waits the grace period in the schedule (its job and ledger entry written)...
        var webhook = WorkerDeliveryTests.Untracked(Booking, "evicted@example.com");
        await WorkerTestData.AddIngestAsync(db, keys, "calendly", "acme", "invitee.created", webhook, time.GetUtcNow());
        Assert.True(await Eventually.TrueAsync(async () => await db.SortedSetLengthAsync(keys.DeliverySchedule) == 1, TimeSpan.FromSeconds(10)));

        // ...while expiring filler worth several times maxmemory pushes Redis to evict.
        var value = new string('f', 1024);
        for (var chunk = 0; chunk < 32; chunk++)
        {
            await Task.WhenAll(Enumerable.Range(chunk * 1000, 1000)
                .Select(i => db.StringSetAsync($"filler:{i}", value, TimeSpan.FromHours(1))));
        }

        var stats = (await filler.GetServers()[0].InfoAsync("stats")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
        Assert.True(long.Parse(stats["evicted_keys"], System.Globalization.CultureInfo.InvariantCulture) > 10_000, "Redis evicted too little to test anything");

        const string eventId = "schedule:" + Booking;
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(tikTok.AcceptedCount(eventId) == 1), TimeSpan.FromSeconds(20)));

        // Calendly delivers the same webhook again: the ledger entry survived the eviction, so it is not sent twice.
        await WorkerTestData.AddIngestAsync(db, keys, "calendly", "acme", "invitee.created", webhook, time.GetUtcNow());
        Assert.True(await Eventually.TrueAsync(async () =>
            (await db.StreamPendingAsync(keys.IngestStream, Able.Schema.Redis.RedisKeys.WorkerGroup)).PendingMessageCount == 0
            && (await db.StreamGroupInfoAsync(keys.IngestStream))[0].Lag == 0, TimeSpan.FromSeconds(10)));
        await Task.Delay(4500); // past the grace period a second job would have waited
        Assert.Equal(1, tikTok.AcceptedCount(eventId));
        Assert.Empty(tikTok.Violations);
    }
}
