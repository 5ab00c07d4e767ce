using System.Text.RegularExpressions;
using Able.Attribution.Visitors;
using Able.Schema.Redis;
using Able.Schema.Visitors;
using Microsoft.AspNetCore.Http;

namespace Able.FunctionalTests.Decoration;

/// <summary>
/// The demo landing page (<c>config/demo-site/wwwroot/index.html</c>) served by a real Kestrel origin, loaded
/// through the gateway with a TikTok click: the Calendly URL on the page names the visitor that Redis holds
/// the click for, which is the join the attribution worker makes from the webhook's tracking.salesforce_uuid.
/// </summary>
public sealed partial class DemoPageEndToEndTests
{
    [Fact]
    public async Task Decorated_demo_link_resolves_to_the_visitor_holding_the_captured_ttclid()
    {
        var demoPage = await File.ReadAllTextAsync(DemoPagePath());
        await using var origin = await HtmlOrigin.StartAsync(context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync(demoPage);
        });
        var redis = await RedisTestServer.GetAsync();
        using var config = TestConfig.Create(redis.ConnectionString, origin.Url);
        await using var gateway = await RunningService.StartGatewayAsync(config);
        var ttclid = $"E2E-{Guid.NewGuid():N}";

        using var response = await gateway.Client.SendAsync(HtmlDecorationTests.PageRequest(gateway, $"/?ttclid={ttclid}&utm_source=tiktok&utm_campaign=spring"));
        var html = await response.Content.ReadAsStringAsync();

        var href = PlainLink().Match(html);
        Assert.True(href.Success, "the demo page's plain Calendly link is missing");
        var link = new Uri(href.Groups[1].Value);
        Assert.Equal("calendly.com", link.Host);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query);
        var carried = query["salesforce_uuid"].ToString();
        Assert.True(VisitorId.IsWellFormed(carried), $"salesforce_uuid '{carried}' is not a visitor id");
        Assert.Equal("tiktok", query["utm_source"].ToString());
        Assert.Equal("spring", query["utm_campaign"].ToString());
        Assert.Equal(HtmlDecorationTests.VisitorCookie(response), carried);

        // The popup and inline embed carry the same visitor.
        Assert.Equal(3, Regex.Count(html, $"salesforce_uuid={carried}"));

        var keys = new RedisKeys(config.KeyPrefix);
        var database = redis.Multiplexer.GetDatabase();
        var stored = await Eventually.TrueAsync(
            async () => (await VisitorProfile.ReadAsync(database, keys, carried))?.ClickTtclid == ttclid,
            TimeSpan.FromSeconds(10));
        Assert.True(stored, $"Redis has no visitor {carried} holding ttclid {ttclid}");
    }

    private static string DemoPagePath() => Path.Combine(RepositoryRoot.Path, "config", "demo-site", "wwwroot", "index.html");

    [GeneratedRegex("id=\"plain-link\" href=\"([^\"]+)\"")]
    private static partial Regex PlainLink();
}
