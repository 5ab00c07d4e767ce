using System.Globalization;
using System.Net;
using Able.Attribution.Reports;
using Able.Attribution.Worker;
using Able.FunctionalTests.Capture;
using Able.FunctionalTests.Worker;
using Able.Schema.Redis;
using Able.Schema.Stats;
using Able.Schema.Visitors;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Able.FunctionalTests.Reports;

/// <summary>
/// The report counters through the real pipeline: visits captured by the gateway from real requests, Calendly and Stripe
/// webhooks through the gateway to the attribution service, the worker delivering to a fake TikTok; then
/// <see cref="StatsReader"/> must show exactly what was seeded, under both touch models.
/// </summary>
public sealed class FunnelStatsTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Summary_and_campaign_report_equal_the_visits_bookings_and_purchases_sent_through_the_pipeline()
    {
        await using var tikTok = await FakeTikTok.StartAsync();
        await using var env = await GatewayWithOrigin.StartAsync(config => FullPathTests.Configure(config, tikTok, graceSeconds: 0));
        await using var attribution = await RunningService.StartAttributionAsync(env.Config);
        var reader = new StatsReader(env.Redis.Multiplexer, new RedisKeys(env.Config.KeyPrefix), TimeProvider.System);

        // Jane lands from a TikTok ad, comes back later from a newsletter; someone else comes from a search ad.
        var jane = await VisitAsync(env, "ttclid=E.C.P.jane&utm_source=tiktok&utm_campaign=spring%7Csale&utm_content=video-a", visitor: null);
        await VisitAsync(env, "utm_source=newsletter&utm_campaign=may", jane);
        await VisitAsync(env, "utm_source=google&utm_campaign=search", visitor: null);
        Assert.True(await Eventually.TrueAsync(async () => (await reader.SummaryAsync("acme", 2)).Visits == 3, Within));

        // Jane books (the link carried her visitor id) and pays through Stripe (found by her email); a walk-in books and
        // Kenji pays in yen, neither known to the gateway.
        Assert.Equal(HttpStatusCode.Accepted, await GatewayTraffic.WebhookAsync(env, "calendly",
            GatewayTraffic.Today(Fixtures.Read("calendly/invitee-created-free.json", jane)), "test-calendly-key"));
        Assert.Equal(HttpStatusCode.Accepted, await GatewayTraffic.WebhookAsync(env, "calendly",
            GatewayTraffic.Today(WorkerDeliveryTests.Untracked("66666666-cccc-4ccc-8ccc-666666666666", "walk.in@example.org")), "test-calendly-key"));
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(tikTok.Accepted.Count == 2), Within));
        Assert.Equal(HttpStatusCode.Accepted, await GatewayTraffic.WebhookAsync(env, "stripe", Now(Fixtures.Read("stripe/checkout-session-completed.json")), "whsec_test"));
        Assert.Equal(HttpStatusCode.Accepted, await GatewayTraffic.WebhookAsync(env, "stripe", Now(Fixtures.Read("stripe/checkout-session-completed-jpy.json")), "whsec_test"));
        Assert.True(await Eventually.TrueAsync(async () => (await reader.SummaryAsync("acme", 2)).Delivery.GetValueOrDefault("sent") == 4, Within));

        // Two days, so a test that runs over midnight (UTC) sees the same totals.
        var summary = await reader.SummaryAsync("acme", 2);
        Assert.Equal(3, summary.Visits);
        Assert.Equal(2, summary.NewVisitors);
        Assert.Equal(1, summary.TikTokClicks);
        Assert.Equal(2, summary.Bookings);
        Assert.Equal(2, summary.Purchases);
        Assert.Equal(new Dictionary<string, decimal> { ["EUR"] = 1490m, ["JPY"] = 15000m }, summary.Revenue);
        Assert.Equal(new Dictionary<string, long> { ["carrier:salesforce_uuid"] = 1, ["email"] = 1, ["none"] = 2 }, summary.JoinPaths);
        Assert.Equal(0.5, summary.MatchRate);
        Assert.Equal(new Dictionary<string, long> { ["sent"] = 4 }, summary.Delivery);
        Assert.Equal(0, summary.DeadLetters);
        Assert.Equal("stripe", summary.LastWebhookSource);
        Assert.InRange(summary.LastWebhookAt!.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);
        Assert.Equal(2, summary.Daily.Count);
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow), summary.Daily[^1].Day);
        Assert.Equal(summary.Daily[^1].Day.AddDays(-1), summary.Daily[0].Day);
        Assert.Equal(3, summary.Daily.Sum(d => d.Visits));
        Assert.Equal(2, summary.Daily.Sum(d => d.Bookings));
        Assert.Equal(1490m, summary.Daily.Sum(d => d.Revenue.GetValueOrDefault("EUR")));

        // First touch: Jane's ad gets her booking and purchase, both sent with its click id.
        var tikTokAd = new CampaignRow { Source = "tiktok", Campaign = "spring|sale", Content = "video-a", TikTokClick = true };
        var newsletter = new CampaignRow { Source = "newsletter", Campaign = "may", Content = "" };
        var search = new CampaignRow { Source = "google", Campaign = "search", Content = "", Visits = 1 };
        var unattributed = new CampaignRow { Source = "", Campaign = "", Content = "", Unattributed = true, Bookings = 1, Purchases = 1, Revenue = Money("JPY", 15000m) };
        AssertRows(
            [
                tikTokAd with { Visits = 1, Bookings = 1, Purchases = 1, Revenue = Money("EUR", 1490m), Matched = 2 },
                unattributed,
                search,
                newsletter with { Visits = 1 },
            ],
            await reader.CampaignsAsync("acme", 2, TouchModel.First));

        // Last touch: the newsletter she came back from gets them.
        AssertRows(
            [
                newsletter with { Visits = 1, Bookings = 1, Purchases = 1, Revenue = Money("EUR", 1490m), Matched = 2 },
                unattributed,
                search,
                tikTokAd with { Visits = 1 },
            ],
            await reader.CampaignsAsync("acme", 2, TouchModel.Last));

        var csv = StatsReader.ToCsv(await reader.CampaignsAsync("acme", 2, TouchModel.First));
        Assert.StartsWith("row,utm_source,utm_campaign,utm_content,ttclid,visits,bookings,purchases,revenue_EUR,revenue_JPY,matched,matched_share\r\n" +
            "campaign,tiktok,spring|sale,video-a,yes,1,1,1,1490,0,2,1\r\n", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_entry_processed_again_a_duplicate_webhook_and_a_delivery_recorded_again_count_nothing_twice()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        var vid = VisitorId.New();
        await scenario.AddVisitorAsync(vid, "E.C.P.once", WorkerDeliveryTests.ClickedAt, "203.0.113.30");
        var reader = new StatsReader(scenario.Db.Multiplexer, scenario.Keys, scenario.Time);
        var booking = Fixtures.Read("calendly/invitee-created-free.json", vid);
        await scenario.AddAsync("calendly", "invitee.created", booking);

        // The first replica processes the entry and stops before it sends.
        var beforeSend = new StopAt(WorkerCheckpoints.BeforeSend);
        var first = await scenario.StartWorkerAsync(beforeSend);
        await beforeSend.Reached.Task.WaitAsync(Within);
        Assert.Equal(1, (await reader.SummaryAsync("acme", 1)).Bookings);
        // The same entry processed again, as after a crash before its XACK or a reclaim by another replica: its delivery is
        // still reserved for it, so it is resolved, built and counted again.
        var entry = Assert.Single(await scenario.Db.StreamRangeAsync(scenario.Keys.IngestStream));
        Assert.Equal("queued", await first.Services.GetRequiredService<IngestEntryProcessor>().ProcessAsync(entry));
        await first.DisposeAsync();

        // Another replica takes the delivery over and sends it; then its outcome is recorded again, as after Redis failed
        // right after TikTok accepted; then Calendly delivers the same webhook again (a duplicate).
        await using var second = await scenario.StartWorkerAsync();
        Assert.True(await Eventually.TrueAsync(async () =>
            (await second.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Status == "sent", Within));
        var receipt = (await second.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))!;
        await second.Services.GetRequiredService<StatsRecorder>().DeliveredAsync([(receipt, TimeSpan.FromDays(90))], "sent");
        await scenario.AddAsync("calendly", "invitee.created", booking);
        Assert.True(await Eventually.TrueAsync(async () => (await reader.SummaryAsync("acme", 1)).Delivery.ContainsKey("duplicate"), Within));

        var summary = await reader.SummaryAsync("acme", 1);
        Assert.Equal(1, summary.Bookings);
        Assert.Equal(new Dictionary<string, long> { ["carrier:salesforce_uuid"] = 1 }, summary.JoinPaths);
        Assert.Equal(new Dictionary<string, long> { ["sent"] = 1, ["duplicate"] = 1 }, summary.Delivery);
        foreach (var model in new[] { TouchModel.First, TouchModel.Last })
        {
            var row = Assert.Single(await reader.CampaignsAsync("acme", 1, model));
            Assert.Equal((true, 1L, 1L), (row.TikTokClick, row.Bookings, row.Matched));
        }

        Assert.Single(scenario.TikTok.Accepted);
    }

    [Fact]
    public async Task A_retried_delivery_counts_each_attempt_once_and_a_dead_letter_is_counted_with_its_outcome()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        var vid = VisitorId.New();
        await scenario.AddVisitorAsync(vid, "E.C.P.retry", WorkerDeliveryTests.ClickedAt, "203.0.113.31");
        // The first attempt fails with a server error and is retried; the second booking is refused for good.
        scenario.TikTok.Responder = events => events.Any(e => ((string?)e["event_id"])!.EndsWith("dead", StringComparison.Ordinal))
            ? FakeReply.NoPermission
            : scenario.TikTok.Requests.IsEmpty ? FakeReply.ServerError : FakeReply.Ok;
        await using var worker = await scenario.StartWorkerAsync();
        var reader = new StatsReader(scenario.Db.Multiplexer, scenario.Keys, scenario.Time);

        await scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid));
        Assert.True(await Eventually.TrueAsync(async () =>
            (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Status == "sent", Within));
        await scenario.AddAsync("calendly", "invitee.created",
            WorkerDeliveryTests.Untracked("77777777-dddd-4ddd-8ddd-77777777dead", "refused@example.org"));
        Assert.True(await Eventually.TrueAsync(async () => (await reader.SummaryAsync("acme", 1)).DeadLetters == 1, Within));

        var summary = await reader.SummaryAsync("acme", 1);
        Assert.Equal(2, summary.Bookings);
        Assert.Equal(new Dictionary<string, long> { ["retry"] = 1, ["sent"] = 1, ["dead_lettered"] = 1 }, summary.Delivery);
        Assert.Equal(1, summary.DeadLetters);
        Assert.Equal(new Dictionary<string, long> { ["carrier:salesforce_uuid"] = 1, ["none"] = 1 }, summary.JoinPaths);
    }

    [Fact]
    public async Task Campaigns_past_the_days_cap_are_counted_in_the_other_row_and_the_hash_stops_growing()
    {
        await using var tikTok = await FakeTikTok.StartAsync();
        await using var env = await GatewayWithOrigin.StartAsync(config => FullPathTests.Configure(config, tikTok, graceSeconds: 0));
        var keys = new RedisKeys(env.Config.KeyPrefix);
        var reader = new StatsReader(env.Redis.Multiplexer, keys, TimeProvider.System);
        var today = StatsUpdate.Day(DateTimeOffset.UtcNow);

        // A flood of made-up campaigns fills today's rows (one script call of the capture writer's kind), one more than the cap.
        var flood = new StatsUnit();
        for (var i = 0; i <= CampaignRows.MaxRowsPerDay; i++)
        {
            flood.AddToRow(CampaignRows.Encode(new CampaignKey("spam", $"random-{i}", "", TikTokClick: false)), CampaignRows.Visits);
        }

        await StatsUpdate.ApplyAsync(env.Redis.Multiplexer.GetDatabase(), keys, "acme", today, [flood], TimeSpan.Zero);

        // Real visits: a campaign already in the day's rows keeps its own row, a new one goes to "(other)".
        await VisitAsync(env, "utm_source=spam&utm_campaign=random-7", visitor: null);
        await VisitAsync(env, "utm_source=tiktok&utm_campaign=late-comer", visitor: null);
        Assert.True(await Eventually.TrueAsync(async () => (await reader.SummaryAsync("acme", 1)).Visits == 2, Within));

        var rows = await reader.CampaignsAsync("acme", 1, TouchModel.First);
        Assert.Equal(CampaignRows.MaxRowsPerDay + 1, rows.Count);
        Assert.Equal(2, rows.Single(r => r.Overflow).Visits);
        Assert.Equal("(other)", rows.Single(r => r.Overflow).Campaign);
        Assert.Equal(2, rows.Single(r => r.Campaign == "random-7").Visits);
        Assert.DoesNotContain(rows, r => r.Campaign == "late-comer" || r.Campaign == $"random-{CampaignRows.MaxRowsPerDay}");
        var campaigns = keys.CampaignStats("acme", today);
        var db = env.Redis.Multiplexer.GetDatabase();
        Assert.Equal(CampaignRows.MaxRowsPerDay + 2, await db.HashLengthAsync(campaigns));
        Assert.Equal(CampaignRows.MaxRowsPerDay, (long)await db.HashGetAsync(campaigns, CampaignRows.RowCountField));
        Assert.InRange((await db.KeyTimeToLiveAsync(campaigns))!.Value, TimeSpan.FromDays(399), TimeSpan.FromDays(400));
    }

    [Fact]
    public async Task Days_outside_1_to_400_are_refused()
    {
        var redis = await RedisTestServer.GetAsync();
        var reader = new StatsReader(redis.Multiplexer, new RedisKeys("stats-days:"), TimeProvider.System);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => reader.SummaryAsync("acme", 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => reader.SummaryAsync("acme", 401));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => reader.CampaignsAsync("acme", -1, TouchModel.Last));
        var empty = await reader.SummaryAsync("acme", 400);
        Assert.Equal(400, empty.Daily.Count);
        Assert.All(empty.Daily, day => Assert.Equal(0, day.Visits));
        Assert.Null(empty.LastWebhookAt);
    }

    /// <summary>A page view on the funnel host; returns the visitor id (the cookie the gateway set, or the one sent).</summary>
    private static async Task<string> VisitAsync(GatewayWithOrigin env, string query, string? visitor)
    {
        using var request = GatewayTraffic.Navigation(env, "/book?" + query, visitor);
        using var response = await env.Gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        if (visitor is not null)
        {
            return visitor;
        }

        var cookie = response.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("able_vid=", StringComparison.Ordinal));
        return cookie["able_vid=".Length..cookie.IndexOf(';', StringComparison.Ordinal)];
    }

    private static string Now(string stripeFixture)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return stripeFixture.Replace("1773321600", now, StringComparison.Ordinal).Replace("1773321590", now, StringComparison.Ordinal);
    }

    private static Dictionary<string, decimal> Money(string currency, decimal amount) => new() { [currency] = amount };

    private static void AssertRows(IReadOnlyList<CampaignRow> expected, IReadOnlyList<CampaignRow> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(
                (expected[i].Source, expected[i].Campaign, expected[i].Content, expected[i].TikTokClick, expected[i].Unattributed, expected[i].Overflow),
                (actual[i].Source, actual[i].Campaign, actual[i].Content, actual[i].TikTokClick, actual[i].Unattributed, actual[i].Overflow));
            Assert.Equal((expected[i].Visits, expected[i].Bookings, expected[i].Purchases, expected[i].Matched), (actual[i].Visits, actual[i].Bookings, actual[i].Purchases, actual[i].Matched));
            Assert.Equal(expected[i].Revenue, actual[i].Revenue);
        }
    }
}
