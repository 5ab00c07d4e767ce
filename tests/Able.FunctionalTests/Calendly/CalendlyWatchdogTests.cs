using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Able.FunctionalTests.Ingress;
using Able.Schema.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Able.FunctionalTests.Calendly;

/// <summary>
/// The subscription watchdog against a fake Calendly API on loopback and real Redis: a subscription Calendly disabled or deleted is
/// recreated within one period with a new key the running ingress accepts, once across replicas, and rate limits only delay it.
/// </summary>
public sealed partial class CalendlyWatchdogTests
{
    private const string WebhookUrl = "https://book.example.com/calendly-webhook/acme";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private static readonly byte[] Booking = Fixtures.Bytes("calendly/invitee-created-free.json");

    /// <summary>A configuration whose funnel is connected (token, webhook URL, key), with its subscription at the fake.</summary>
    private static TestConfig Connected(string redis, FakeCalendly calendly, double intervalMinutes = 0.01)
    {
        var config = TestConfig.Create(redis);
        config.Able["Attribution"]!["Calendly"] = new JsonObject
        {
            ["ApiBaseUrl"] = calendly.BaseUrl,
            ["WatchdogIntervalMinutes"] = intervalMinutes,
        };
        config.Funnel["Calendly"] = new JsonObject
        {
            ["SigningKey"] = "test-calendly-key",
            ["ApiToken"] = FakeCalendly.DefaultToken,
            ["WebhookUrl"] = WebhookUrl,
        };
        if (calendly.CountFor(WebhookUrl) == 0)
        {
            calendly.Seed(WebhookUrl, signingKey: "test-calendly-key");
        }

        return config;
    }

    private static async Task<string> MetricsAsync(RunningService service) =>
        await service.Client.GetStringAsync(new Uri(service.ManagementBase, "/metrics"));

    private static async Task<double?> MetricAsync(RunningService service, string name) => Metric(await MetricsAsync(service), name);

    /// <summary>A metric of a replica started without <see cref="RunningService"/>, read from its own registry.</summary>
    private static async Task<double?> MetricAsync(IServiceProvider services, string name)
    {
        using var stream = new MemoryStream();
        await services.GetRequiredService<Prometheus.CollectorRegistry>().CollectAndExportAsTextAsync(stream);
        return Metric(System.Text.Encoding.UTF8.GetString(stream.ToArray()), name);
    }

    private static double? Metric(string text, string name)
    {
        var match = Regex.Match(text, $"^{Regex.Escape(name)}{{funnel=\"acme\"}} (\\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    private static async Task<HttpStatusCode> PostAsync(RunningService service, string key)
    {
        using var request = IngressHarness.Webhook("calendly", "acme", Booking, key);
        request.RequestUri = new Uri(service.PublicBase, request.RequestUri!.OriginalString);
        using var response = await service.Client.SendAsync(request);
        return response.StatusCode;
    }

    private static int Creations(FakeCalendly calendly) =>
        calendly.Requests.Count(r => r.Method == "POST" && r.PathAndQuery.StartsWith("/webhook_subscriptions", StringComparison.Ordinal) && r.Status == 201);

    [Fact]
    public async Task A_disabled_subscription_is_recreated_with_a_new_key_the_running_ingress_accepts()
    {
        await using var calendly = await FakeCalendly.StartAsync();
        var redis = await RedisTestServer.GetAsync();
        using var config = Connected(redis.ConnectionString, calendly);
        await using var service = await RunningService.StartAttributionAsync(config);
        Assert.True(await Eventually.TrueAsync(async () => await MetricAsync(service, "able_calendly_subscription_up") == 1, Within), "the watchdog never saw the active subscription");

        // Calendly disables it, and the first attempt to create it again is refused: the gauge shows it down...
        calendly.WebhooksOnPlan = false;
        calendly.Disable(WebhookUrl);
        Assert.True(await Eventually.TrueAsync(async () => await MetricAsync(service, "able_calendly_subscription_up") == 0, Within), "the gauge never went to 0");
        Assert.Equal(0, Creations(calendly));

        // ...and once creating works, the next round repairs it: one new active subscription with a new key, stored in the overlay.
        calendly.WebhooksOnPlan = true;
        Assert.True(await Eventually.TrueAsync(async () => await MetricAsync(service, "able_calendly_subscription_up") == 1, Within), "the gauge never went back to 1");
        Assert.Equal(1, await MetricAsync(service, "able_calendly_subscription_repairs_total"));
        var subscription = Assert.Single(calendly.Subscriptions, s => s.CallbackUrl == WebhookUrl);
        Assert.Equal("active", subscription.State);
        Assert.NotEqual("test-calendly-key", subscription.SigningKey);
        Assert.Matches("^[0-9a-f]{64}$", subscription.SigningKey);
        // Each attempt stored its key before Calendly learnt it, keeping the key before it for the grace period.
        var overlay = new SecretsOverlayFile(config.SecretsPath);
        Assert.Equal(subscription.SigningKey, overlay.Get("acme", "Calendly:SigningKey"));
        var previous = overlay.Get("acme", "Calendly:PreviousSigningKey");
        Assert.NotNull(previous);
        Assert.NotEqual(subscription.SigningKey, previous);

        // The ingress takes the new key without a restart; the one before stays accepted for the grace period (default 60 minutes).
        Assert.True(await Eventually.TrueAsync(async () => await PostAsync(service, subscription.SigningKey) == HttpStatusCode.Accepted, Within));
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(service, previous));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(service, "a-key-nobody-has"));

        // Nothing more to repair: later rounds leave it alone.
        await Task.Delay(2000);
        Assert.Equal(1, Creations(calendly));
    }

