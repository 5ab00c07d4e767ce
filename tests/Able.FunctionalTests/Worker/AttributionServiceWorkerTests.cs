using System.Globalization;
using Able.Attribution.Receipts;
using Able.Attribution.Visitors;
using Able.Schema.Redis;
using Able.Schema.Visitors;
using Microsoft.Extensions.DependencyInjection;

namespace Able.FunctionalTests.Worker;

/// <summary>The real attribution service (AttributionApp on Kestrel, system clock) runs the worker and delivers what is queued.</summary>
public sealed class AttributionServiceWorkerTests
{
    [Fact]
    public async Task The_attribution_service_delivers_a_queued_booking_and_serves_the_worker_metrics()
    {
        var redis = await RedisTestServer.GetAsync();
        await using var tikTok = await FakeTikTok.StartAsync();
        using var config = TestConfig.Create(redis.ConnectionString);
        config.Able["Worker"] = new System.Text.Json.Nodes.JsonObject
        {
            ["TikTokBaseUrl"] = tikTok.BaseUrl.ToString(),
            ["FlushIntervalMilliseconds"] = 50,
            ["PollIntervalMilliseconds"] = 50,
        };
        config.Funnel["TikTok"] = new System.Text.Json.Nodes.JsonObject { ["PixelId"] = "CTESTPIXEL0000000000", ["AccessToken"] = "service-token" };
        var keys = new RedisKeys(config.KeyPrefix);
        var db = redis.Multiplexer.GetDatabase();
        var now = DateTimeOffset.UtcNow;
        var vid = VisitorId.New();
        await WorkerTestData.WriteVisitorAsync(db, keys, vid, "E.C.P.service", now.AddMinutes(-5), "203.0.113.50");
        await using var service = await RunningService.StartAttributionAsync(config);

        // The fixture, moved to today (the service runs on the system clock).
        var booking = Fixtures.Read("calendly/invitee-created-free.json", vid)
            .Replace("2026-03-04T15:02:", now.ToString("yyyy-MM-dd'T'HH:mm:", CultureInfo.InvariantCulture), StringComparison.Ordinal);
        await WorkerTestData.AddIngestAsync(db, keys, "calendly", "acme", "invitee.created", booking, now);

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(tikTok.Accepted.Count == 1), TimeSpan.FromSeconds(20)));
        var sent = tikTok.Accepted[0];
        Assert.Equal("E.C.P.service", (string?)sent["user"]!["ttclid"]);
        Assert.Equal("service-token", tikTok.Requests.Single().AccessToken);
        var receipts = service.Services.GetRequiredService<ReceiptStore>();
        Assert.True(await Eventually.TrueAsync(async () =>
            (await receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Status == ReceiptStatus.Sent, TimeSpan.FromSeconds(20)));

        using var metrics = await service.Client.GetAsync(new Uri(service.ManagementBase, "/metrics"));
        var text = await metrics.Content.ReadAsStringAsync();
        foreach (var name in new[] { "able_conversions_total", "able_tiktok_events_total", "able_tiktok_request_seconds", "able_retry_backlog", "able_dlq_depth", "able_stream_lag" })
        {
            Assert.Contains($"# TYPE {name} ", text, StringComparison.Ordinal);
        }
    }
}
