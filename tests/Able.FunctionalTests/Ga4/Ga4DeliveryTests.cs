using System.Text.Json.Nodes;
using Able.Attribution.Delivery;
using Able.Attribution.Ga4;
using Able.Attribution.Receipts;
using Able.FunctionalTests.Worker;
using Able.Schema.Configuration;
using Able.Schema.Visitors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Able.FunctionalTests.Ga4;

/// <summary>
/// GA4 as the second destination: the worker against real Redis, a fake TikTok and a fake GA4 Measurement Protocol server,
/// both real HTTP on loopback. Each destination is its own delivery: its own retries, dead letters and receipt outcome.
/// </summary>
public sealed class Ga4DeliveryTests
{
    private const string MeasurementId = "G-TEST123456";
    private const string ApiSecret = "ga4-secret-value-1234";
    private const string ClientId = "1234567890.1772630000";
    private const string SessionId = "1772636400";
    private const string PurchaseId = "purchase:stripe:pi_3QcS0ZLkdIwHu7ix1AbCdEfG";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_matched_booking_is_one_generate_lead_and_a_later_Stripe_payment_one_purchase_with_the_captured_ids()
    {
        await using var world = await Ga4World.CreateAsync(WorkerDeliveryTests.BookedAt);
        var vid = await world.VisitorAsync(ClientId, SessionId);
        await using var worker = await world.Scenario.StartWorkerAsync();

        // Calendly delivers at least once: the same webhook twice is still one lead.
        await world.Scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid));
        await world.Scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid));
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Ga4?.Status == Ga4Status.Sent, Within));

        world.Scenario.Time.JumpTo(ShiftedTime.At("2026-03-12T13:21:00Z"));
        await world.Scenario.AddAsync("stripe", "checkout.session.completed", Fixtures.Read("stripe/checkout-session-completed.json"));
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", PurchaseId))?.Ga4?.Status == Ga4Status.Sent, Within));
        await Task.Delay(300);

        Assert.Equal(2, world.Ga4.Accepted.Count);
        var lead = world.Ga4.Accepted.Single(r => r.Events[0]["name"]!.ToString() == "generate_lead");
        Assert.Equal(MeasurementId, lead.MeasurementId);
        Assert.Equal(ApiSecret, lead.ApiSecret);
        Assert.Equal(ClientId, (string?)lead.Body["client_id"]);
        Assert.Equal(SessionId, lead.Parameter("session_id"));
        Assert.Null(lead.Parameter("transaction_id"));
        Assert.Null(lead.Body["user_id"]);
        // The booking's time (Calendly's created_at), in microseconds.
        Assert.Equal(DateTimeOffset.Parse("2026-03-04T15:02:10.481302Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() * 1000,
            (long)lead.Body["timestamp_micros"]!);

        var purchase = world.Ga4.Accepted.Single(r => r.Events[0]["name"]!.ToString() == "purchase");
        Assert.Equal(ClientId, (string?)purchase.Body["client_id"]);
        Assert.Equal(SessionId, purchase.Parameter("session_id"));
        Assert.Equal(PurchaseId, purchase.Parameter("transaction_id"));
        Assert.Equal("1490", purchase.Parameter("value"));
        Assert.Equal("EUR", purchase.Parameter("currency"));
        Assert.Equal(1773321600L * 1_000_000, (long)purchase.Body["timestamp_micros"]!);
        Assert.Empty(world.Ga4.Violations);

        // The receipt shows both destinations, each with its own outcome; TikTok's side is untouched by GA4's.
        var receipt = (await worker.Receipts.GetAsync("acme", PurchaseId))!;
        Assert.Equal(ReceiptStatus.Sent, receipt.Status);
        Assert.Equal(1, receipt.Ga4!.Attempts);
        Assert.Equal(204, receipt.Ga4.HttpStatus);
        Assert.Equal(["client_id", "session_id", "transaction_id", "value", "currency"], receipt.Ga4.KeysSent);
        Assert.Equal(2, world.Scenario.TikTok.Accepted.Count);
        Assert.Contains("able_ga4_events_total{funnel=\"acme\",outcome=\"sent\"} 2", await worker.MetricsTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_GA4_server_error_is_retried_and_the_event_is_delivered_once()
    {
        await using var world = await Ga4World.CreateAsync(WorkerDeliveryTests.BookedAt);
        var vid = await world.VisitorAsync(ClientId, SessionId);
        world.Ga4.Enqueue(500, 503);
        await using var worker = await world.Scenario.StartWorkerAsync();

        await world.Scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid));
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Ga4?.Status == Ga4Status.Sent, Within));
        await Task.Delay(500);

        Assert.Equal(3, world.Ga4.Requests.Count);
        Assert.Single(world.Ga4.Accepted);
        var receipt = (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))!;
        Assert.Equal(3, receipt.Ga4!.Attempts);
        Assert.Equal(1, world.Scenario.TikTok.AcceptedCount(WorkerDeliveryTests.FreeScheduleId));
        Assert.Single(world.Scenario.TikTok.Requests);
        Assert.Contains("able_ga4_events_total{funnel=\"acme\",outcome=\"retry\"} 2", await worker.MetricsTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TikTok_down_while_GA4_is_up_and_GA4_down_while_TikTok_is_up_deliver_each_once()
    {
        await using var world = await Ga4World.CreateAsync(WorkerDeliveryTests.BookedAt);
        var vid = await world.VisitorAsync(ClientId, SessionId);
        var tikTokDown = true;
        world.Scenario.TikTok.Responder = _ => tikTokDown ? FakeReply.ServerError : FakeReply.Ok;
        await using var worker = await world.Scenario.StartWorkerAsync();

        // TikTok down: GA4 gets the lead at once, and is not sent it again while TikTok's delivery retries.
        await world.Scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid));
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Ga4?.Status == Ga4Status.Sent, Within));
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(world.Scenario.TikTok.Requests.Count >= 3), Within));
        Assert.Equal(ReceiptStatus.Retrying, (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))!.Status);
        tikTokDown = false;
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Status == ReceiptStatus.Sent, Within));

        // The reverse: GA4 fails while TikTok takes the purchase at once.
        world.Scenario.Time.JumpTo(ShiftedTime.At("2026-03-12T13:21:00Z"));
        world.Ga4.Enqueue(500, 502, 500);
        await world.Scenario.AddAsync("stripe", "checkout.session.completed", Fixtures.Read("stripe/checkout-session-completed.json"));
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", PurchaseId))?.Ga4?.Status == Ga4Status.Sent, Within));
        await Task.Delay(500);

        Assert.Equal(1, world.Scenario.TikTok.AcceptedCount(WorkerDeliveryTests.FreeScheduleId));
        Assert.Equal(1, world.Scenario.TikTok.AcceptedCount(PurchaseId));
        Assert.Equal(1, world.Scenario.TikTok.Requests.Count(r => r.Events.Any(e => (string?)e["event_id"] == PurchaseId)));
        Assert.Equal(1, world.Ga4.AcceptedCount("generate_lead", ClientId));
        Assert.Equal(1, world.Ga4.AcceptedCount("purchase", ClientId));
        Assert.Equal(4, world.Ga4.Requests.Count(r => r.Parameter("transaction_id") == PurchaseId));
    }

    [Fact]
    public async Task A_visitor_without_a_GA_client_id_leaves_GA4_skipped_in_the_receipt_and_TikTok_sent()
    {
        await using var world = await Ga4World.CreateAsync(WorkerDeliveryTests.BookedAt);
        var vid = await world.VisitorAsync(clientId: null, sessionId: null);
        await using var worker = await world.Scenario.StartWorkerAsync();

        await world.Scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid));
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Status == ReceiptStatus.Sent, Within));

        var receipt = (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))!;
        Assert.Equal(Ga4Status.Skipped, receipt.Ga4!.Status);
        Assert.Contains("_ga", receipt.Ga4.Reason, StringComparison.Ordinal);
        Assert.Empty(world.Ga4.Requests);
        Assert.Contains("able_ga4_events_total{funnel=\"acme\",outcome=\"skipped\"} 1", await worker.MetricsTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_four_day_old_booking_goes_to_TikTok_but_is_recorded_as_too_old_for_GA4()
    {
        await using var world = await Ga4World.CreateAsync("2026-03-08T15:03:00Z");
        var vid = await world.VisitorAsync(ClientId, SessionId);
        await using var worker = await world.Scenario.StartWorkerAsync();

        await world.Scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid));
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Status == ReceiptStatus.Sent, Within));

        Assert.Equal(1, world.Scenario.TikTok.AcceptedCount(WorkerDeliveryTests.FreeScheduleId));
        var receipt = (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))!;
        Assert.Equal(Ga4Status.TooOld, receipt.Ga4!.Status);
        Assert.Contains("72 hours", receipt.Ga4.Reason, StringComparison.Ordinal);
        Assert.Empty(world.Ga4.Requests);
    }

    [Fact]
    public async Task Each_destination_keeps_its_own_age_limit_a_two_day_old_booking_too_old_for_TikTok_at_one_day_still_goes_to_GA4()
    {
        await using var world = await Ga4World.CreateAsync("2026-03-06T15:03:00Z");
        world.Scenario.Worker("MaxEventAgeDays", 1);
        var vid = await world.VisitorAsync(ClientId, SessionId);
        await using var worker = await world.Scenario.StartWorkerAsync();

        await world.Scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid));
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Ga4?.Status == Ga4Status.Sent, Within));

        var receipt = (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))!;
        Assert.Equal(ReceiptStatus.TooOld, receipt.Status);
        Assert.Empty(world.Scenario.TikTok.Requests);
        Assert.Equal(ClientId, (string?)Assert.Single(world.Ga4.Accepted).Body["client_id"]);
    }

    [Fact]
    public async Task A_booking_that_waits_for_its_late_join_is_sent_to_GA4_once_the_visitor_is_found()
    {
        await using var world = await Ga4World.CreateAsync(WorkerDeliveryTests.BookedAt, graceSeconds: 2);
        await using var worker = await world.Scenario.StartWorkerAsync();
        const string invitee = "33333333-cccc-4ccc-8ccc-333333333333";
        const string receiptId = $"schedule:{invitee}";
        await world.Scenario.AddAsync("calendly", "invitee.created", WorkerDeliveryTests.Untracked(invitee, "late.joiner@example.com"));
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", receiptId))?.Status == ReceiptStatus.WaitingForJoin, Within));
        Assert.Null((await worker.Receipts.GetAsync("acme", receiptId))!.Ga4);

        // The confirmation redirect arrives during the grace period: the invitee link names the visitor.
        var vid = await world.VisitorAsync(ClientId, SessionId);
        await world.Scenario.Db.StringSetAsync(world.Scenario.Keys.InviteeLink(invitee), vid);
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", receiptId))?.Ga4?.Status == Ga4Status.Sent, Within));
        Assert.Equal(ClientId, (string?)Assert.Single(world.Ga4.Accepted).Body["client_id"]);
        Assert.Equal(vid, (await worker.Receipts.GetAsync("acme", receiptId))!.VisitorId);
        Assert.Equal(1, world.Scenario.TikTok.AcceptedCount(receiptId));
    }

    [Fact]
    public async Task A_GA4_delivery_refused_for_good_is_a_GA4_dead_letter_whose_replay_sends_it_once_and_leaves_TikTok_alone()
    {
        await using var world = await Ga4World.CreateAsync(WorkerDeliveryTests.BookedAt);
        var vid = await world.VisitorAsync(ClientId, SessionId);
        world.Ga4.Enqueue(404);
        await using var worker = await world.Scenario.StartWorkerAsync();

        await world.Scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid));
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Ga4?.Status == Ga4Status.DeadLettered, Within));
        var letter = Assert.Single(await worker.DeadLetters.ReadAsync());
        Assert.Equal(DeadLetters.Ga4Destination, letter.Destination);
        Assert.StartsWith("ga4:G-TEST123456:Schedule:", letter.DeliveryId, StringComparison.Ordinal);
        Assert.Equal(404, letter.TikTokCode);
        Assert.Equal(ClientId, (string?)JsonNode.Parse(letter.Payload!)!["client_id"]);

        var replay = new DeadLetterReplay(
            worker.Services.GetRequiredService<IConnectionMultiplexer>(), world.Scenario.Keys, world.Scenario.Time,
            worker.Services.GetRequiredService<IOptionsMonitor<AbleOptions>>(), NullLogger<DeadLetterReplay>.Instance);
        Assert.Equal(ReplayResult.Queued, (await replay.ReplayAsync(letter.Id)).Result);
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Ga4?.Status == Ga4Status.Sent, Within));
        await Task.Delay(300);

        Assert.Single(world.Ga4.Accepted);
        Assert.Equal(1, world.Scenario.TikTok.AcceptedCount(WorkerDeliveryTests.FreeScheduleId));
        Assert.Single(world.Scenario.TikTok.Requests);
        Assert.Equal(ReceiptStatus.Sent, (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))!.Status);
    }

    [Fact]
    public async Task A_GA4_retry_whose_funnel_left_the_configuration_is_a_GA4_dead_letter_and_TikTok_stays_sent()
    {
        await using var world = await Ga4World.CreateAsync(WorkerDeliveryTests.BookedAt);
        var vid = await world.VisitorAsync(ClientId, SessionId);
        world.Ga4.Enqueue(500);
        world.Scenario.Worker("RetryBaseMilliseconds", 60_000);
        world.Scenario.Worker("RetryMaxMilliseconds", 60_000);
        await using (var first = await world.Scenario.StartWorkerAsync())
        {
            await world.Scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid));
            // TikTok's delivery is a job of its own, possibly claimed a pass later: both have had their first attempt.
            Assert.True(await Eventually.TrueAsync(async () => (await first.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId)) is
                { Status: ReceiptStatus.Sent, Ga4.Status: Ga4Status.Retrying }, Within));
        }

        // The operator renames the funnel while its GA4 delivery waits for the retry.
        world.Scenario.Config.Funnel["Mark"] = "renamed";
        await using var worker = await world.Scenario.StartWorkerAsync();
        world.Scenario.Time.JumpTo(world.Scenario.Time.GetUtcNow().AddMinutes(5));

        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Ga4?.Status == Ga4Status.DeadLettered, Within));
        var receipt = (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))!;
        Assert.Equal("the funnel is no longer configured", receipt.Ga4!.Reason);
        Assert.Equal(ReceiptStatus.Sent, receipt.Status);
        var letter = Assert.Single(await worker.DeadLetters.ReadAsync());
        Assert.Equal(DeadLetters.Ga4Destination, letter.Destination);
        Assert.Equal("acme", letter.Mark);
        Assert.Equal("the funnel is no longer configured", letter.Reason);
        Assert.Single(world.Ga4.Requests);
        Assert.Equal(1, world.Scenario.TikTok.AcceptedCount(WorkerDeliveryTests.FreeScheduleId));
        Assert.Equal(0, await world.Scenario.Db.SortedSetLengthAsync(world.Scenario.Keys.DeliverySchedule));
    }

    [Fact]
    public async Task The_API_secret_travels_only_in_the_request_to_GA4_never_in_any_log_line_or_stored_value()
    {
        await using var world = await Ga4World.CreateAsync(WorkerDeliveryTests.BookedAt);
        var vid = await world.VisitorAsync(ClientId, SessionId);
        world.Ga4.Enqueue(500);
        var logs = new CapturedLogs();
        await using var worker = await world.Scenario.StartWorkerAsync(logging: builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));

        await world.Scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid));
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Ga4?.Status == Ga4Status.Sent, Within));

        Assert.Equal(ApiSecret, world.Ga4.Accepted.Single().ApiSecret);
        // The HTTP client logs each request's URL (the secret is in its query string): those lines are there, without it.
        Assert.Contains(logs.Entries, e => e.Category.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal) && e.Text.Contains("/mp/collect", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Text.Contains("will be retried", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Text.Contains(ApiSecret, StringComparison.Ordinal));
        await foreach (var key in world.Scenario.Db.Multiplexer.GetServers()[0].KeysAsync(pattern: world.Scenario.Keys.Prefix + "*"))
        {
            Assert.DoesNotContain(ApiSecret, await RedisDump.TextAsync(world.Scenario.Db, key), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task More_GA4_deliveries_than_a_lease_can_send_are_given_back_and_each_is_still_sent_exactly_once()
    {
        await using var world = await Ga4World.CreateAsync(WorkerDeliveryTests.BookedAt);
        // A 2 s lease, 1 s request timeout: waves of 8 requests of 300 ms each, and a wave starts only while the lease
        // outlasts a timed-out request: most of 40 claimed deliveries are given back and sent in later passes.
        world.Ga4.Delay = TimeSpan.FromMilliseconds(300);
        var vid = await world.VisitorAsync(ClientId, SessionId);
        var logs = new CapturedLogs();
        await using var worker = await world.Scenario.StartWorkerAsync(logging: builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var invitees = Enumerable.Range(0, 40).Select(i => $"44444444-0000-4000-8000-{i:D12}").ToList();
        foreach (var invitee in invitees)
        {
            await world.Scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid)
                .Replace("c3e9d0f2-71aa-4b8e-8e25-4a6f0b9d2c71", invitee, StringComparison.Ordinal));
        }

        Assert.True(await Eventually.TrueAsync(async () =>
        {
            var outcomes = await Task.WhenAll(invitees.Select(i => worker.Receipts.GetAsync("acme", $"schedule:{i}")));
            return outcomes.All(r => r?.Ga4?.Status == Ga4Status.Sent);
        }, TimeSpan.FromSeconds(60)));
        await Task.Delay(500);

        // Each of the 40 was sent, and 40 requests were made: none twice.
        Assert.Equal(40, world.Ga4.Requests.Count);
        Assert.Contains(logs.Entries, e => e.Text.Contains("given back to the schedule", StringComparison.Ordinal));
        Assert.Equal(40, world.Scenario.TikTok.Accepted.Select(e => (string?)e["event_id"]).Distinct().Count());
        Assert.Equal(40, world.Scenario.TikTok.Accepted.Count);
    }

    /// <summary>A worker scenario whose funnel also sends to a fake GA4.</summary>
    private sealed class Ga4World : IAsyncDisposable
    {
        private Ga4World(WorkerScenario scenario, FakeGa4 ga4)
        {
            Scenario = scenario;
            Ga4 = ga4;
        }

        public WorkerScenario Scenario { get; }

        public FakeGa4 Ga4 { get; }

        public static async Task<Ga4World> CreateAsync(string pretendNow, int graceSeconds = 0)
        {
            var scenario = await WorkerScenario.CreateAsync(pretendNow, graceSeconds: graceSeconds);
            var ga4 = await FakeGa4.StartAsync();
            ga4.ExpectedApiSecret = ApiSecret;
            scenario.Config.Funnel["Ga4"] = new JsonObject { ["MeasurementId"] = MeasurementId, ["ApiSecret"] = ApiSecret };
            scenario.Worker("Ga4BaseUrl", ga4.BaseUrl.ToString());
            return new Ga4World(scenario, ga4);
        }

        /// <summary>A visitor who clicked an ad, with the GA cookies the gateway captured (or none).</summary>
        public async Task<string> VisitorAsync(string? clientId, string? sessionId)
        {
            var vid = VisitorId.New();
            await Scenario.AddVisitorAsync(vid, "E.C.P.ga4-" + vid[..6], WorkerDeliveryTests.ClickedAt, "203.0.113.40");
            if (clientId is not null)
            {
                await Scenario.Db.HashSetAsync(Scenario.Keys.Visitor(vid), VisitorFields.GaClientId, clientId);
            }

            if (sessionId is not null)
            {
                await Scenario.Db.HashSetAsync(Scenario.Keys.Visitor(vid), VisitorFields.GaSessionId, sessionId);
            }

            return vid;
        }

        public async ValueTask DisposeAsync()
        {
            await Ga4.DisposeAsync();
            await Scenario.DisposeAsync();
        }
    }
}
