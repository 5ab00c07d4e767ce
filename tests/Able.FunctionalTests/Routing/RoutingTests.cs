using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Able.FunctionalTests.Capture;
using static Able.FunctionalTests.Capture.GatewayRequests;

namespace Able.FunctionalTests.Routing;

/// <summary>Funnel routing through the real gateway to a real origin: hosts, forwarding, bodies, reload.</summary>
public sealed class RoutingTests
{
    [Fact]
    public async Task Unknown_host_is_404_never_410()
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var (origin, redis, config, gateway) = run;

        foreach (var path in new[] { "/", "/calendly-webhook/acme", "/go/intro" })
        {
            using var request = Page(gateway.PublicBase, path);
            request.Headers.Host = "unknown.example";
            using var response = await gateway.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("Unknown host", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Empty(origin.Requests);
        var metrics = await gateway.Client.GetStringAsync(new Uri(gateway.ManagementBase, "/metrics"));
        Assert.Contains("able_gateway_requests_total{funnel=\"none\",status=\"404\"} 3", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Origin_receives_method_path_query_body_and_headers_with_forwarded_headers()
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var (origin, redis, config, gateway) = run;

        var body = Encoding.UTF8.GetBytes("name=J%C3%BCrgen&n=1");
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(gateway.PublicBase, "/api/form/7?x=1&y=%20two&x=3"))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new("application/x-www-form-urlencoded");
        request.Headers.Add("X-Custom", "custom value");
        request.Headers.Add("Cookie", "a=1; b=2");
        request.Headers.Add("X-Forwarded-For", "198.51.100.77");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "forged.example");
        using var response = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var seen = origin.ReceivedOnce("/api/form/7");
        Assert.Equal("PUT", seen.Method);
        Assert.Equal("?x=1&y=%20two&x=3", seen.QueryString);
        Assert.Equal(body, seen.Body);
        Assert.Equal("application/x-www-form-urlencoded", seen.Headers["Content-Type"]);
        Assert.Equal("custom value", seen.Headers["X-Custom"]);
        Assert.Equal("a=1; b=2", seen.Headers["Cookie"]);
        // The peer is not a trusted proxy: its own X-Forwarded-* values are replaced by what the gateway saw.
        Assert.Equal("127.0.0.1", seen.Headers["X-Forwarded-For"]);
        Assert.Equal("http", seen.Headers["X-Forwarded-Proto"]);
        Assert.Equal(gateway.PublicBase.Authority, seen.Headers["X-Forwarded-Host"]);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_origin_sees_the_client_chain_and_the_original_scheme()
    {
        await using var run = await GatewayWithOrigin.StartAsync(config => config.Able["Gateway"]!["TrustedProxies"] = new JsonArray("127.0.0.0/8"));
        var (origin, redis, config, gateway) = run;

        using var request = Page(gateway.PublicBase, "/behind-lb?ttclid=E.C.P.lb");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "book.acme.test");
        using var response = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var seen = origin.ReceivedOnce("/behind-lb");
        Assert.Equal("203.0.113.9, 127.0.0.1", seen.Headers["X-Forwarded-For"]);
        Assert.Equal("https", seen.Headers["X-Forwarded-Proto"]);
        Assert.Equal("book.acme.test", seen.Headers["X-Forwarded-Host"]);

        var visitor = await ProfileAsync(redis, config, VisitorCookie(response)!);
        Assert.StartsWith("https://", visitor.FirstTouch!.Url, StringComparison.Ordinal);
        Assert.Equal("203.0.113.9", visitor.Ip);
    }

