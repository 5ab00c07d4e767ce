using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Able.Attribution.Erasure;
using Able.Attribution.Identity;
using Able.Attribution.Journeys;
using Able.Attribution.Receipts;
using Able.Attribution.Signatures;
using Able.FunctionalTests.Capture;
using Able.FunctionalTests.Worker;
using Able.Schema.Identity;
using Able.Schema.Redis;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

using static Able.FunctionalTests.Worker.GatewayTraffic;

namespace Able.FunctionalTests.Admin;

/// <summary>
/// The GDPR/CCPA erasure end to end: a person captured by the gateway (an ad click, then the booking confirmation that
/// links their email), their booking and purchase through the attribution service (the purchase dead-lettered by TikTok),
/// then erased: no key name or value of any type holds their email or phone hash or their visitor id, plain or hashed,
/// while another person's data stays; a later booking by the same email is a new, unmatched person.
/// </summary>
public sealed partial class PersonErasureTests
{
    private const string JaneInvitee = "c3e9d0f2-71aa-4b8e-8e25-4a6f0b9d2c71";
    private const string PurchaseId = "purchase:stripe:pi_3QcS0ZLkdIwHu7ix1AbCdEfG";
    private const string JaneGaClientId = "987654321.1772630001";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task After_erasure_no_key_or_value_holds_the_persons_hashes_or_visitor_id_and_a_later_booking_is_unmatched()
    {
        await using var tikTok = await FakeTikTok.StartAsync();
        // TikTok refuses purchases for good: Jane's purchase ends as a dead letter.
        tikTok.Responder = events => events.Any(e => (string?)e["event"] == "Purchase") ? FakeReply.InvalidEvent("refused purchase") : FakeReply.Ok;
        // GA4 takes her booking and refuses her purchase for good (a GA4 dead letter too); it is sent her visitor id as user_id.
        await using var ga4 = await FakeGa4.StartAsync();
        ga4.Enqueue(204, 404);
        await using var env = await GatewayWithOrigin.StartAsync(config => Configure(config, tikTok, ga4));
        await using var attribution = await RunningService.StartAttributionAsync(env.Config);
        var keys = new RedisKeys(env.Config.KeyPrefix);
        var db = env.Redis.Multiplexer.GetDatabase();
        var receipts = attribution.Services.GetRequiredService<ReceiptStore>();

        // Jane: an ad click, the confirmation redirect linking her email and invitee, her booking carrying her visitor id.
        var vid = await ClickAsync(env, "E.C.P.erase", keys);
        // Her GA client id, as the gateway captures it from _ga.
        await db.HashSetAsync(keys.Visitor(vid), Able.Schema.Visitors.VisitorFields.GaClientId, JaneGaClientId);
        await ConfirmationAsync(env, vid, JaneInvitee, "Jane.Doe@Example.com");
        Assert.True(await Eventually.TrueAsync(async () => (string?)await db.StringGetAsync(keys.EmailLink(WorkerDeliveryTests.JaneEmail)) == vid, Within));
        Assert.Equal(HttpStatusCode.Accepted, await WebhookAsync(env, "calendly", Today(Fixtures.Read("calendly/invitee-created-free.json", vid)), "test-calendly-key"));
        Assert.True(await Eventually.TrueAsync(async () => (await receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Status == ReceiptStatus.Sent, Within));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var checkout = Fixtures.Read("stripe/checkout-session-completed.json").Replace("1773321600", now, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, await WebhookAsync(env, "stripe", checkout, "whsec_test"));
        Assert.True(await Eventually.TrueAsync(async () => (await receipts.GetAsync("acme", PurchaseId))?.Status == ReceiptStatus.DeadLettered, Within));
        Assert.True(await Eventually.TrueAsync(async () => (await receipts.GetAsync("acme", PurchaseId))?.Ga4?.Status == Able.Attribution.Ga4.Ga4Status.DeadLettered, Within));
        Assert.Equal(Able.Attribution.Ga4.Ga4Status.Sent, (await receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))!.Ga4!.Status);
        Assert.Equal(vid, (await receipts.GetAsync("acme", PurchaseId))!.VisitorId);

        // Someone else: their own click and an unmatched booking.
        var otherVid = await ClickAsync(env, "E.C.P.other", keys);
        const string otherInvitee = "12121212-0000-4000-8000-000000000001";
        var otherEmail = ContactHashing.HashEmail("other@example.com")!;
        Assert.Equal(HttpStatusCode.Accepted, await WebhookAsync(env, "calendly", Today(WorkerDeliveryTests.Untracked(otherInvitee, "other@example.com")), "test-calendly-key"));
        Assert.True(await Eventually.TrueAsync(async () => (await receipts.GetAsync("acme", $"schedule:{otherInvitee}"))?.Status == ReceiptStatus.Sent, Within));

        string[] forbidden = [WorkerDeliveryTests.JaneEmail, WorkerDeliveryTests.JanePhone, vid, ContactHashing.HashExternalId(vid)!, JaneGaClientId];
        var before = await DumpAsync(env.Redis, keys);
        // Each one is there before: the dump would see them.
        Assert.All(forbidden, value => Assert.Contains(before, item => item.Text.Contains(value, StringComparison.Ordinal)));
        Assert.Contains(before, item => item.Key == keys.DeadLetterStream.ToString());

        Assert.True(ContactKey.TryFromEmail(" JANE.DOE@example.com", out var jane, out _));
        var eraser = attribution.Services.GetRequiredService<PersonEraser>();
        var report = await eraser.EraseAsync(jane!);

        var after = await DumpAsync(env.Redis, keys);
        var found = (from item in after from value in forbidden where item.Text.Contains(value, StringComparison.Ordinal) select $"{value} in {item.Key}").ToList();
        Assert.True(found.Count == 0, "the erased person is still in Redis:\n" + string.Join('\n', found));
        Assert.Equal(1, report.Visitors);
        Assert.Equal(2, report.Receipts);
        Assert.Equal(2, report.DeadLetters);
        Assert.Equal(2, report.IngestEntries);
        Assert.True(report.IdentityLinks >= 3, $"email, phone and invitee links: {report.IdentityLinks}");
        Assert.Equal(0, report.PendingDeliveries);
        Assert.Null(await receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId));
        Assert.Null(await receipts.GetAsync("acme", PurchaseId));
        Assert.False(await db.KeyExistsAsync(keys.InviteeLink(JaneInvitee)));

