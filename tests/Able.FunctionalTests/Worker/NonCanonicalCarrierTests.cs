using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Able.Attribution.Receipts;
using Able.Attribution.Visitors;
using Able.FunctionalTests.Ingress;
using Able.Schema.Redis;
using Able.Schema.Visitors;
using Microsoft.Extensions.DependencyInjection;

namespace Able.FunctionalTests.Worker;

/// <summary>
/// A signed booking whose carrier is 22 base64url characters with non-zero spare bits (not an id the gateway issued): accepted,
/// then resolved as "no carrier match" and joined by the next path, never a worker failure on every reclaim.
/// </summary>
public sealed partial class NonCanonicalCarrierTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_booking_carrying_a_non_canonical_visitor_id_falls_through_to_the_email_join_and_gets_its_receipt()
    {
        await using var tikTok = await FakeTikTok.StartAsync();
        var prefix = "";
        await using var harness = await IngressHarness.StartAsync(able =>
        {
            prefix = (string)able["Redis"]!["KeyPrefix"]!;
            able["Worker"] = new JsonObject
            {
                ["TikTokBaseUrl"] = tikTok.BaseUrl.ToString(),
                ["FlushIntervalMilliseconds"] = 50,
                ["PollIntervalMilliseconds"] = 50,
                ["GracePeriodSeconds"] = 0,
            };
            var funnel = able["Funnels"]![0]!;
            funnel["DefaultPhoneRegion"] = "DE";
            funnel["TikTok"] = new JsonObject { ["PixelId"] = "CTESTPIXEL0000000000", ["AccessToken"] = "carrier-token" };
        });
        var keys = new RedisKeys(prefix);
        var db = harness.Redis.GetDatabase();
        // Jane clicked an ad earlier and her email hash is linked to that visitor.
        var jane = VisitorId.New();
        await WorkerTestData.WriteVisitorAsync(db, keys, jane, "E.C.P.jane", DateTimeOffset.UtcNow.AddMinutes(-10), "203.0.113.60");
        await db.StringSetAsync(keys.EmailLink(WorkerDeliveryTests.JaneEmail), jane);

        var booking = Today(Fixtures.Read("calendly/invitee-created-free.json", "AAAAAAAAAAAAAAAAAAAAAB"));
        using var response = await harness.SendAsync(IngressHarness.Webhook("calendly", "acme", System.Text.Encoding.UTF8.GetBytes(booking)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var receipts = harness.Service.Services.GetRequiredService<ReceiptStore>();
        Assert.True(await Eventually.TrueAsync(async () =>
            (await receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Status == ReceiptStatus.Sent, Within));
        var receipt = (await receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))!;
        Assert.Equal("email", receipt.JoinPath);
        Assert.Equal(jane, receipt.VisitorId);
        Assert.Equal("E.C.P.jane", (string?)Assert.Single(tikTok.Accepted)["user"]!["ttclid"]);
        Assert.True(await Eventually.TrueAsync(async () =>
            (await db.StreamPendingAsync(keys.IngestStream, RedisKeys.WorkerGroup)).PendingMessageCount == 0, Within));
    }

    /// <summary>The fixture's March 2026 timestamps moved to now (the service runs on the system clock).</summary>
    private static string Today(string fixture) =>
        FixtureTime().Replace(fixture, DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));

    [GeneratedRegex(@"2026-03-0\dT\d\d:\d\d:\d\d(\.\d+)?Z")]
    private static partial Regex FixtureTime();
}
