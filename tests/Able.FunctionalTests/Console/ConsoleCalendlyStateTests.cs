using System.Net;
using System.Text.Json.Nodes;

namespace Able.FunctionalTests.Console;

/// <summary>The overview shows the Calendly subscription as Calendly reports it (a fake Calendly API here), when the funnel is connected.</summary>
public sealed class ConsoleCalendlyStateTests
{
    private const string WebhookUrl = "https://book.example.com/calendly-webhook/acme";

    [Fact]
    public async Task The_overview_says_whether_the_connected_funnels_subscription_is_active_and_when_Calendly_cannot_be_asked()
    {
        await using var calendly = await FakeCalendly.StartAsync();
        var subscription = calendly.Seed(WebhookUrl, signingKey: "test-calendly-key");
        var redis = await RedisTestServer.GetAsync();
        var config = TestConfig.Create(redis.ConnectionString);
        config.Able["Admin"] = new JsonObject { ["Token"] = ConsoleClient.Token, ["ReportCacheSeconds"] = 0 };
        // The watchdog would repair a disabled subscription: off, so the page shows what Calendly says.
        config.Able["Attribution"]!["Calendly"] = new JsonObject { ["ApiBaseUrl"] = calendly.BaseUrl, ["WatchdogEnabled"] = false };
        config.Funnel["Calendly"] = new JsonObject { ["SigningKey"] = "test-calendly-key", ["ApiToken"] = FakeCalendly.DefaultToken, ["WebhookUrl"] = WebhookUrl };
        await using var attribution = await RunningService.StartAttributionAsync(config, ownsConfig: true);
        using var browser = ConsoleClient.For(attribution);
        using (var login = await browser.LoginAsync())
        {
            Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        }

        var active = await OverviewAsync(browser);
        Assert.Contains(WebhookUrl, active, StringComparison.Ordinal);
        Assert.Contains($"<span class=\"status-sent\">active</span> <code>{calendly.BaseUrl}/webhook_subscriptions/{subscription.Uuid}</code>", active, StringComparison.Ordinal);

        calendly.Disable(WebhookUrl);
        var disabled = await OverviewAsync(browser);
        Assert.Contains("<span class=\"status-dead_lettered\">disabled</span>", disabled, StringComparison.Ordinal);
        Assert.Contains("failing deliveries since", disabled, StringComparison.Ordinal);

        calendly.Token = "another-token";
        var refused = await OverviewAsync(browser);
        Assert.Contains("Calendly answered: Unauthorized", refused, StringComparison.Ordinal);
    }

    private static async Task<string> OverviewAsync(ConsoleClient browser)
    {
        using var page = await browser.Client.GetAsync("/console");
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"{(int)page.StatusCode}: {html}");
        return html[html.IndexOf("id=\"calendly\"", StringComparison.Ordinal)..];
    }
}
