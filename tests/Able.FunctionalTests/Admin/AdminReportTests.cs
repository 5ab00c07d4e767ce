using System.Net;
using System.Text.Json.Nodes;
using Able.Attribution.Reports;
using Microsoft.Extensions.DependencyInjection;

namespace Able.FunctionalTests.Admin;

/// <summary>
/// The summary and the campaign report over HTTP equal what the seeded visits, bookings and purchases produce when
/// they go through the real gateway, ingress and worker (<see cref="AdminPipeline.SeedAsync"/>).
/// </summary>
public sealed class AdminReportTests
{
    [Fact]
    public async Task The_summary_counts_the_seeded_visits_clicks_bookings_purchases_revenue_join_paths_and_deliveries()
    {
        await using var pipeline = await AdminPipeline.StartAsync();
        await pipeline.SeedAsync();

        foreach (var query in new[] { "?funnel=acme&days=1", "?days=7", "?funnel=ACME&days=30", "" })
        {
            var summaries = (await pipeline.Admin.GetJsonAsync("/admin/api/summary" + query)).AsArray();
            var summary = Assert.Single(summaries)!;
            Assert.Equal("acme", (string?)summary["mark"]);
            Assert.Equal(2, (long?)summary["visits"]);
            Assert.Equal(2, (long?)summary["new_visitors"]);
            Assert.Equal(1, (long?)summary["tik_tok_clicks"]);
            Assert.Equal(2, (long?)summary["bookings"]);
            Assert.Equal(1, (long?)summary["purchases"]);
            Assert.Equal(1490m, (decimal?)summary["revenue"]!["EUR"]);
            Assert.Single(summary["revenue"]!.AsObject());
            Assert.Equal(1, (long?)summary["join_paths"]!["carrier:salesforce_uuid"]);
            Assert.Equal(1, (long?)summary["join_paths"]!["email"]);
            Assert.Equal(1, (long?)summary["join_paths"]!["none"]);
            Assert.Equal(2.0 / 3, (double)summary["match_rate"]!, 6);
            Assert.Equal(3, (long?)summary["delivery"]!["sent"]);
            Assert.Equal(0, (long?)summary["dead_letters"]);
            Assert.Equal("stripe", (string?)summary["last_webhook_source"]);
            Assert.NotNull(summary["last_webhook_at"]);
            var today = summary["daily"]!.AsArray()[^1]!;
            Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), (string?)today["day"]);
            Assert.Equal(2, (long?)today["visits"]);
            Assert.Equal(2, (long?)today["bookings"]);
            Assert.Equal(1, (long?)today["purchases"]);
        }
    }

    [Theory]
    [InlineData("last")]
    [InlineData("first")]
    public async Task The_campaign_report_credits_each_campaign_with_its_visits_bookings_purchases_and_revenue_as_json_and_csv(string model)
    {
        await using var pipeline = await AdminPipeline.StartAsync();
        await pipeline.SeedAsync();

        var report = await pipeline.Admin.GetJsonAsync($"/admin/api/report?funnel=acme&days=7&model={model}");
        Assert.Equal("acme", (string?)report["funnel"]);
        Assert.Equal(model, (string?)report["model"]);
        var rows = report["rows"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Equal(3, rows.Count);

        // By bookings, then visits: the TikTok ad (1 booking, 1 visit), the walk-in (1 booking, no visit), the newsletter.
        var ad = rows[0];
        Assert.Equal(("tiktok", "spring", "ad1", true, false), Key(ad));
        Assert.Equal((1, 1, 1, 2), Numbers(ad));
        Assert.Equal(1490m, (decimal?)ad["revenue"]!["EUR"]);
        Assert.Equal(1.0, (double)ad["matched_share"]!);

        var walkIn = rows[1];
        Assert.True((bool?)walkIn["unattributed"]);
        Assert.Equal((0, 1, 0, 0), Numbers(walkIn));

        var newsletter = rows[2];
        Assert.Equal(("newsletter", "march", "", false, false), Key(newsletter));
        Assert.Equal((1, 0, 0, 0), Numbers(newsletter));

        using var csv = await pipeline.Admin.GetAsync($"/admin/api/report?funnel=acme&days=7&model={model}&format=csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", csv.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"able-campaigns-acme-7d-{model}-touch.csv", csv.Content.Headers.ContentDisposition?.FileName);
        var stats = pipeline.Admin.Service.Services.GetRequiredService<StatsReader>();
        var expected = StatsReader.ToCsv(await stats.CampaignsAsync("acme", 7, model == "first" ? TouchModel.First : TouchModel.Last));
        var text = await csv.Content.ReadAsStringAsync();
        Assert.Equal(expected, text);
        Assert.Equal(4, text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("tiktok,spring,ad1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_computed_summary_is_cached_in_redis_under_the_key_prefix_and_served_from_there_until_it_expires()
    {
        await using var pipeline = await AdminPipeline.StartAsync(reportCacheSeconds: 3600);
        await pipeline.VisitAsync("utm_source=tiktok&utm_campaign=cache");
        var stats = pipeline.Admin.Service.Services.GetRequiredService<StatsReader>();
        Assert.True(await Eventually.TrueAsync(async () => (await stats.SummaryAsync("acme", 7)).Visits == 1, TimeSpan.FromSeconds(20)));

        var first = Assert.Single((await pipeline.Admin.GetJsonAsync("/admin/api/summary?funnel=acme&days=7")).AsArray())!;
        Assert.Equal(1, (long?)first["visits"]);
        var cacheKeys = await pipeline.Redis.KeysAsync(pipeline.Keys.Prefix + "admin:cache:");
        Assert.NotEmpty(cacheKeys);

        // The counters move on; the cached summary stays what it was (so every replica answers the same for a while).
        await pipeline.VisitAsync("utm_source=tiktok&utm_campaign=cache");
        Assert.True(await Eventually.TrueAsync(async () => (await stats.SummaryAsync("acme", 7)).Visits == 2, TimeSpan.FromSeconds(20)));
        var cached = Assert.Single((await pipeline.Admin.GetJsonAsync("/admin/api/summary?funnel=acme&days=7")).AsArray())!;
        Assert.Equal(1, (long?)cached["visits"]);
        Assert.Equal(first.ToJsonString(), cached.ToJsonString());

        // Another period is another entry, computed now.
        var month = Assert.Single((await pipeline.Admin.GetJsonAsync("/admin/api/summary?funnel=acme&days=30")).AsArray())!;
        Assert.Equal(2, (long?)month["visits"]);
    }

    private static (string?, string?, string?, bool?, bool?) Key(JsonObject row) =>
        ((string?)row["source"], (string?)row["campaign"], (string?)row["content"], (bool?)row["tik_tok_click"], (bool?)row["unattributed"] ?? false);

    /// <summary>visits, bookings, purchases, matched.</summary>
    private static (long?, long?, long?, long?) Numbers(JsonObject row) =>
        ((long?)row["visits"], (long?)row["bookings"], (long?)row["purchases"], (long?)row["matched"]);
}