    [Fact]
    public async Task The_origin_gets_no_trace_context_the_client_did_not_send()
    {
        // The gateway starts no Activity per request (GatewayApp.HostingDiagnosticsCategory), so its HTTP client adds
        // no traceparent of its own to the origin request; one the client sent is passed on like any header.
        await using var run = await GatewayWithOrigin.StartAsync();
        var (origin, _, _, gateway) = run;
        using (var plain = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/untraced")))
        {
            Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        }

        using var traced = Page(gateway.PublicBase, "/traced");
        traced.Headers.TryAddWithoutValidation("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        using (var response = await gateway.Client.SendAsync(traced))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.False(origin.ReceivedOnce("/untraced").Headers.ContainsKey("traceparent"), "the gateway made up a trace context for the origin");
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", origin.ReceivedOnce("/traced").Headers["traceparent"]);
    }

    [Fact]
    public async Task Ingress_paths_go_to_the_attribution_service_not_the_origin()
    {
        await using var origin = await RecordingOrigin.StartAsync();
        await using var attribution = await RecordingOrigin.StartAsync();
        var redis = await RedisTestServer.GetAsync();
        using var config = TestConfig.Create(redis.ConnectionString, origin.Url);
        config.Able["Gateway"]!["AttributionUrl"] = attribution.Url;
        await using var gateway = await RunningService.StartGatewayAsync(config);

        foreach (var path in new[] { "/calendly-webhook/acme", "/stripe-webhook/acme", "/v1/conversions" })
        {
            using var request = Page(gateway.PublicBase, path);
            request.Method = HttpMethod.Post;
            request.Content = new StringContent("{\"event\":\"x\"}", Encoding.UTF8, "application/json");
            using var response = await gateway.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("{\"event\":\"x\"}", Encoding.UTF8.GetString(attribution.ReceivedOnce(path).Body));
            Assert.Empty(SetCookies(response)); // ingress is never captured
        }

        Assert.Empty(origin.Requests);
    }

    [Theory]
    [InlineData("/binary")]
    [InlineData("/json")]
    public async Task Non_html_bodies_pass_byte_for_byte_even_on_captured_navigations(string path)
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var (origin, redis, config, gateway) = run;

        using var direct = await gateway.Client.GetAsync(new Uri(new Uri(origin.Url), path));
        var expected = await direct.Content.ReadAsByteArrayAsync();
        using var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, path + "?ttclid=E.C.P.1"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(direct.Content.Headers.ContentType, response.Content.Headers.ContentType);
    }

    [Fact]
    public async Task Large_bodies_stream_through_without_being_buffered()
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var (origin, redis, config, gateway) = run;

        // The origin holds back the rest of /gated until this test has read its first chunk through the gateway.
        using (var gated = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/gated"), HttpCompletionOption.ResponseHeadersRead))
        {
            await using var stream = await gated.Content.ReadAsStreamAsync();
            var first = new byte[RecordingOrigin.LargeChunk.Length];
            await stream.ReadExactlyAsync(first).AsTask().WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(RecordingOrigin.LargeChunk, first);
            origin.Gate.SetResult();
            var rest = new MemoryStream();
            await stream.CopyToAsync(rest);
            Assert.Equal(RecordingOrigin.LargeChunk, rest.ToArray());
        }

        using var large = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/large?mb=32"), HttpCompletionOption.ResponseHeadersRead);
        await using var body = await large.Content.ReadAsStreamAsync();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var expected = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        for (var i = 0; i < 32 * 16; i++)
        {
            expected.AppendData(RecordingOrigin.LargeChunk);
        }

        Assert.Equal(32L * 1024 * 1024, total);
        Assert.Equal(expected.GetHashAndReset(), hash.GetHashAndReset());
    }

    [Fact]
    public async Task Origin_set_cookie_is_kept_next_to_the_visitor_cookie()
    {
        await using var run = await GatewayWithOrigin.StartAsync();
        var (origin, redis, config, gateway) = run;

        using var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/set-cookie"));
        Assert.Contains("origin_session=abc; Path=/", SetCookies(response));
        Assert.NotNull(VisitorCookie(response));
    }

    [Fact]
    public async Task Routes_reload_when_the_configuration_file_changes()
    {
        await using var origin = await RecordingOrigin.StartAsync();
        await using var otherOrigin = await RecordingOrigin.StartAsync();
        var redis = await RedisTestServer.GetAsync();
        using var config = TestConfig.Create(redis.ConnectionString, origin.Url);
        await using var gateway = await RunningService.StartGatewayAsync(config);

        async Task<HttpStatusCode> GetShopAsync()
        {
            using var request = Page(gateway.PublicBase, "/shop-page");
            request.Headers.Host = "shop.test";
            using var response = await gateway.Client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.NotFound, await GetShopAsync());

        var funnels = config.Able["Funnels"]!.AsArray();
        funnels.Add(new JsonObject
        {
            ["Mark"] = "shop",
            ["Hosts"] = new JsonArray("shop.test"),
            ["Origin"] = otherOrigin.Url,
        });
        config.Write();

        Assert.True(await Eventually.TrueAsync(async () => await GetShopAsync() == HttpStatusCode.OK, TimeSpan.FromSeconds(20)), "the new funnel host was not routed after the file changed");
        Assert.Single(otherOrigin.Requests, r => r.Path == "/shop-page");
        Assert.DoesNotContain(origin.Requests, r => r.Path == "/shop-page");
    }
}
