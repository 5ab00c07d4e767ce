using System.Net;
using System.Text.Json.Nodes;
using Able.Attribution.Visitors;
using Able.Schema.Visitors;
using static Able.FunctionalTests.Capture.GatewayRequests;

namespace Able.FunctionalTests.Capture;

/// <summary><c>GET /go/{link}</c> through the real gateway.</summary>
public sealed class TrackedLinkTests
{
    public static TheoryData<string, string, string> Links => new()
    {
        { "plain", "https://calendly.com/acme/intro", "https://calendly.com/acme/intro?salesforce_uuid={vid}&utm_source=tiktok&utm_campaign=bio" },
        { "query", "https://calendly.com/acme/intro?month=2026-12", "https://calendly.com/acme/intro?month=2026-12&salesforce_uuid={vid}&utm_source=tiktok&utm_campaign=bio" },
        { "fragment", "https://calendly.com/acme/intro#top", "https://calendly.com/acme/intro?salesforce_uuid={vid}&utm_source=tiktok&utm_campaign=bio#top" },
        { "both", "https://calendly.com/acme/intro?back=1#x", "https://calendly.com/acme/intro?back=1&salesforce_uuid={vid}&utm_source=tiktok&utm_campaign=bio#x" },
        { "preset", "https://calendly.com/acme/intro?utm_source=bio-link", "https://calendly.com/acme/intro?utm_source=bio-link&salesforce_uuid={vid}&utm_campaign=bio" },
        { "empty-query", "https://calendly.com/acme/intro?", "https://calendly.com/acme/intro?salesforce_uuid={vid}&utm_source=tiktok&utm_campaign=bio" },
    };

    [Theory]
    [MemberData(nameof(Links))]
    public async Task Go_link_captures_and_redirects_to_the_decorated_url(string name, string target, string expected)
    {
        await using var run = await GatewayWithOrigin.StartAsync(config =>
        {
            config.Funnel["Links"] = new JsonObject { [name] = target };
        });
        var (origin, redis, config, gateway) = run;

        using var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, $"/go/{name}?utm_source=tiktok&utm_campaign=bio&ttclid=E.C.P.bio"));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var visitorId = VisitorCookie(response)!;
        Assert.True(VisitorId.IsWellFormed(visitorId));
        Assert.Equal(expected.Replace("{vid}", visitorId, StringComparison.Ordinal), response.Headers.Location!.OriginalString);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Empty(origin.Requests);

        var profile = await ProfileAsync(redis, config, visitorId);
        Assert.Equal("link", profile.LastTouch!.Kind);
        Assert.Equal("E.C.P.bio", profile.ClickTtclid);
    }

    [Fact]
    public async Task Go_link_without_utms_uses_the_ones_remembered_from_the_landing_visit()
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var (origin, redis, config, gateway) = run;

        using var landing = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/?utm_source=tiktok&utm_medium=paid%20social&ttclid=E.C.P.1"));
        var visitorId = VisitorCookie(landing)!;
        var utmCookie = VisitorCookie(landing, "able_utm")!;

        using var link = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/go/intro", $"able_vid={visitorId}; able_utm={utmCookie}"));
        Assert.Equal(HttpStatusCode.Found, link.StatusCode);
        Assert.Equal(
            $"https://calendly.com/acme/intro?salesforce_uuid={visitorId}&utm_source=tiktok&utm_medium=paid%20social",
            link.Headers.Location!.OriginalString);
        Assert.Null(VisitorCookie(link, "able_utm")); // nothing new to remember

        // A tampered UTM cookie is ignored, not trusted.
        using var tampered = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/go/intro", $"able_vid={visitorId}; able_utm=%%bad%%"));
        Assert.Equal($"https://calendly.com/acme/intro?salesforce_uuid={visitorId}", tampered.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Unknown_link_is_404_and_refused_consent_redirects_undecorated()
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var (origin, redis, config, gateway) = run;

        using var unknown = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/go/nope"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("nope", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(origin.Requests);

        using var refused = Page(gateway.PublicBase, "/go/intro?utm_source=tiktok");
        refused.Headers.Add("Sec-GPC", "1");
        using var response = await gateway.Client.SendAsync(refused);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("https://calendly.com/acme/intro", response.Headers.Location!.OriginalString);
        Assert.Empty(SetCookies(response));

        // HEAD is a link checker, not a visitor: redirected, not captured.
        using var head = Page(gateway.PublicBase, "/go/intro?utm_source=tiktok&ttclid=E.C.P.head");
        head.Method = HttpMethod.Head;
        using var headResponse = await gateway.Client.SendAsync(head);
        Assert.Equal(HttpStatusCode.Found, headResponse.StatusCode);
        Assert.Equal("https://calendly.com/acme/intro", headResponse.Headers.Location!.OriginalString);
        Assert.Empty(SetCookies(headResponse));

        using var post = await gateway.Client.PostAsync(new Uri(gateway.PublicBase, "/go/intro"), new StringContent(""));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task Go_links_are_rate_limited_per_client_with_Retry_After()
    {
        await using var run = await GatewayWithOrigin.StartAsync(config =>
        {
            config.Able["Gateway"]!["RateLimit"] = new JsonObject { ["PermitsPerWindow"] = 3, ["WindowSeconds"] = 120 };
        });
        var (origin, redis, config, gateway) = run;

        for (var i = 0; i < 3; i++)
        {
            using var allowed = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/go/intro"));
            Assert.Equal(HttpStatusCode.Found, allowed.StatusCode);
        }

        using var limited = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/go/intro"));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 120);

        // Ingress paths share the client's budget; pages are not limited.
        using var ingress = await gateway.Client.PostAsync(new Uri(gateway.PublicBase, "/v1/conversions"), new StringContent("{}"));
        Assert.Equal(HttpStatusCode.TooManyRequests, ingress.StatusCode);
        using var page = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        var metrics = await gateway.Client.GetStringAsync(new Uri(gateway.ManagementBase, "/metrics"));
        Assert.Contains("able_gateway_requests_total{funnel=\"acme\",status=\"429\"} 2", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_over_the_global_concurrency_cap_get_503_with_Retry_After()
    {
        await using var run = await GatewayWithOrigin.StartAsync(config =>
            config.Able["Gateway"]!["RateLimit"] = new JsonObject { ["MaxConcurrentRequests"] = 1 });
        var (origin, _, _, gateway) = run;

        // /gated holds its response open until the gate opens: that request owns the only permit meanwhile.
        using var held = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/gated"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);

        using var refused = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());

        origin.Gate.SetResult();
        await held.Content.ReadAsByteArrayAsync();
        Assert.True(await Eventually.StatusAsync(gateway.Client, new Uri(gateway.PublicBase, "/"), HttpStatusCode.OK, TimeSpan.FromSeconds(10)));
    }
}