    [Fact]
    public async Task Two_replicas_on_one_redis_repair_a_deleted_subscription_once()
    {
        await using var calendly = await FakeCalendly.StartAsync();
        var redis = await RedisTestServer.GetAsync();
        using var config = Connected(redis.ConnectionString, calendly);
        await using var first = await RunningService.StartAttributionAsync(config);

        // A second replica: same Redis prefix and overlay, its own ports.
        using var secondConfig = Connected(redis.ConnectionString, calendly);
        secondConfig.Able["Redis"]!["KeyPrefix"] = config.KeyPrefix;
        secondConfig.Write();
        var second = Able.Attribution.Service.AttributionApp.Build(["--config", secondConfig.FilePath, "--secrets", config.SecretsPath]);
        await second.StartAsync();
        await using (second)
        {
            Assert.True(await Eventually.TrueAsync(async () => await MetricAsync(first, "able_calendly_subscription_up") == 1, Within));

            // Calendly deletes it (the endpoint answered 410). Both replicas' watchdogs run every 0.6 s, and each API call takes
            // 0.3 s, so their rounds overlap: without the lock both would find it missing and both would create one.
            calendly.Latency = TimeSpan.FromMilliseconds(300);
            calendly.Remove(WebhookUrl);
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(calendly.CountFor(WebhookUrl) == 1), Within), "it was never recreated");
            await Task.Delay(3000); // several more rounds of both
            Assert.Equal(1, calendly.CountFor(WebhookUrl));
            Assert.Equal(1, calendly.Requests.Count(r => r.Method == "POST"));
            Assert.Equal(1, Creations(calendly));
            Assert.Equal(1, (await MetricAsync(first, "able_calendly_subscription_repairs_total") ?? 0)
                + (await MetricAsync(second.Services, "able_calendly_subscription_repairs_total") ?? 0));
            var key = calendly.SigningKeyFor(WebhookUrl);
            Assert.Equal(key, new SecretsOverlayFile(config.SecretsPath).Get("acme", "Calendly:SigningKey"));
            Assert.True(await Eventually.TrueAsync(async () => await PostAsync(first, key) == HttpStatusCode.Accepted, Within));
            await second.StopAsync();
        }
    }

    [Fact]
    public async Task A_rate_limit_delays_the_repair_and_does_not_fail_it()
    {
        await using var calendly = await FakeCalendly.StartAsync();
        var redis = await RedisTestServer.GetAsync();
        using var config = Connected(redis.ConnectionString, calendly);
        await using var service = await RunningService.StartAttributionAsync(config);
        Assert.True(await Eventually.TrueAsync(async () => await MetricAsync(service, "able_calendly_subscription_up") == 1, Within));

        calendly.QueueRateLimit(TimeSpan.FromSeconds(2));
        calendly.Disable(WebhookUrl);
        Assert.True(await Eventually.TrueAsync(async () => await MetricAsync(service, "able_calendly_subscription_repairs_total") == 1, Within), "never repaired");
        Assert.Equal(1, await MetricAsync(service, "able_calendly_subscription_up"));

        var requests = calendly.Requests.ToList();
        var limited = requests.FindIndex(r => r.Status == 429);
        Assert.True(limited >= 0, "the fake never answered 429");
        Assert.True(requests[limited + 1].At - requests[limited].At >= TimeSpan.FromSeconds(1.9), "the next request did not wait for Retry-After");
        Assert.Equal(1, calendly.CountFor(WebhookUrl));
    }

    [Fact]
    public async Task A_funnel_whose_webhook_url_is_unknown_is_not_touched()
    {
        // A token alone (a subscription made by hand, perhaps to another URL): creating one at a guessed URL would retire its key.
        await using var calendly = await FakeCalendly.StartAsync();
        var redis = await RedisTestServer.GetAsync();
        using var config = Connected(redis.ConnectionString, calendly);
        config.Funnel["Calendly"]!.AsObject().Remove("WebhookUrl");
        calendly.Remove(WebhookUrl);
        await using var service = await RunningService.StartAttributionAsync(config);

        await Task.Delay(2000); // three watchdog periods
        Assert.Empty(calendly.Requests);
        Assert.Null(await MetricAsync(service, "able_calendly_subscription_up"));
        Assert.False(File.Exists(config.SecretsPath));
    }

    [Fact]
    public async Task A_subscription_created_whose_answer_was_lost_signs_with_a_key_the_ingress_knows()
    {
        // Calendly makes the subscription but the answer does not arrive: the next round finds it active. Its key must be the
        // one already stored, or bookings would be refused (401) from then on with the gauge saying all is well.
        await using var calendly = await FakeCalendly.StartAsync();
        var redis = await RedisTestServer.GetAsync();
        using var config = Connected(redis.ConnectionString, calendly);
        await using var service = await RunningService.StartAttributionAsync(config);
        Assert.True(await Eventually.TrueAsync(async () => await MetricAsync(service, "able_calendly_subscription_up") == 1, Within));

        calendly.LoseNextCreateAnswer = true;
        calendly.Remove(WebhookUrl);
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(calendly.Requests.Any(r => r.Status == 502)), Within), "no create was tried");
        Assert.True(await Eventually.TrueAsync(async () => await MetricAsync(service, "able_calendly_subscription_up") == 1, Within));

        var key = calendly.SigningKeyFor(WebhookUrl);
        Assert.Equal(key, new SecretsOverlayFile(config.SecretsPath).Get("acme", "Calendly:SigningKey"));
        Assert.True(await Eventually.TrueAsync(async () => await PostAsync(service, key) == HttpStatusCode.Accepted, Within));
        Assert.Equal(1, calendly.CountFor(WebhookUrl));
    }
}
