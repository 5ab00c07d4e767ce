using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Able.Attribution.Visitors;
using Able.Schema.Redis;
using Able.Schema.Visitors;
using static Able.FunctionalTests.Capture.GatewayRequests;

namespace Able.FunctionalTests.Capture;

/// <summary>
/// The capture budget through the real gateway, real sockets and real Redis: one client address cannot fill
/// Redis with visitors, one visitor cannot fill it with touches, and over budget the page is still served.
/// The second client is a real second loopback address (127.0.0.2), not a forged header.
/// </summary>
public sealed class CaptureBudgetTests
{
    // The shipped defaults (Able:Gateway:Capture:Budget), which these tests rely on.
    private const int NewVisitorsPerIpPerMinute = 30;
    private const int CapturesPerVisitorPerMinute = 20;

    private static readonly IPAddress SecondAddress = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task A_flood_of_new_visitors_from_one_address_stores_only_its_budget_and_another_address_is_still_captured()
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var (_, redis, config, gateway) = run;
        const int flood = 120;

        var issued = new List<string>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < flood; i++)
        {
            using var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, $"/book?ttclid=E.C.P.flood{i}&utm_source=tiktok"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            if (VisitorCookie(response) is { } visitorId)
            {
                issued.Add(visitorId);
                Assert.Contains($"salesforce_uuid={visitorId}", body, StringComparison.Ordinal);
                continue;
            }

            // Over budget: as if capture were off. The origin's page byte for byte, no cookie, no private cache mark.
            Assert.Equal(RecordingOrigin.BookingHtml, body);
            Assert.Empty(SetCookies(response));
            Assert.Null(response.Headers.CacheControl);
        }

        var elapsed = clock.Elapsed;

        using var second = SourceAddressClient.From(SecondAddress);
        using var other = await second.SendAsync(Page(gateway.PublicBase, "/book?ttclid=E.C.P.other"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var otherId = VisitorCookie(other);
        Assert.NotNull(otherId);
        Assert.Contains($"salesforce_uuid={otherId}", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The queue is first in, first out: once the second address's visitor is in Redis, so is the whole flood.
        var otherProfile = await ProfileAsync(redis, config, otherId!);
        Assert.Equal("127.0.0.2", otherProfile.Ip);
        Assert.Equal("E.C.P.other", otherProfile.ClickTtclid);

        var stored = await StoredVisitorsAsync(redis, config);
        stored.Remove(otherId);
        Assert.Equal(issued.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        // 30 at once, then one more every 2 s (30 per minute): the flood took `elapsed`.
        Assert.InRange(stored.Count, NewVisitorsPerIpPerMinute, NewVisitorsPerIpPerMinute + AccruedSince(elapsed, NewVisitorsPerIpPerMinute));
        var metrics = await gateway.Client.GetStringAsync(new Uri(gateway.ManagementBase, "/metrics"));
        Assert.Contains($"able_capture_dropped_total{{reason=\"budget\"}} {flood - issued.Count}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_visitor_over_its_capture_budget_keeps_its_cookie_and_decoration_but_stores_no_more_touches()
    {
        await using var run = await GatewayWithOrigin.StartAsync(config =>
            config.Able["Gateway"]!["Capture"] = new JsonObject { ["MaxTouches"] = 500 });
        var (_, redis, config, gateway) = run;
        const int pages = 60;

        var visitorId = VisitorId.New();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < pages; i++)
        {
            using var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, $"/book?ttclid=E.C.P.again{i}", $"able_vid={visitorId}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(visitorId, VisitorCookie(response));
            Assert.True(response.Headers.CacheControl?.Private, "a response carrying the visitor cookie must be Cache-Control: private");
            Assert.Contains($"salesforce_uuid={visitorId}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var elapsed = clock.Elapsed;
        await WaitForSentinelFromSecondAddressAsync(redis, config, gateway);

        var touches = (await TouchesAsync(redis, config, visitorId)).Count;
        Assert.InRange(touches, CapturesPerVisitorPerMinute, CapturesPerVisitorPerMinute + AccruedSince(elapsed, CapturesPerVisitorPerMinute));
        var metrics = await gateway.Client.GetStringAsync(new Uri(gateway.ManagementBase, "/metrics"));
        Assert.Contains($"able_capture_dropped_total{{reason=\"budget\"}} {pages - touches}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Made_up_visitor_cookies_from_one_address_count_against_its_new_visitor_budget()
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var (_, redis, config, gateway) = run;
        const int flood = 90;

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < flood; i++)
        {
            // A well-formed id the gateway never issued: every request a "returning" visitor Redis has never seen.
            var madeUp = VisitorId.New();
            using var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, $"/book?ttclid=E.C.P.forged{i}", $"able_vid={madeUp}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(madeUp, VisitorCookie(response));
            Assert.Contains($"salesforce_uuid={madeUp}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var elapsed = clock.Elapsed;
        var sentinel = await WaitForSentinelFromSecondAddressAsync(redis, config, gateway);

        var stored = await StoredVisitorsAsync(redis, config);
        stored.Remove(sentinel);
        Assert.InRange(stored.Count, NewVisitorsPerIpPerMinute, NewVisitorsPerIpPerMinute + AccruedSince(elapsed, NewVisitorsPerIpPerMinute));
    }

    [Fact]
    public async Task Addresses_behind_a_trusted_proxy_are_budgeted_per_client_and_ipv6_per_64_bit_prefix()
    {
        await using var run = await GatewayWithOrigin.StartAsync(config =>
        {
            config.Able["Gateway"]!["TrustedProxies"] = new JsonArray("127.0.0.0/8");
            config.Able["Gateway"]!["Capture"] = new JsonObject { ["Budget"] = new JsonObject { ["NewVisitorsPerIpPerMinute"] = 2 } };
        });
        var gateway = run.Gateway;

        async Task<bool> NewVisitorFrom(string client)
        {
            using var request = Page(gateway.PublicBase, "/landing?ttclid=E.C.P.proxied");
            request.Headers.Add("X-Forwarded-For", client);
            using var response = await gateway.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return VisitorCookie(response) is not null;
        }

        // One /64 is one client: a phone's privacy addresses rotate inside it.
        Assert.True(await NewVisitorFrom("2001:db8:1:2::a"));
        Assert.True(await NewVisitorFrom("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        Assert.False(await NewVisitorFrom("2001:db8:1:2::b"));
        Assert.True(await NewVisitorFrom("2001:db8:1:3::a"));

        // IPv4 addresses are clients one by one; the proxy's own address (127.0.0.1) is not the client.
        Assert.True(await NewVisitorFrom("203.0.113.1"));
        Assert.True(await NewVisitorFrom("203.0.113.1"));
        Assert.False(await NewVisitorFrom("203.0.113.1"));
        Assert.True(await NewVisitorFrom("203.0.113.2"));
    }

    /// <summary>Whole tokens a budget of <paramref name="perMinute"/> earns back in <paramref name="elapsed"/> (rounded up).</summary>
    private static int AccruedSince(TimeSpan elapsed, int perMinute) => (int)Math.Ceiling(elapsed.TotalMinutes * perMinute);

    /// <summary>
    /// A new visitor from 127.0.0.2 (its own budget), waited for in Redis. The queue is first in, first out, so
    /// everything queued before it has been written by then. Returns its visitor id.
    /// </summary>
    private static async Task<string> WaitForSentinelFromSecondAddressAsync(RedisTestServer redis, TestConfig config, RunningService gateway)
    {
        using var second = SourceAddressClient.From(SecondAddress);
        using var response = await second.SendAsync(Page(gateway.PublicBase, "/sentinel"));
        var visitorId = VisitorCookie(response);
        Assert.NotNull(visitorId);
        Assert.NotEmpty(await VisitorAsync(redis, config, visitorId));
        return visitorId;
    }

    /// <summary>Ids of every visitor hash under the test's prefix.</summary>
    private static async Task<List<string>> StoredVisitorsAsync(RedisTestServer redis, TestConfig config)
    {
        var visitorPrefix = config.KeyPrefix + "{v:";
        return [.. (await redis.KeysAsync(visitorPrefix))
            .Where(key => key.EndsWith('}'))
            .Select(key => key[visitorPrefix.Length..^1])];
    }
}
