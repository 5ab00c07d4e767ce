using Able.Attribution.Delivery;
using Able.Attribution.Identity;
using Able.Attribution.Receipts;
using Able.Attribution.Redis;
using Able.FunctionalTests.Infrastructure;
using Able.Tests;
using StackExchange.Redis;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// The worker against real Redis and a fake TikTok on real Kestrel: matching, classification, exactly-once
/// delivery and the receipts. The clock is real time moved to the fixtures' dates (March 2026).
/// </summary>
public sealed class WorkerDeliveryTests
{
    internal const string BookedAt = "2026-03-04T15:03:00Z";
    internal const string FreeScheduleId = "schedule:c3e9d0f2-71aa-4b8e-8e25-4a6f0b9d2c71";
    internal const string JaneEmail = "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d";
    internal const string JanePhone = "536afd523e19dc83fccba822ef5e4ca646111314aaf0aa286667c5bea18dd70b";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_booking_carrying_the_visitor_id_is_sent_once_with_the_click_and_a_later_Stripe_purchase_finds_the_same_click()
    {
        var redis = await RedisTestServer.GetAsync();
        await using var tikTok = await FakeTikTok.StartAsync();
        using var config = WorkerTestData.Config(redis.ConnectionString, tikTok);
        var keys = new RedisKeys(config.KeyPrefix);
        var db = redis.Multiplexer.GetDatabase();
        var time = new ShiftedTime(ShiftedTime.At(BookedAt));
        var vid = Able.Attribution.Visitors.VisitorId.New();
        await WorkerTestData.WriteVisitorAsync(db, keys, vid, "E.C.P.click-1", ShiftedTime.At("2026-03-04T14:50:00Z"), "203.0.113.10");
        await using var worker = await WorkerHost.StartAsync(config, time);

        for (var i = 0; i < 3; i++)
        {
            // Calendly delivers at least once: the same webhook three times.
            await WorkerTestData.AddIngestAsync(db, keys, "calendly", "acme", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid), time.GetUtcNow());
        }

        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", FreeScheduleId))?.Status == ReceiptStatus.Sent, Within));
        await Task.Delay(500); // let the duplicates run through
        var schedule = Assert.Single(tikTok.Accepted);
        Assert.Equal("Schedule", (string?)schedule["event"]);
        Assert.Equal(FreeScheduleId, (string?)schedule["event_id"]);
        Assert.Equal("E.C.P.click-1", (string?)schedule["user"]!["ttclid"]);
        Assert.Equal("203.0.113.10", (string?)schedule["user"]!["ip"]);
        Assert.StartsWith("Mozilla/5.0", (string?)schedule["user"]!["user_agent"], StringComparison.Ordinal);
        Assert.Equal(JaneEmail, (string?)schedule["user"]!["email"]![0]);
        Assert.Equal(JanePhone, (string?)schedule["user"]!["phone"]![0]);
        Assert.Equal(ContactHashing.HashExternalId(vid), (string?)schedule["user"]!["external_id"]![0]);
        Assert.Empty(tikTok.Violations);

        var receipt = (await worker.Receipts.GetAsync("acme", FreeScheduleId))!;
        Assert.Equal("carrier:salesforce_uuid", receipt.JoinPath);
        Assert.Equal(vid, receipt.VisitorId);
        Assert.Contains("ttclid", receipt.KeysSent);
        Assert.Equal(730, receipt.ClickAgeSeconds);
        Assert.NotNull(receipt.TikTokRequestId);
        Assert.Equal(0, receipt.TikTokCode);
        Assert.DoesNotContain("jane", receipt.ToJson(), StringComparison.OrdinalIgnoreCase);

        // The booking recorded Jane's email hash on the visitor; eight days later she pays through Stripe.
        Assert.Equal(vid, (string?)await db.StringGetAsync(keys.EmailLink(JaneEmail)));
        time.JumpTo(ShiftedTime.At("2026-03-12T13:21:00Z"));
        await WorkerTestData.AddIngestAsync(db, keys, "stripe", "acme", "checkout.session.completed", Fixtures.Read("stripe/checkout-session-completed.json"), time.GetUtcNow());