        // The other person is untouched.
        Assert.True(await db.KeyExistsAsync(keys.Visitor(otherVid)));
        Assert.NotNull(await receipts.GetAsync("acme", $"schedule:{otherInvitee}"));
        Assert.True(await db.KeyExistsAsync(keys.EmailReceipts(otherEmail)));
        Assert.Contains(after, item => item.Key == keys.IngestStream.ToString() && item.Text.Contains(otherEmail, StringComparison.Ordinal));
        Assert.Equal(
            [$"schedule:{otherInvitee}"],
            (await attribution.Services.GetRequiredService<ReceiptQuery>().QueryAsync(new ReceiptFilter())).Page!.Items.Select(r => r.Id));

        // Erasing again finds nothing more.
        Assert.False((await eraser.EraseAsync(jane!)).RemovedAnything);

        // Jane books again (no visitor id on the link this time): a new person, matched to nothing.
        const string laterInvitee = "13131313-0000-4000-8000-000000000001";
        Assert.Equal(HttpStatusCode.Accepted, await WebhookAsync(env, "calendly", Today(WorkerDeliveryTests.Untracked(laterInvitee, "Jane.Doe@Example.com")), "test-calendly-key"));
        Assert.True(await Eventually.TrueAsync(async () => (await receipts.GetAsync("acme", $"schedule:{laterInvitee}"))?.Status == ReceiptStatus.Sent, Within));
        var later = (await receipts.GetAsync("acme", $"schedule:{laterInvitee}"))!;
        Assert.Null(later.JoinPath);
        Assert.Null(later.VisitorId);
        var journey = await attribution.Services.GetRequiredService<JourneyLookup>().FindAsync(jane!);
        Assert.Empty(journey.Visitors);
        Assert.Equal($"schedule:{laterInvitee}", Assert.Single(journey.UnmatchedConversions).Id);
        Assert.Empty(tikTok.Violations);
    }

    /// <summary>Every key under the test's prefix: its name and whole value, whatever its type (SCAN: a test, not a request path).</summary>
    private static async Task<List<(string Key, string Text)>> DumpAsync(RedisTestServer redis, RedisKeys keys)
    {
        var db = redis.Multiplexer.GetDatabase();
        var dump = new List<(string Key, string Text)>();
        foreach (var key in await redis.KeysAsync(keys.Prefix))
        {
            dump.Add((key, await RedisDump.TextAsync(db, key)));
        }

        return dump;
    }

    private static void Configure(TestConfig config, FakeTikTok tikTok, FakeGa4 ga4)
    {
        config.Able["Gateway"]!["AttributionUrl"] = (string)config.Able["Attribution"]!["PublicUrl"]!;
        config.Able["Worker"] = new JsonObject
        {
            ["TikTokBaseUrl"] = tikTok.BaseUrl.ToString(),
            ["FlushIntervalMilliseconds"] = 50,
            ["PollIntervalMilliseconds"] = 50,
            ["GracePeriodSeconds"] = 0,
            ["Ga4BaseUrl"] = ga4.BaseUrl.ToString(),
        };
        config.Funnel["Ga4"] = new JsonObject { ["MeasurementId"] = "G-ERASE12345", ["ApiSecret"] = "erasure-ga4-secret", ["SendUserId"] = true };
        config.Funnel["DefaultPhoneRegion"] = "DE";
        config.Funnel["TikTok"] = new JsonObject { ["PixelId"] = "CTESTPIXEL0000000000", ["AccessToken"] = "erasure-token" };
    }

}
