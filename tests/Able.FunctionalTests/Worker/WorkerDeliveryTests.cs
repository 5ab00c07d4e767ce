using Able.Attribution.Identity;
using Able.Attribution.Receipts;
using Able.Attribution.Visitors;
using Able.Schema.Identity;
using Able.Schema.Visitors;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// The worker against real Redis and a fake TikTok on real Kestrel: matching, classification, exactly-once
/// delivery and the receipts. The clock is real time moved to the fixtures' dates (March 2026).
/// </summary>
public sealed class WorkerDeliveryTests
{
    internal const string BookedAt = "2026-03-04T15:03:00Z";
    internal const string ClickedAt = "2026-03-04T14:50:00Z";
    internal const string FreeScheduleId = "schedule:c3e9d0f2-71aa-4b8e-8e25-4a6f0b9d2c71";
    internal const string JaneEmail = "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d";
    internal const string JanePhone = "536afd523e19dc83fccba822ef5e4ca646111314aaf0aa286667c5bea18dd70b";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_booking_carrying_the_visitor_id_is_sent_once_with_the_click_and_a_later_Stripe_purchase_finds_the_same_click()
    {
        await using var scenario = await WorkerScenario.CreateAsync(BookedAt);
        var vid = VisitorId.New();
        await scenario.AddVisitorAsync(vid, "E.C.P.click-1", ClickedAt, "203.0.113.10");
        await using var worker = await scenario.StartWorkerAsync();

        for (var i = 0; i < 3; i++)
        {
            // Calendly delivers at least once: the same webhook three times.
            await scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid));
        }

        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", FreeScheduleId))?.Status == ReceiptStatus.Sent, Within));
        await Task.Delay(500); // let the duplicates run through
        var schedule = Assert.Single(scenario.TikTok.Accepted);
        Assert.Equal("Schedule", (string?)schedule["event"]);
        Assert.Equal(FreeScheduleId, (string?)schedule["event_id"]);
        Assert.Equal("E.C.P.click-1", (string?)schedule["user"]!["ttclid"]);
        Assert.Equal("203.0.113.10", (string?)schedule["user"]!["ip"]);
        Assert.StartsWith("Mozilla/5.0", (string?)schedule["user"]!["user_agent"], StringComparison.Ordinal);
        Assert.Equal(JaneEmail, (string?)schedule["user"]!["email"]![0]);
        Assert.Equal(JanePhone, (string?)schedule["user"]!["phone"]![0]);
        Assert.Equal(ContactHashing.HashExternalId(vid), (string?)schedule["user"]!["external_id"]![0]);
        Assert.Empty(scenario.TikTok.Violations);

        var receipt = (await worker.Receipts.GetAsync("acme", FreeScheduleId))!;
        Assert.Equal("carrier:salesforce_uuid", receipt.JoinPath);
        Assert.Equal(vid, receipt.VisitorId);
        Assert.Contains("ttclid", receipt.KeysSent);
        Assert.Equal(730, receipt.ClickAgeSeconds);
        Assert.NotNull(receipt.TikTokRequestId);
        Assert.Equal(0, receipt.TikTokCode);
        Assert.DoesNotContain("jane", receipt.ToJson(), StringComparison.OrdinalIgnoreCase);

        // The booking recorded Jane's email hash on the visitor; eight days later she pays through Stripe.
        Assert.Equal(vid, (string?)await scenario.Db.StringGetAsync(scenario.Keys.EmailLink(JaneEmail)));
        scenario.Time.JumpTo(ShiftedTime.At("2026-03-12T13:21:00Z"));
        await scenario.AddAsync("stripe", "checkout.session.completed", Fixtures.Read("stripe/checkout-session-completed.json"));

        const string purchaseId = "purchase:stripe:pi_3QcS0ZLkdIwHu7ix1AbCdEfG";
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(scenario.TikTok.AcceptedCount(purchaseId) == 1), Within));
        var purchase = scenario.TikTok.Accepted.Single(e => (string?)e["event_id"] == purchaseId);
        Assert.Equal("Purchase", (string?)purchase["event"]);
        Assert.Equal("E.C.P.click-1", (string?)purchase["user"]!["ttclid"]);
        Assert.Equal(1490m, purchase["properties"]!["value"]!.GetValue<decimal>());
        Assert.Equal("EUR", (string?)purchase["properties"]!["currency"]);
        Assert.Equal("email", (await worker.Receipts.GetAsync("acme", purchaseId))!.JoinPath);
        Assert.Equal(2, scenario.TikTok.Accepted.Count);
    }

    [Fact]
    public async Task A_reschedule_pair_is_not_a_second_Schedule_and_cancellations_and_no_shows_are_recorded_not_sent()
    {
        await using var scenario = await WorkerScenario.CreateAsync("2026-03-07T09:30:00Z");
        var vid = VisitorId.New();
        await scenario.AddVisitorAsync(vid, "E.C.P.click-r", ClickedAt, "203.0.113.11");
        await using var worker = await scenario.StartWorkerAsync();

        foreach (var (type, fixture) in new[]
                 {
                     ("invitee.created", "invitee-created-free.json"),
                     ("invitee.canceled", "invitee-canceled-rescheduled.json"),
                     ("invitee.created", "invitee-created-rescheduled.json"),
                     ("invitee.canceled", "invitee-canceled.json"),
                     ("invitee_no_show.created", "invitee-no-show-created.json"),
                 })
        {
            await scenario.AddAsync("calendly", type, Fixtures.Read($"calendly/{fixture}", vid));
        }

        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.ListAsync("acme", 10)).Count == 5
            && (await worker.Receipts.GetAsync("acme", FreeScheduleId))?.Status == ReceiptStatus.Sent, Within));
        await Task.Delay(300);
        Assert.Equal(FreeScheduleId, (string?)Assert.Single(scenario.TikTok.Accepted)["event_id"]);
        var recorded = (await worker.Receipts.ListAsync("acme", 10)).Where(r => r.Id != FreeScheduleId).ToList();
        Assert.All(recorded, r => Assert.Equal(ReceiptStatus.Recorded, r.Status));
        Assert.Contains(recorded, r => r.Reason!.Contains("no-show", StringComparison.Ordinal));
        Assert.Contains(recorded, r => r.Reason!.StartsWith("canceled", StringComparison.Ordinal));
        Assert.Equal(2, recorded.Count(r => r.Reason!.StartsWith("rescheduled", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_booking_without_the_carrier_waits_for_the_late_confirmation_and_simultaneous_bookings_keep_their_own_clicks()
    {
        await using var scenario = await WorkerScenario.CreateAsync(BookedAt, graceSeconds: 3);
        var alice = VisitorId.New();
        var bob = VisitorId.New();
        await scenario.AddVisitorAsync(alice, "E.C.P.alice", ClickedAt, "203.0.113.21");
        await scenario.AddVisitorAsync(bob, "E.C.P.bob", "2026-03-04T14:51:00Z", "203.0.113.22");
        await using var worker = await scenario.StartWorkerAsync();

        // Two bookings at the same moment, neither carrying a visitor id (booked through a plain Calendly link).
        const string aliceInvitee = "11111111-aaaa-4aaa-8aaa-111111111111";
        const string bobInvitee = "22222222-bbbb-4bbb-8bbb-222222222222";
        await scenario.AddAsync("calendly", "invitee.created", Untracked(aliceInvitee, "alice@example.com"));
        await scenario.AddAsync("calendly", "invitee.created", Untracked(bobInvitee, "bob@example.com"));
        Assert.True(await Eventually.TrueAsync(async () =>
            (await worker.Receipts.GetAsync("acme", $"schedule:{aliceInvitee}"))?.Status == ReceiptStatus.WaitingForJoin, Within));

        // Their confirmation redirects reach the gateway a second later, which links each invitee to its visitor.
        await Task.Delay(1000);
        Assert.Empty(scenario.TikTok.Requests);
        await scenario.Db.StringSetAsync(scenario.Keys.InviteeLink(bobInvitee), bob);
        await scenario.Db.StringSetAsync(scenario.Keys.InviteeLink(aliceInvitee), alice);

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(scenario.TikTok.Accepted.Count == 2), Within));
        var byId = scenario.TikTok.Accepted.ToDictionary(e => (string)e["event_id"]!);
        Assert.Equal("E.C.P.alice", (string?)byId[$"schedule:{aliceInvitee}"]["user"]!["ttclid"]);
        Assert.Equal("203.0.113.21", (string?)byId[$"schedule:{aliceInvitee}"]["user"]!["ip"]);
        Assert.Equal("E.C.P.bob", (string?)byId[$"schedule:{bobInvitee}"]["user"]!["ttclid"]);
        Assert.Equal("203.0.113.22", (string?)byId[$"schedule:{bobInvitee}"]["user"]!["ip"]);
        Assert.True(await Eventually.TrueAsync(async () =>
            (await worker.Receipts.GetAsync("acme", $"schedule:{aliceInvitee}"))?.Status == ReceiptStatus.Sent, Within));
        Assert.Equal("invitee_link", (await worker.Receipts.GetAsync("acme", $"schedule:{aliceInvitee}"))!.JoinPath);
    }

    [Fact]
    public async Task An_unmatched_booking_is_sent_after_the_grace_period_with_hashed_contact_keys_only()
    {
        await using var scenario = await WorkerScenario.CreateAsync(BookedAt, graceSeconds: 1);
        await using var worker = await scenario.StartWorkerAsync();

        await scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-untracked.json"));

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(scenario.TikTok.Accepted.Count == 1), Within));
        var user = scenario.TikTok.Accepted[0]["user"]!.AsObject();
        Assert.Equal(["email", "phone"], user.Select(p => p.Key).Order());
        Assert.Equal("9f7ec22d72092cd3c0b58726ed9c2d91b92e51a3f29837508fb2948bb22dd2fd", (string?)user["phone"]![0]);
        var receipt = (await worker.Receipts.GetAsync("acme", "schedule:6c6c6c6c-6666-4666-8666-111111111111"))!;
        Assert.Null(receipt.JoinPath);
        Assert.Contains("no confirmation link", receipt.NoJoinReason, StringComparison.Ordinal);
        Assert.Empty(scenario.TikTok.Violations);
    }

    [Fact]
    public async Task Events_older_than_the_maximum_age_are_recorded_as_too_old_and_not_sent()
    {
        await using var scenario = await WorkerScenario.CreateAsync("2026-03-20T00:00:00Z");
        await using var worker = await scenario.StartWorkerAsync();

        await scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json"));

        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", FreeScheduleId))?.Status == ReceiptStatus.TooOld, Within));
        Assert.Empty(scenario.TikTok.Requests);
    }

    [Fact]
    public async Task A_funnel_without_an_access_token_runs_dry_and_keeps_the_built_payload_in_the_receipt()
    {
        await using var scenario = await WorkerScenario.CreateAsync(BookedAt, accessToken: null);
        var vid = VisitorId.New();
        await scenario.AddVisitorAsync(vid, "E.C.P.dry", ClickedAt, "203.0.113.30");
        await using var worker = await scenario.StartWorkerAsync();

        await scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid));

        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", FreeScheduleId))?.Status == ReceiptStatus.DryRun, Within));
        var receipt = (await worker.Receipts.GetAsync("acme", FreeScheduleId))!;
        Assert.Equal("E.C.P.dry", (string?)receipt.Payload!["user"]!["ttclid"]);
        Assert.Equal(JaneEmail, (string?)receipt.Payload["user"]!["email"]![0]);
        Assert.Empty(scenario.TikTok.Requests);
    }

    [Fact]
    public async Task A_conversions_api_item_passes_through_with_its_own_event_the_visitor_it_names_and_the_test_event_code()
    {
        await using var scenario = await WorkerScenario.CreateAsync("2026-03-12T13:21:00Z");
        scenario.Config.Funnel["TikTok"]!["TestEventCode"] = "TEST12345";
        var vid = VisitorId.New();
        await scenario.AddVisitorAsync(vid, "E.C.P.crm", "2026-03-10T08:00:00Z", "203.0.113.40");
        await using var worker = await scenario.StartWorkerAsync();

        await scenario.AddAsync("api", "CompleteRegistration", $$"""
            {"funnel":"acme","event":"CompleteRegistration","event_id":"crm-42","event_time":1773321600,
             "visitor_id":"{{vid}}","email":"JANE.DOE@example.com","external_id":"user_123","value":10,"currency":"EUR"}
            """);

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(scenario.TikTok.AcceptedCount("crm-42") == 1), Within));
        var request = Assert.Single(scenario.TikTok.Requests);
        Assert.Equal("TEST12345", (string?)request.Body["test_event_code"]);
        Assert.Equal("CTESTPIXEL0000000000", (string?)request.Body["event_source_id"]);
        var sent = Assert.Single(request.Events);
        Assert.Equal("CompleteRegistration", (string?)sent["event"]);
        Assert.Equal(1773321600, sent["event_time"]!.GetValue<long>());
        Assert.Equal("E.C.P.crm", (string?)sent["user"]!["ttclid"]);
        Assert.Contains("80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b", sent["user"]!["external_id"]!.AsArray().Select(n => (string?)n));
        Assert.Equal("carrier:visitor_id", (await worker.Receipts.GetAsync("acme", "crm-42"))!.JoinPath);
    }

    [Fact]
    public async Task Requests_never_carry_more_events_than_the_batch_size()
    {
        await using var scenario = await WorkerScenario.CreateAsync(BookedAt, graceSeconds: 1);
        scenario.Worker("BatchSize", 3);
        for (var i = 0; i < 7; i++)
        {
            await scenario.AddAsync("calendly", "invitee.created", Untracked($"33333333-0000-4000-8000-{i:D12}", $"batch{i}@example.com"));
        }

        await using var worker = await scenario.StartWorkerAsync();

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(scenario.TikTok.Accepted.Count == 7), Within));
        Assert.All(scenario.TikTok.Requests, r => Assert.InRange(r.Events.Count, 1, 3));
        Assert.True(scenario.TikTok.Requests.Count >= 3);
        var metrics = await worker.MetricsTextAsync();
        Assert.Contains("able_conversions_total{funnel=\"acme\",event=\"Schedule\",matched=\"false\"} 7", metrics, StringComparison.Ordinal);
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            var text = await worker.MetricsTextAsync();
            return text.Contains("able_retry_backlog 0", StringComparison.Ordinal) && text.Contains("able_stream_lag 0", StringComparison.Ordinal);
        }, Within));
    }

    internal static string Untracked(string inviteeUuid, string email) =>
        Fixtures.Read("calendly/invitee-created-untracked.json")
            .Replace("6c6c6c6c-6666-4666-8666-111111111111", inviteeUuid, StringComparison.Ordinal)
            .Replace("walk.in@example.net", email, StringComparison.Ordinal)
            .Replace("+1 (213) 373-4253", "", StringComparison.Ordinal);
}
