using System.Net;
using System.Text.Json.Nodes;
using Able.FunctionalTests.Capture;

namespace Able.FunctionalTests.Routing;

/// <summary>Two real gateways in front of one recording origin: one trusts the loopback peer as a proxy, one does not.</summary>
public sealed class TrustedAndUntrustedGateways : IAsyncLifetime
{
    private TestConfig? untrustedConfig;
    private TestConfig? trustedConfig;

    public RecordingOrigin Origin { get; private set; } = null!;

    /// <summary>No trusted proxies: the test client is an ordinary visitor.</summary>
    public RunningService Untrusted { get; private set; } = null!;

    /// <summary><c>TrustedProxies = 127.0.0.0/8</c>: the test client is the load balancer in front of the gateway.</summary>
    public RunningService Trusted { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Origin = await RecordingOrigin.StartAsync();
        var redis = await RedisTestServer.GetAsync();
        untrustedConfig = TestConfig.Create(redis.ConnectionString, Origin.Url);
        trustedConfig = TestConfig.Create(redis.ConnectionString, Origin.Url);
        trustedConfig.Able["Gateway"]!["TrustedProxies"] = new JsonArray("127.0.0.0/8");
        Untrusted = await RunningService.StartGatewayAsync(untrustedConfig);
        Trusted = await RunningService.StartGatewayAsync(trustedConfig);
    }

    public async Task DisposeAsync()
    {
        await Untrusted.DisposeAsync();
        await Trusted.DisposeAsync();
        await Origin.DisposeAsync();
        untrustedConfig?.Dispose();
        trustedConfig?.Dispose();
    }
}

/// <summary>
/// Headers by which a proxy vouches for the client (its address, scheme, host, original URL) reach the origin only
/// from a trusted proxy; from anyone else they are removed, so a visitor cannot forge them. X-Forwarded-For, -Proto
/// and -Host are always the gateway's own account.
/// </summary>
public sealed class ClientSuppliedHeaderTests(TrustedAndUntrustedGateways gateways) : IClassFixture<TrustedAndUntrustedGateways>
{
    public static TheoryData<string, string> ForwardingHeaders => new()
    {
        { "Forwarded", "for=198.51.100.7;proto=https;host=admin.acme.test" },
        { "X-Forwarded", "for=198.51.100.7" },
        { "Forwarded-For", "198.51.100.7" },
        { "X-Forwarded-Port", "443" },
        { "X-Forwarded-Scheme", "https" },
        { "X-Forwarded-Ssl", "on" },
        { "Front-End-Https", "on" },
        { "X-Forwarded-Server", "admin.acme.test" },
        { "X-Original-Forwarded-For", "198.51.100.7" },
        { "X-Real-IP", "198.51.100.7" },
        { "True-Client-IP", "198.51.100.7" },
        { "X-Client-IP", "198.51.100.7" },
        { "X-Cluster-Client-IP", "198.51.100.7" },
        { "CF-Connecting-IP", "198.51.100.7" },
        { "Fastly-Client-IP", "198.51.100.7" },
        { "X-ProxyUser-Ip", "198.51.100.7" },
        { "X-Original-URL", "/admin/delete-everything" },
        { "X-Rewrite-URL", "/admin/delete-everything" },
        { "X-Original-Host", "admin.acme.test" },
        { "X-Host", "admin.acme.test" },
    };

    [Theory]
    [MemberData(nameof(ForwardingHeaders))]
    public async Task From_an_untrusted_client_a_forwarding_header_never_reaches_the_origin(string header, string value)
    {
        var seen = await SendAsync(gateways.Untrusted, "GET", header, value);

        Assert.False(seen.Headers.ContainsKey(header), $"{header}: {seen.Headers.GetValueOrDefault(header)} reached the origin");
        Assert.Equal("127.0.0.1", seen.Headers["X-Forwarded-For"]);
        Assert.Equal("http", seen.Headers["X-Forwarded-Proto"]);
        Assert.Equal(gateways.Untrusted.PublicBase.Authority, seen.Headers["X-Forwarded-Host"]);
    }

    [Theory]
    [MemberData(nameof(ForwardingHeaders))]
    public async Task From_a_trusted_proxy_a_forwarding_header_is_passed_on(string header, string value)
    {
        var seen = await SendAsync(gateways.Trusted, "GET", header, value);

        Assert.Equal(value, seen.Headers.GetValueOrDefault(header));
        Assert.Equal("203.0.113.9, 127.0.0.1", seen.Headers["X-Forwarded-For"]);
        Assert.Equal("https", seen.Headers["X-Forwarded-Proto"]);
        Assert.Equal("book.acme.test", seen.Headers["X-Forwarded-Host"]);
    }

    public static TheoryData<string, string, bool> MethodOverrides => new()
    {
        // On a method without a body an override would turn a cacheable, prefetchable GET into a write on the
        // origin (and a cached error for everyone: "HTTP method override" cache poisoning). A load balancer passes
        // these on from the client, it does not vouch for them, so trust makes no difference.
        { "GET", "X-HTTP-Method-Override", false },
        { "GET", "X-HTTP-Method", false },
        { "GET", "X-Method-Override", false },
        { "HEAD", "X-HTTP-Method-Override", false },
        { "OPTIONS", "X-HTTP-Method-Override", false },
        // Tunnelling PATCH/PUT/DELETE through POST is what these headers are for: a site's own scripts may rely on it.
        { "POST", "X-HTTP-Method-Override", true },
        { "POST", "X-HTTP-Method", true },
        { "POST", "X-Method-Override", true },
    };

    [Theory]
    [MemberData(nameof(MethodOverrides))]
    public async Task A_method_override_reaches_the_origin_only_on_a_method_with_a_body(string method, string header, bool passed)
    {
        foreach (var gateway in new[] { gateways.Untrusted, gateways.Trusted })
        {
            var seen = await SendAsync(gateway, method, header, "DELETE");
            Assert.Equal(passed, seen.Headers.ContainsKey(header));
        }
    }

    private async Task<OriginRequest> SendAsync(RunningService gateway, string method, string header, string value)
    {
        var path = $"/headers/{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(gateway.PublicBase, path));
        request.Headers.TryAddWithoutValidation(header, value);
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "book.acme.test");
        if (method == "POST")
        {
            request.Content = new StringContent("a=1");
        }

        using var response = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return gateways.Origin.ReceivedOnce(path);
    }
}