        const string purchaseId = "purchase:stripe:pi_3QcS0ZLkdIwHu7ix1AbCdEfG";
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(tikTok.AcceptedCount(purchaseId) == 1), Within));
        var purchase = tikTok.Accepted.Single(e => (string?)e["event_id"] == purchaseId);
        Assert.Equal("Purchase", (string?)purchase["event"]);
        Assert.Equal("E.C.P.click-1", (string?)purchase["user"]!["ttclid"]);
        Assert.Equal(1490m, purchase["properties"]!["value"]!.GetValue<decimal>());
        Assert.Equal("EUR", (string?)purchase["properties"]!["currency"]);
        Assert.Equal("email", (await worker.Receipts.GetAsync("acme", purchaseId))!.JoinPath);
        Assert.Equal(2, tikTok.Accepted.Count);
    }

    [Fact]
    public async Task A_reschedule_pair_is_not_a_second_Schedule_and_cancellations_and_no_shows_are_recorded_not_sent()
    {
        var redis = await RedisTestServer.GetAsync();
        await using var tikTok = await FakeTikTok.StartAsync();
        using var config = WorkerTestData.Config(redis.ConnectionString, tikTok);
        var keys = new RedisKeys(config.KeyPrefix);
        var db = redis.Multiplexer.GetDatabase();
        var time = new ShiftedTime(ShiftedTime.At("2026-03-07T09:30:00Z"));
        var vid = Able.Attribution.Visitors.VisitorId.New();
        await WorkerTestData.WriteVisitorAsync(db, keys, vid, "E.C.P.click-r", ShiftedTime.At("2026-03-04T14:50:00Z"), "203.0.113.11");
        await using var worker = await WorkerHost.StartAsync(config, time);

        foreach (var (type, fixture) in new[]
                 {
                     ("invitee.created", "invitee-created-free.json"),
                     ("invitee.canceled", "invitee-canceled-rescheduled.json"),
                     ("invitee.created", "invitee-created-rescheduled.json"),
                     ("invitee.canceled", "invitee-canceled.json"),
                     ("invitee_no_show.created", "invitee-no-show-created.json"),
                 })
        {
            await WorkerTestData.AddIngestAsync(db, keys, "calendly", "acme", type, Fixtures.Read($"calendly/{fixture}", vid), time.GetUtcNow());
        }

        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.ListAsync("acme", 10)).Count == 5
            && (await worker.Receipts.GetAsync("acme", FreeScheduleId))?.Status == ReceiptStatus.Sent, Within));
        await Task.Delay(300);
        Assert.Equal(FreeScheduleId, (string?)Assert.Single(tikTok.Accepted)["event_id"]);
        var recorded = (await worker.Receipts.ListAsync("acme", 10)).Where(r => r.Id != FreeScheduleId).ToList();
        Assert.All(recorded, r => Assert.Equal(ReceiptStatus.Recorded, r.Status));
        Assert.Contains(recorded, r => r.Reason!.Contains("no-show", StringComparison.Ordinal));
        Assert.Contains(recorded, r => r.Reason!.StartsWith("canceled", StringComparison.Ordinal));
        Assert.Equal(2, recorded.Count(r => r.Reason!.StartsWith("rescheduled", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_booking_without_the_carrier_waits_for_the_late_confirmation_and_simultaneous_bookings_keep_their_own_clicks()
    {
        var redis = await RedisTestServer.GetAsync();
        await using var tikTok = await FakeTikTok.StartAsync();
        using var config = WorkerTestData.Config(redis.ConnectionString, tikTok, graceSeconds: 3);
        var keys = new RedisKeys(config.KeyPrefix);
        var db = redis.Multiplexer.GetDatabase();
        var time = new ShiftedTime(ShiftedTime.At(BookedAt));
        var alice = Able.Attribution.Visitors.VisitorId.New();
        var bob = Able.Attribution.Visitors.VisitorId.New();
        await WorkerTestData.WriteVisitorAsync(db, keys, alice, "E.C.P.alice", ShiftedTime.At("2026-03-04T14:50:00Z"), "203.0.113.21");
        await WorkerTestData.WriteVisitorAsync(db, keys, bob, "E.C.P.bob", ShiftedTime.At("2026-03-04T14:51:00Z"), "203.0.113.22");
        await using var worker = await WorkerHost.StartAsync(config, time);

        // Two bookings at the same moment, neither carrying a visitor id (booked through a plain Calendly link).
        var aliceBooking = Untracked("11111111-aaaa-4aaa-8aaa-111111111111", "alice@example.com");
        var bobBooking = Untracked("22222222-bbbb-4bbb-8bbb-222222222222", "bob@example.com");
        await WorkerTestData.AddIngestAsync(db, keys, "calendly", "acme", "invitee.created", aliceBooking, time.GetUtcNow());
        await WorkerTestData.AddIngestAsync(db, keys, "calendly", "acme", "invitee.created", bobBooking, time.GetUtcNow());
        Assert.True(await Eventually.TrueAsync(async () =>
            (await worker.Receipts.GetAsync("acme", "schedule:11111111-aaaa-4aaa-8aaa-111111111111"))?.Status == ReceiptStatus.WaitingForJoin, Within));

        // Their confirmation redirects reach the gateway a second later, which links each invitee to its visitor.
        await Task.Delay(1000);
        Assert.Empty(tikTok.Requests);
        await db.StringSetAsync(keys.InviteeLink("22222222-bbbb-4bbb-8bbb-222222222222"), bob);
        await db.StringSetAsync(keys.InviteeLink("11111111-aaaa-4aaa-8aaa-111111111111"), alice);

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(tikTok.Accepted.Count == 2), Within));
        var byId = tikTok.Accepted.ToDictionary(e => (string)e["event_id"]!);
        Assert.Equal("E.C.P.alice", (string?)byId["schedule:11111111-aaaa-4aaa-8aaa-111111111111"]["user"]!["ttclid"]);
        Assert.Equal("203.0.113.21", (string?)byId["schedule:11111111-aaaa-4aaa-8aaa-111111111111"]["user"]!["ip"]);
        Assert.Equal("E.C.P.bob", (string?)byId["schedule:22222222-bbbb-4bbb-8bbb-222222222222"]["user"]!["ttclid"]);
        Assert.Equal("203.0.113.22", (string?)byId["schedule:22222222-bbbb-4bbb-8bbb-222222222222"]["user"]!["ip"]);
        var receipt = (await worker.Receipts.GetAsync("acme", "schedule:11111111-aaaa-4aaa-8aaa-111111111111"))!;
        Assert.Equal("invitee_link", receipt.JoinPath);
        Assert.Equal(ReceiptStatus.Sent, receipt.Status);
    }

    [Fact]
    public async Task An_unmatched_booking_is_sent_after_the_grace_period_with_hashed_contact_keys_only()
    {
        var redis = await RedisTestServer.GetAsync();
        await using var tikTok = await FakeTikTok.StartAsync();
        using var config = WorkerTestData.Config(redis.ConnectionString, tikTok, graceSeconds: 1);
        var keys = new RedisKeys(config.KeyPrefix);
        var db = redis.Multiplexer.GetDatabase();
        var time = new ShiftedTime(ShiftedTime.At(BookedAt));
        await using var worker = await WorkerHost.StartAsync(config, time);

        await WorkerTestData.AddIngestAsync(db, keys, "calendly", "acme", "invitee.created", Fixtures.Read("calendly/invitee-created-untracked.json"), time.GetUtcNow());

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(tikTok.Accepted.Count == 1), Within));
        var user = tikTok.Accepted[0]["user"]!.AsObject();
        Assert.Equal(["email", "phone"], user.Select(p => p.Key).Order());
        Assert.Equal("9f7ec22d72092cd3c0b58726ed9c2d91b92e51a3f29837508fb2948bb22dd2fd", (string?)user["phone"]![0]);
        var receipt = (await worker.Receipts.GetAsync("acme", "schedule:6c6c6c6c-6666-4666-8666-111111111111"))!;
        Assert.Null(receipt.JoinPath);
        Assert.Contains("no confirmation link", receipt.NoJoinReason, StringComparison.Ordinal);
        Assert.Empty(tikTok.Violations);
    }

    [Fact]
    public async Task Events_older_than_the_maximum_age_are_recorded_as_too_old_and_not_sent()
    {
        var redis = await RedisTestServer.GetAsync();
        await using var tikTok = await FakeTikTok.StartAsync();
        using var config = WorkerTestData.Config(redis.ConnectionString, tikTok);
        var keys = new RedisKeys(config.KeyPrefix);
        var db = redis.Multiplexer.GetDatabase();
        var time = new ShiftedTime(ShiftedTime.At("2026-03-20T00:00:00Z"));
        await using var worker = await WorkerHost.StartAsync(config, time);

        await WorkerTestData.AddIngestAsync(db, keys, "calendly", "acme", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json"), time.GetUtcNow());

        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", FreeScheduleId))?.Status == ReceiptStatus.TooOld, Within));
        Assert.Empty(tikTok.Requests);
    }

    [Fact]
    public async Task A_funnel_without_an_access_token_runs_dry_and_keeps_the_built_payload_in_the_receipt()
    {
        var redis = await RedisTestServer.GetAsync();
        await using var tikTok = await FakeTikTok.StartAsync();
        using var config = WorkerTestData.Config(redis.ConnectionString, tikTok, accessToken: null);
        var keys = new RedisKeys(config.KeyPrefix);
        var db = redis.Multiplexer.GetDatabase();
        var time = new ShiftedTime(ShiftedTime.At(BookedAt));
        var vid = Able.Attribution.Visitors.VisitorId.New();
        await WorkerTestData.WriteVisitorAsync(db, keys, vid, "E.C.P.dry", ShiftedTime.At("2026-03-04T14:50:00Z"), "203.0.113.30");
        await using var worker = await WorkerHost.StartAsync(config, time);

        await WorkerTestData.AddIngestAsync(db, keys, "calendly", "acme", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid), time.GetUtcNow());

        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", FreeScheduleId))?.Status == ReceiptStatus.DryRun, Within));
        var receipt = (await worker.Receipts.GetAsync("acme", FreeScheduleId))!;
        Assert.Equal("E.C.P.dry", (string?)receipt.Payload!["user"]!["ttclid"]);
        Assert.Equal(JaneEmail, (string?)receipt.Payload["user"]!["email"]![0]);
        Assert.Empty(tikTok.Requests);
    }

    internal static string Untracked(string inviteeUuid, string email) =>
        Fixtures.Read("calendly/invitee-created-untracked.json")
            .Replace("6c6c6c6c-6666-4666-8666-111111111111", inviteeUuid, StringComparison.Ordinal)
            .Replace("walk.in@example.net", email, StringComparison.Ordinal)
            .Replace("+1 (213) 373-4253", "", StringComparison.Ordinal);
}
