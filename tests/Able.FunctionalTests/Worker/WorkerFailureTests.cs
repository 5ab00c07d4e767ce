using Able.Attribution.Delivery;
using Able.Attribution.Receipts;
using Able.Attribution.Worker;
using Able.Schema.Redis;

namespace Able.FunctionalTests.Worker;

/// <summary>Crashes, TikTok errors and restarts: every event is delivered, none twice (counted at the fake TikTok).</summary>
public sealed class WorkerFailureTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private static string EventId(int i) => $"schedule:00000000-0000-4000-8000-{i:D12}";

    private static async Task<WorkerScenario> WithBookingsAsync(int count, int graceSeconds = 0)
    {
        var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt, graceSeconds: graceSeconds);
        for (var i = 0; i < count; i++)
        {
            await scenario.AddAsync("calendly", "invitee.created",
                WorkerDeliveryTests.Untracked($"00000000-0000-4000-8000-{i:D12}", $"person{i}@example.com"));
        }

        return scenario;
    }

    private static Task<bool> AllDeliveredAsync(FakeTikTok tikTok, int count) =>
        Eventually.TrueAsync(() => Task.FromResult(Enumerable.Range(0, count).All(i => tikTok.AcceptedCount(EventId(i)) >= 1)), Within);

    private static Task<bool> StatusAsync(WorkerHost worker, int booking, string status) =>
        Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", EventId(booking)))?.Status == status, Within);

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
        await using var scenario = await WithBookingsAsync(5);
        var stop = new StopAt(point);
        var first = await scenario.StartWorkerAsync(stop);
        await stop.Reached.Task.WaitAsync(Within);
        if (point == WorkerCheckpoints.AfterSentBeforeRemove)
        {
            Assert.NotEmpty(scenario.TikTok.Accepted); // reached after a send only
        }

        await first.DisposeAsync();

        // Another replica takes over what the stopped one held (after Able:Worker:ClaimIdleSeconds)...
        scenario.Worker("ConsumerName", "w2");
        await using (var second = await scenario.StartWorkerAsync())
        {
            Assert.True(await AllDeliveredAsync(scenario.TikTok, 5));
            await AssertEachDeliveredOnceAsync(scenario.TikTok, 5);
        }

        // ...and the stopped replica, restarted under its own name, re-reads its pending entries and sends nothing again.
        scenario.Worker("ConsumerName", "w1");
        await using (var restarted = await scenario.StartWorkerAsync())
        {
            Assert.True(await Eventually.TrueAsync(async () =>
                (await scenario.Db.StreamPendingAsync(scenario.Keys.IngestStream, RedisKeys.WorkerGroup)).PendingMessageCount == 0
                && await scenario.Db.SortedSetLengthAsync(scenario.Keys.DeliverySchedule) == 0, Within));
            await AssertEachDeliveredOnceAsync(scenario.TikTok, 5);
        }
    }

    [Fact]
    public async Task A_replica_stopped_while_TikTok_is_answering_records_the_acceptance_and_nothing_is_sent_twice()
    {
        // A deploy or scale-down stops a replica mid-request: TikTok accepts the events either way, so the stop waits for
        // the answer (at most RequestTimeoutMilliseconds) and records it rather than leave the job to be sent again.
        await using var scenario = await WithBookingsAsync(1);
        scenario.TikTok.Enqueue(FakeReply.OkAfter(TimeSpan.FromMilliseconds(600)));
        var first = await scenario.StartWorkerAsync();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(!scenario.TikTok.Requests.IsEmpty), Within));
        await first.DisposeAsync();

        scenario.Worker("ConsumerName", "w2");
        await using var second = await scenario.StartWorkerAsync();
        Assert.Equal(ReceiptStatus.Sent, (await second.Receipts.GetAsync("acme", EventId(0)))?.Status);
        await Task.Delay(TimeSpan.FromSeconds(3)); // past the 2 s lease a stopped replica's job would be taken over after
        await AssertEachDeliveredOnceAsync(scenario.TikTok, 1);
        Assert.Single(scenario.TikTok.Requests);
    }

    [Fact]
    public async Task A_replica_stopped_while_halving_a_batch_starts_no_new_request_and_the_other_half_is_taken_over()
    {
        await using var scenario = await WithBookingsAsync(2);
        // Room to stop the replica while the first half's request is answered (3 s), within the request timeout.
        scenario.Worker("RequestTimeoutMilliseconds", 5000);
        scenario.Worker("ClaimIdleSeconds", 6);
        var singles = 0;
        scenario.TikTok.Responder = events => events.Count > 1
            ? FakeReply.InvalidEvent((string)events[1]["event_id"]!)
            : Interlocked.Increment(ref singles) == 1 ? FakeReply.OkAfter(TimeSpan.FromSeconds(3)) : FakeReply.Ok;
        var first = await scenario.StartWorkerAsync();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(scenario.TikTok.Requests.Count == 2), Within));
        await first.DisposeAsync(); // while the first half's request is answered

        Assert.Equal(2, scenario.TikTok.Requests.Count); // the second half was not sent by the stopping replica
        Assert.Single(scenario.TikTok.Accepted);
        scenario.Worker("ConsumerName", "w2");
        await using var second = await scenario.StartWorkerAsync();
        Assert.True(await AllDeliveredAsync(scenario.TikTok, 2));
        await AssertEachDeliveredOnceAsync(scenario.TikTok, 2);
    }

    [Fact]
    public async Task Too_many_requests_three_times_then_success_is_delivered_once_after_backoff()
    {
        await using var scenario = await WithBookingsAsync(1);
        scenario.TikTok.Enqueue(FakeReply.TooManyRequests, FakeReply.TooManyRequests, FakeReply.TooManyRequests);
        await using var worker = await scenario.StartWorkerAsync();

        Assert.True(await StatusAsync(worker, 0, ReceiptStatus.Sent));
        await AssertEachDeliveredOnceAsync(scenario.TikTok, 1);
        Assert.Equal(4, scenario.TikTok.Requests.Count);
        var receipt = (await worker.Receipts.GetAsync("acme", EventId(0)))!;
        Assert.Equal(ReceiptStatus.Sent, receipt.Status);
        Assert.Equal(4, receipt.Attempts);
        Assert.Contains("able_tiktok_events_total{funnel=\"acme\",outcome=\"retry\"} 3", await worker.MetricsTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_errors_and_a_hang_past_the_timeout_are_retried_and_delivered_once()
    {
        await using var scenario = await WithBookingsAsync(1);
        scenario.TikTok.Enqueue(FakeReply.ServerError, FakeReply.HangFor(TimeSpan.FromSeconds(3)), new FakeReply(Code: 50002, Message: "internal"));
        await using var worker = await scenario.StartWorkerAsync();

        Assert.True(await StatusAsync(worker, 0, ReceiptStatus.Sent));
        await AssertEachDeliveredOnceAsync(scenario.TikTok, 1);
        Assert.Equal(4, (await worker.Receipts.GetAsync("acme", EventId(0)))!.Attempts);
    }

    [Fact]
    public async Task One_invalid_event_in_a_batch_of_ten_is_isolated_and_dead_lettered_while_nine_are_delivered()
    {
        // Unmatched bookings wait the grace period, so all ten fall due together. The first flush runs at
        // start (nothing due yet), the next one long after all ten are due: they leave in one batch.
        await using var scenario = await WithBookingsAsync(10, graceSeconds: 2);
        scenario.Worker("FlushIntervalMilliseconds", 4000);
        // A lease longer than the test: the halves are sent in the same pass, or not at all.
        scenario.Worker("ClaimIdleSeconds", 600);
        var bad = EventId(6);
        scenario.TikTok.Responder = events => events.Any(e => (string?)e["event_id"] == bad) ? FakeReply.InvalidEvent(bad) : FakeReply.Ok;
        await using var worker = await scenario.StartWorkerAsync();

        Assert.True(await StatusAsync(worker, 6, ReceiptStatus.DeadLettered));
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(scenario.TikTok.Accepted.Count == 9), Within));
        var requests = scenario.TikTok.Requests.Select(r => r.Events.Select(e => (string)e["event_id"]!).ToList()).ToList();
        Assert.Equal(10, requests[0].Count);
        Assert.Equal(requests[0][..5], requests[1]); // the first half...
        Assert.Contains(requests[0][5..], requests.Skip(2)); // ...and the second, each sent as it stands or halved again
        Assert.All(requests.Skip(1), r => Assert.True(r.Count <= 5));
        Assert.Equal(0, scenario.TikTok.AcceptedCount(bad));
        Assert.All(Enumerable.Range(0, 10).Where(i => i != 6), i => Assert.Equal(1, scenario.TikTok.AcceptedCount(EventId(i))));

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
        await using var scenario = await WithBookingsAsync(1);
        scenario.TikTok.Responder = _ => FakeReply.TokenInvalid;
        await using var worker = await scenario.StartWorkerAsync();

        Assert.True(await StatusAsync(worker, 0, ReceiptStatus.DeadLettered));
        await Task.Delay(500);
        Assert.Equal("test-token", Assert.Single(scenario.TikTok.Requests).AccessToken);
        var deadLetter = Assert.Single(await worker.DeadLetters.ReadAsync());
        Assert.Equal(40105, deadLetter.TikTokCode);
        Assert.Equal("Access token is invalid", deadLetter.TikTokMessage);
        Assert.Contains("able_tiktok_token_errors_total{funnel=\"acme\"} 1", await worker.MetricsTextAsync(), StringComparison.Ordinal);
        Assert.True(await Eventually.TrueAsync(async () => (await worker.MetricsTextAsync()).Contains("able_dlq_depth 1", StringComparison.Ordinal), Within));
    }

    [Fact]
    public async Task A_restart_with_deliveries_in_the_retry_schedule_sends_them_when_due_once()
    {
        await using var scenario = await WithBookingsAsync(3);
        scenario.TikTok.Responder = _ => FakeReply.ServerError;
        scenario.Worker("RetryBaseMilliseconds", 1500);
        scenario.Worker("RetryMaxMilliseconds", 1500);

        await using (var first = await scenario.StartWorkerAsync())
        {
            Assert.True(await Eventually.TrueAsync(async () =>
                (await first.Receipts.ListAsync("acme", 10)).Count(r => r.Status == ReceiptStatus.Retrying) == 3, Within));
            Assert.True(await Eventually.TrueAsync(async () => (await first.MetricsTextAsync()).Contains("able_retry_backlog 3", StringComparison.Ordinal), Within));
        }

        Assert.Equal(3, await scenario.Db.SortedSetLengthAsync(scenario.Keys.DeliverySchedule));
        Assert.Empty(scenario.TikTok.Accepted);
        scenario.TikTok.Responder = _ => FakeReply.Ok;
        await using var second = await scenario.StartWorkerAsync();

        Assert.True(await AllDeliveredAsync(scenario.TikTok, 3));
        await AssertEachDeliveredOnceAsync(scenario.TikTok, 3);
        Assert.Equal(0, await scenario.Db.SortedSetLengthAsync(scenario.Keys.DeliverySchedule));
    }

    [Fact]
    public async Task A_retry_past_the_deadline_is_dead_lettered()
    {
        await using var scenario = await WithBookingsAsync(1);
        scenario.TikTok.Responder = _ => FakeReply.ServerError;
        scenario.Worker("RetryDeadlineMinutes", 1);
        await using var worker = await scenario.StartWorkerAsync();
        Assert.True(await StatusAsync(worker, 0, ReceiptStatus.Retrying));

        scenario.Time.JumpTo(scenario.Time.GetUtcNow().AddMinutes(2));

        Assert.True(await StatusAsync(worker, 0, ReceiptStatus.DeadLettered));
        var deadLetter = Assert.Single(await worker.DeadLetters.ReadAsync());
        Assert.StartsWith("retry deadline passed", deadLetter.Reason, StringComparison.Ordinal);
    }
}
