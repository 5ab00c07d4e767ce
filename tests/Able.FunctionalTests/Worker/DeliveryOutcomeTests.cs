using System.Text.Json.Nodes;
using Able.Attribution.Delivery;
using Able.Attribution.Receipts;
using Able.Attribution.Reports;
using Able.Schema.Visitors;
using Able.Supervision;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// What each way a delivery ends leaves behind, as the operator reads it: the receipt, the delivery ledger (that stops a
/// second send) with its expiry at the funnel's retention, the job gone from the schedule, the report counters and the
/// <c>able_*</c> metrics. Sent, dry run, refused for good, and a job whose funnel left the configuration.
/// </summary>
public sealed class DeliveryOutcomeTests
{
    private const string BookingId = "schedule:00000000-0000-4000-8000-0000000000d1";
    private const string DeliveryId = "CTESTPIXEL0000000000:Schedule:" + BookingId;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private static async Task<WorkerScenario> ScenarioAsync(string? accessToken = "test-token", int retentionDays = 3)
    {
        var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt, accessToken);
        scenario.Config.Funnel["RetentionDays"] = retentionDays;
        return scenario;
    }

    private static Task<StackExchange.Redis.RedisValue> AddBookingAsync(WorkerScenario scenario, string? visitorId = null) =>
        scenario.AddAsync("calendly", "invitee.created", visitorId is null
            ? WorkerDeliveryTests.Untracked(BookingId["schedule:".Length..], "outcome@example.com")
            : Fixtures.Read("calendly/invitee-created-free.json", visitorId).Replace(WorkerDeliveryTests.FreeScheduleId["schedule:".Length..], BookingId["schedule:".Length..], StringComparison.Ordinal));

    private static Task<bool> StatusAsync(WorkerHost worker, string status) =>
        Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", BookingId))?.Status == status, Within);

    private static StatsReader Reports(WorkerScenario scenario) => new(scenario.Db.Multiplexer, scenario.Keys, scenario.Time);

    /// <summary>How far after now (the pretend clock) the ledger entry of the delivery expires, in whole days.</summary>
    private static async Task<double> LedgerDaysLeftAsync(WorkerScenario scenario)
    {
        var expiresAt = await scenario.Db.SortedSetScoreAsync(scenario.Keys.DeliveryLedgerExpiry, DeliveryId);
        Assert.NotNull(expiresAt);
        return Math.Round(TimeSpan.FromMilliseconds(expiresAt.Value - scenario.Time.GetUtcNow().ToUnixTimeMilliseconds()).TotalDays);
    }

    private static async Task AssertLeftTheScheduleAsync(WorkerScenario scenario, string ledger)
    {
        Assert.Equal(ledger, (string?)await scenario.Db.StringGetAsync(scenario.Keys.DeliveryLedger(DeliveryId)));
        Assert.False(await scenario.Db.KeyExistsAsync(scenario.Keys.DeliveryJob(DeliveryId)));
        Assert.Equal(0, await scenario.Db.SortedSetLengthAsync(scenario.Keys.DeliverySchedule));
    }

    [Fact]
    public async Task A_sent_booking_is_recorded_as_sent_in_its_receipt_ledger_report_and_counters()
    {
        await using var scenario = await ScenarioAsync();
        var vid = VisitorId.New();
        await scenario.AddVisitorAsync(vid, "E.C.P.outcome", WorkerDeliveryTests.ClickedAt, "203.0.113.50");
        await using var worker = await scenario.StartWorkerAsync();
        await AddBookingAsync(scenario, vid);

        Assert.True(await StatusAsync(worker, ReceiptStatus.Sent));
        Assert.Equal(1, (await worker.Receipts.GetAsync("acme", BookingId))!.Attempts);
        await AssertLeftTheScheduleAsync(scenario, DeliveryStore.Sent);
        Assert.Equal(3, await LedgerDaysLeftAsync(scenario));

        var summary = await Reports(scenario).SummaryAsync("acme", 2);
        Assert.Equal(1, summary.Bookings);
        Assert.Equal(new Dictionary<string, long> { ["carrier:salesforce_uuid"] = 1 }, summary.JoinPaths);
        Assert.Equal(new Dictionary<string, long> { ["sent"] = 1 }, summary.Delivery);
        Assert.Equal(1, Assert.Single(await Reports(scenario).CampaignsAsync("acme", 2, TouchModel.First)).Matched);
        var metrics = await worker.MetricsTextAsync();
        Assert.Contains("able_tiktok_events_total{funnel=\"acme\",outcome=\"sent\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("able_conversions_total{funnel=\"acme\",event=\"Schedule\",matched=\"true\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_is_finished_like_a_send_with_its_own_status_reason_report_count_and_counter()
    {
        await using var scenario = await ScenarioAsync(accessToken: null);
        var logs = new CapturedLogs();
        await using var worker = await scenario.StartWorkerAsync(logging: builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        await AddBookingAsync(scenario);

        Assert.True(await StatusAsync(worker, ReceiptStatus.DryRun));
        var receipt = (await worker.Receipts.GetAsync("acme", BookingId))!;
        Assert.Equal("no TikTok access token: built, not sent", receipt.Reason);
        await AssertLeftTheScheduleAsync(scenario, DeliveryStore.DryRun);
        Assert.Equal(3, await LedgerDaysLeftAsync(scenario));
        Assert.Equal(new Dictionary<string, long> { ["dry_run"] = 1 }, (await Reports(scenario).SummaryAsync("acme", 2)).Delivery);
        Assert.Contains("able_tiktok_events_total{funnel=\"acme\",outcome=\"dry_run\"} 1", await worker.MetricsTextAsync(), StringComparison.Ordinal);
        // The log line shows the event as it would have gone out (hashed contact keys only).
        var line = Assert.Single(logs.Entries, e => e.Text.StartsWith("Dry run", StringComparison.Ordinal)).Text;
        Assert.Contains("\"event_id\":\"" + BookingId + "\"", line, StringComparison.Ordinal);
        Assert.DoesNotContain("outcome@example.com", line, StringComparison.Ordinal);
        Assert.Empty(scenario.TikTok.Requests);
    }

    [Fact]
    public async Task A_dry_run_funnel_without_a_pixel_id_keeps_its_deliveries_under_its_own_mark()
    {
        // Valid without an access token: the deliveries' dedup keys then name the funnel, so two such funnels never share one.
        await using var scenario = await ScenarioAsync(accessToken: null);
        scenario.Config.Funnel["TikTok"]!.AsObject().Remove("PixelId");
        await using var worker = await scenario.StartWorkerAsync();
        await AddBookingAsync(scenario);

        Assert.True(await StatusAsync(worker, ReceiptStatus.DryRun));
        Assert.Equal(DeliveryStore.DryRun, (string?)await scenario.Db.StringGetAsync(scenario.Keys.DeliveryLedger("funnel-acme:Schedule:" + BookingId)));
    }

    [Fact]
    public async Task A_send_refused_for_good_is_one_attempt_dead_lettered_counted_and_kept_for_the_funnel_retention()
    {
        await using var scenario = await ScenarioAsync();
        scenario.TikTok.Responder = _ => FakeReply.NoPermission;
        await using var worker = await scenario.StartWorkerAsync();
        await AddBookingAsync(scenario);

        Assert.True(await StatusAsync(worker, ReceiptStatus.DeadLettered));
        var receipt = (await worker.Receipts.GetAsync("acme", BookingId))!;
        Assert.Equal(1, receipt.Attempts);
        Assert.Equal(40001, receipt.TikTokCode);
        var letter = Assert.Single(await worker.DeadLetters.ReadAsync());
        Assert.Equal(1, JsonNode.Parse(letter.Job!)!["attempts"]!.GetValue<int>());
        await AssertLeftTheScheduleAsync(scenario, DeliveryStore.Dead);
        Assert.Equal(3, await LedgerDaysLeftAsync(scenario));
        var ttl = await scenario.Db.KeyTimeToLiveAsync(scenario.Keys.Receipt("acme", BookingId));
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(2.9), TimeSpan.FromDays(3));

        var summary = await Reports(scenario).SummaryAsync("acme", 2);
        Assert.Equal(new Dictionary<string, long> { ["dead_lettered"] = 1 }, summary.Delivery);
        Assert.Equal(1, summary.DeadLetters);
        Assert.Contains("able_tiktok_events_total{funnel=\"acme\",outcome=\"dead_lettered\"} 1", await worker.MetricsTextAsync(), StringComparison.Ordinal);
        Assert.Single(scenario.TikTok.Requests);
    }

    [Fact]
    public async Task A_retrying_job_whose_funnel_left_the_configuration_is_dead_lettered_under_its_own_funnel_not_sent()
    {
        await using var scenario = await ScenarioAsync();
        scenario.TikTok.Responder = _ => FakeReply.ServerError;
        scenario.Worker("RetryBaseMilliseconds", 60_000);
        scenario.Worker("RetryMaxMilliseconds", 60_000);
        await using (var first = await scenario.StartWorkerAsync())
        {
            await AddBookingAsync(scenario);
            Assert.True(await StatusAsync(first, ReceiptStatus.Retrying));
        }

        // The operator renames the funnel (or removes it) while the booking waits for its retry.
        scenario.Config.Funnel["Mark"] = "renamed";
        scenario.TikTok.Responder = _ => FakeReply.Ok;
        await using var worker = await scenario.StartWorkerAsync();
        scenario.Time.JumpTo(scenario.Time.GetUtcNow().AddMinutes(5));

        Assert.True(await StatusAsync(worker, ReceiptStatus.DeadLettered));
        Assert.Equal("the funnel is no longer configured", (await worker.Receipts.GetAsync("acme", BookingId))!.Reason);
        var letter = Assert.Single(await worker.DeadLetters.ReadAsync());
        Assert.Equal("acme", letter.Mark);
        Assert.Equal("the funnel is no longer configured", letter.Reason);
        Assert.Equal(DeadLetters.TikTokDestination, letter.Destination);
        await AssertLeftTheScheduleAsync(scenario, DeliveryStore.Dead);
        Assert.Equal(90, await LedgerDaysLeftAsync(scenario)); // no funnel retention to go by: the default
        Assert.Contains("able_tiktok_events_total{funnel=\"acme\",outcome=\"dead_lettered\"} 1", await worker.MetricsTextAsync(), StringComparison.Ordinal);
        Assert.Single(scenario.TikTok.Requests);
        // The pass that gave it up went on as usual: no outage, and the delivery loop did not stop the worker.
        Assert.Empty(worker.Services.GetRequiredService<LoopHealth>().Outages);
        Assert.False(worker.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
    }

    [Fact]
    public async Task A_late_joined_booking_built_by_a_replica_stopped_before_its_send_is_sent_as_built_by_the_next_replica()
    {
        // Booked without the carrier: the job waits without an event until the confirmation link joins it to its visitor.
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt, graceSeconds: 2);
        var vid = VisitorId.New();
        await scenario.AddVisitorAsync(vid, "E.C.P.late", WorkerDeliveryTests.ClickedAt, "203.0.113.52");
        var stop = new StopAt(Able.Attribution.Worker.WorkerCheckpoints.BeforeSend);
        var first = await scenario.StartWorkerAsync(stop);
        await AddBookingAsync(scenario);
        Assert.True(await StatusAsync(first, ReceiptStatus.WaitingForJoin));
        await scenario.Db.StringSetAsync(scenario.Keys.InviteeLink(BookingId["schedule:".Length..]), vid);
        await using var second = await TakeOverWithoutTheVisitorAsync(scenario, first, stop, vid);

        Assert.True(await StatusAsync(second, ReceiptStatus.Sent));
        Assert.Equal("E.C.P.late", (string?)Assert.Single(scenario.TikTok.Accepted)["user"]!["ttclid"]);
        Assert.Equal("invitee_link", (await second.Receipts.GetAsync("acme", BookingId))!.JoinPath);
    }

    [Fact]
    public async Task A_replica_stopped_before_its_send_leaves_the_built_event_stored_and_the_next_replica_sends_that_event()
    {
        await using var scenario = await ScenarioAsync();
        var vid = VisitorId.New();
        await scenario.AddVisitorAsync(vid, "E.C.P.built", WorkerDeliveryTests.ClickedAt, "203.0.113.51");
        var stop = new StopAt(Able.Attribution.Worker.WorkerCheckpoints.BeforeSend);
        var first = await scenario.StartWorkerAsync(stop);
        await AddBookingAsync(scenario, vid);
        await using var second = await TakeOverWithoutTheVisitorAsync(scenario, first, stop, vid);

        Assert.True(await StatusAsync(second, ReceiptStatus.Sent));
        var sent = Assert.Single(scenario.TikTok.Accepted);
        Assert.Equal("E.C.P.built", (string?)sent["user"]!["ttclid"]);
        Assert.Equal(vid, (await second.Receipts.GetAsync("acme", BookingId))!.VisitorId);
    }

    /// <summary>
    /// Stops <paramref name="first"/> once it holds the built event before its send, deletes the visitor's data (erased,
    /// or expired) and starts another replica: the event that replica sends is the one built and recorded in the receipt,
    /// with the click, not one built again without it.
    /// </summary>
    private static async Task<WorkerHost> TakeOverWithoutTheVisitorAsync(WorkerScenario scenario, WorkerHost first, StopAt stop, string visitorId)
    {
        await stop.Reached.Task.WaitAsync(Within);
        await first.DisposeAsync();
        await scenario.Db.KeyDeleteAsync(scenario.Keys.Visitor(visitorId));
        scenario.Worker("ConsumerName", "w2");
        return await scenario.StartWorkerAsync();
    }
}
