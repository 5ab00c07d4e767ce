using Able.Attribution.Delivery;
using Able.Attribution.Receipts;
using Able.Attribution.Redis;
using Able.FunctionalTests.Infrastructure;
using StackExchange.Redis;

namespace Able.FunctionalTests.Worker;

/// <summary>Crashes, TikTok errors and restarts: every event is delivered, none twice (counted at the fake TikTok).</summary>
public sealed class WorkerFailureTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private static string Booking(int i) => WorkerDeliveryTests.Untracked($"00000000-0000-4000-8000-{i:D12}", $"person{i}@example.com");

    private static string EventId(int i) => $"schedule:00000000-0000-4000-8000-{i:D12}";

    private static async Task AddBookingsAsync(IDatabase db, RedisKeys keys, TimeProvider time, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await WorkerTestData.AddIngestAsync(db, keys, "calendly", "acme", "invitee.created", Booking(i), time.GetUtcNow());
        }
    }

    private static Task<bool> AllDeliveredAsync(FakeTikTok tikTok, int count) =>
        Eventually.TrueAsync(() => Task.FromResult(Enumerable.Range(0, count).All(i => tikTok.AcceptedCount(EventId(i)) >= 1)), TimeSpan.FromSeconds(30));

    private static async Task AssertEachDeliveredOnceAsync(FakeTikTok tikTok, int count)
    {
        await Task.Delay(500); // anything that would be sent twice has had its chance
        Assert.All(Enumerable.Range(0, count), i => Assert.Equal(1, tikTok.AcceptedCount(EventId(i))));
        Assert.Equal(count, tikTok.Accepted.Count);
        Assert.Empty(tikTok.Violations);
    }

    [Theory]
    [InlineData(WorkerCheckpoints.BeforeSend)]
    [InlineData(WorkerCheckpoints.AfterSentBeforeRemove)]
    [InlineData(WorkerCheckpoints.BeforeAck)]
    public async Task A_replica_stopped_at_a_crash_point_leaves_nothing_undelivered_and_nothing_sent_twice(string point)
    {
        var redis = await RedisTestServer.GetAsync();
        await using var tikTok = await FakeTikTok.StartAsync();
        using var config = WorkerTestData.Config(redis.ConnectionString, tikTok);
        var keys = new RedisKeys(config.KeyPrefix);
        var db = redis.Multiplexer.GetDatabase();
        var time = new ShiftedTime(ShiftedTime.At(WorkerDeliveryTests.BookedAt));
        await AddBookingsAsync(db, keys, time, 5);

        var stop = new StopAt(point);
        var first = await WorkerHost.StartAsync(config, time, stop);
        await stop.Reached.Task.WaitAsync(Within);
        await first.DisposeAsync();

        // Another replica takes over what the stopped one held (after Able:Worker:ClaimIdleSeconds)...
        config.Able["Worker"]!["ConsumerName"] = "w2";
        await using (var second = await WorkerHost.StartAsync(config, time))
        {
            Assert.True(await AllDeliveredAsync(tikTok, 5));
            await AssertEachDeliveredOnceAsync(tikTok, 5);
        }

        // ...and the stopped replica, restarted under its own name, re-reads its pending entries and sends nothing again.
        config.Able["Worker"]!["ConsumerName"] = "w1";
        await using (var restarted = await WorkerHost.StartAsync(config, time))
        {
            Assert.True(await Eventually.TrueAsync(async () =>
                (await db.StreamPendingAsync(keys.IngestStream, RedisKeys.WorkerGroup)).PendingMessageCount == 0
                && await db.SortedSetLengthAsync(keys.DeliverySchedule) == 0, Within));
            await AssertEachDeliveredOnceAsync(tikTok, 5);
        }
    }

    [Fact]
    public async Task Too_many_requests_three_times_then_success_is_delivered_once_after_backoff()
    {
        var redis = await RedisTestServer.GetAsync();
        await using var tikTok = await FakeTikTok.StartAsync();
        tikTok.Enqueue(FakeReply.TooManyRequests, FakeReply.TooManyRequests, FakeReply.TooManyRequests);
        using var config = WorkerTestData.Config(redis.ConnectionString, tikTok);
        var keys = new RedisKeys(config.KeyPrefix);
        var db = redis.Multiplexer.GetDatabase();
        var time = new ShiftedTime(ShiftedTime.At(WorkerDeliveryTests.BookedAt));
        await using var worker = await WorkerHost.StartAsync(config, time);

        await AddBookingsAsync(db, keys, time, 1);

        Assert.True(await AllDeliveredAsync(tikTok, 1));
        await AssertEachDeliveredOnceAsync(tikTok, 1);
        Assert.Equal(4, tikTok.Requests.Count);
        var receipt = (await worker.Receipts.GetAsync("acme", EventId(0)))!;
        Assert.Equal(ReceiptStatus.Sent, receipt.Status);
        Assert.Equal(4, receipt.Attempts);
        Assert.Contains("able_tiktok_events_total{funnel=\"acme\",outcome=\"retry\"} 3", await worker.MetricsTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_errors_and_a_hang_past_the_timeout_are_retried_and_delivered_once()
    {
        var redis = await RedisTestServer.GetAsync();
        await using var tikTok = await FakeTikTok.StartAsync();
        tikTok.Enqueue(FakeReply.ServerError, FakeReply.HangFor(TimeSpan.FromSeconds(3)), new FakeReply(Code: 50002, Message: "internal"));
        using var config = WorkerTestData.Config(redis.ConnectionString, tikTok);
        var keys = new RedisKeys(config.KeyPrefix);
        var db = redis.Multiplexer.GetDatabase();
        var time = new ShiftedTime(ShiftedTime.At(WorkerDeliveryTests.BookedAt));
        await using var worker = await WorkerHost.StartAsync(config, time);

        await AddBookingsAsync(db, keys, time, 1);

        Assert.True(await AllDeliveredAsync(tikTok, 1));
        await AssertEachDeliveredOnceAsync(tikTok, 1);
        Assert.Equal(4, (await worker.Receipts.GetAsync("acme", EventId(0)))!.Attempts);
    }

    [Fact]
    public async Task One_invalid_event_in_a_batch_of_ten_is_isolated_and_dead_lettered_while_nine_are_delivered()
    {
        var redis = await RedisTestServer.GetAsync();
        await using var tikTok = await FakeTikTok.StartAsync();
        var bad = EventId(6);
        tikTok.Responder = events => events.Any(e => (string?)e["event_id"] == bad) ? FakeReply.InvalidEvent(bad) : FakeReply.Ok;
        // Unmatched bookings wait the grace period, so all ten fall due together and leave in one batch.
        using var config = WorkerTestData.Config(redis.ConnectionString, tikTok, graceSeconds: 1);
        config.Able["Worker"]!["FlushIntervalMilliseconds"] = 2000;
        var keys = new RedisKeys(config.KeyPrefix);
        var db = redis.Multiplexer.GetDatabase();
        var time = new ShiftedTime(ShiftedTime.At(WorkerDeliveryTests.BookedAt));
        await AddBookingsAsync(db, keys, time, 10);
        await using var worker = await WorkerHost.StartAsync(config, time);

        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", bad))?.Status == ReceiptStatus.DeadLettered, Within));
        Assert.Equal(10, tikTok.Requests.First().Events.Count);
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(tikTok.Accepted.Count == 9), Within));
        Assert.Equal(0, tikTok.AcceptedCount(bad));
        Assert.All(Enumerable.Range(0, 10).Where(i => i != 6), i => Assert.Equal(1, tikTok.AcceptedCount(EventId(i))));

        var deadLetter = Assert.Single(await worker.DeadLetters.ReadAsync());
        Assert.Equal(bad, deadLetter.EventId);
        Assert.Equal(40002, deadLetter.TikTokCode);
        Assert.Contains("40002", deadLetter.Reason, StringComparison.Ordinal);
        Assert.Contains(bad, deadLetter.TikTokMessage, StringComparison.Ordinal);
        Assert.Contains("\"event_id\":\"" + bad + "\"", deadLetter.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_token_is_not_retried_but_dead_lettered_and_counted()
    {
        var redis = await RedisTestServer.GetAsync();
        await using var tikTok = await FakeTikTok.StartAsync();
        tikTok.Responder = _ => FakeReply.TokenInvalid;
        using var config = WorkerTestData.Config(redis.ConnectionString, tikTok);
        var keys = new RedisKeys(config.KeyPrefix);
        var db = redis.Multiplexer.GetDatabase();
        var time = new ShiftedTime(ShiftedTime.At(WorkerDeliveryTests.BookedAt));
        await using var worker = await WorkerHost.StartAsync(config, time);

        await AddBookingsAsync(db, keys, time, 1);

        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", EventId(0)))?.Status == ReceiptStatus.DeadLettered, Within));
        await Task.Delay(500);
        Assert.Single(tikTok.Requests);
        Assert.Equal("test-token", tikTok.Requests.Single().AccessToken);
        var deadLetter = Assert.Single(await worker.DeadLetters.ReadAsync());
        Assert.Equal(40105, deadLetter.TikTokCode);
        Assert.Equal("Access token is invalid", deadLetter.TikTokMessage);
        var metrics = await worker.MetricsTextAsync();
        Assert.Contains("able_tiktok_token_errors_total{funnel=\"acme\"} 1", metrics, StringComparison.Ordinal);
        Assert.True(await Eventually.TrueAsync(async () => (await worker.MetricsTextAsync()).Contains("able_dlq_depth 1", StringComparison.Ordinal), Within));
    }

    [Fact]
    public async Task A_restart_with_deliveries_in_the_retry_schedule_sends_them_when_due_once()
    {
        var redis = await RedisTestServer.GetAsync();
        await using var tikTok = await FakeTikTok.StartAsync();
        tikTok.Responder = _ => FakeReply.ServerError;
        using var config = WorkerTestData.Config(redis.ConnectionString, tikTok);
        config.Able["Worker"]!["RetryBaseMilliseconds"] = 1500;
        config.Able["Worker"]!["RetryMaxMilliseconds"] = 1500;
        var keys = new RedisKeys(config.KeyPrefix);
        var db = redis.Multiplexer.GetDatabase();
        var time = new ShiftedTime(ShiftedTime.At(WorkerDeliveryTests.BookedAt));
        await AddBookingsAsync(db, keys, time, 3);

        await using (var first = await WorkerHost.StartAsync(config, time))
        {
            Assert.True(await Eventually.TrueAsync(async () =>
                (await first.Receipts.ListAsync("acme", 10)).Count(r => r.Status == ReceiptStatus.Retrying) == 3, Within));
        }

        Assert.Equal(3, await db.SortedSetLengthAsync(keys.DeliverySchedule));
        Assert.Empty(tikTok.Accepted);
        tikTok.Responder = _ => FakeReply.Ok;
        await using var second = await WorkerHost.StartAsync(config, time);

        Assert.True(await AllDeliveredAsync(tikTok, 3));
        await AssertEachDeliveredOnceAsync(tikTok, 3);
        Assert.Equal(0, await db.SortedSetLengthAsync(keys.DeliverySchedule));
    }

    [Fact]
    public async Task A_retry_past_the_deadline_is_dead_lettered()
    {
        var redis = await RedisTestServer.GetAsync();
        await using var tikTok = await FakeTikTok.StartAsync();
        tikTok.Responder = _ => FakeReply.ServerError;
        using var config = WorkerTestData.Config(redis.ConnectionString, tikTok);
        config.Able["Worker"]!["RetryDeadlineMinutes"] = 1;
        var keys = new RedisKeys(config.KeyPrefix);
        var db = redis.Multiplexer.GetDatabase();
        var time = new ShiftedTime(ShiftedTime.At(WorkerDeliveryTests.BookedAt));
        await using var worker = await WorkerHost.StartAsync(config, time);
        await AddBookingsAsync(db, keys, time, 1);
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", EventId(0)))?.Status == ReceiptStatus.Retrying, Within));

        time.JumpTo(time.GetUtcNow().AddMinutes(2));

        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", EventId(0)))?.Status == ReceiptStatus.DeadLettered, Within));
        var deadLetter = Assert.Single(await worker.DeadLetters.ReadAsync());
        Assert.StartsWith("retry deadline passed", deadLetter.Reason, StringComparison.Ordinal);
    }
}
