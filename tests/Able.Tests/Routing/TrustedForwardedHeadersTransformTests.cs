using System.Net;
using Able.Gateway.Routing;
using Able.Schema.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Able.Tests.Routing;

/// <summary>
/// What the origin receives through the request transform that <see cref="TrustedForwardedHeaders.AddTrustedForwardedHeaders"/>
/// registers, built the way the gateway builds it (YARP's transform builder) and run on a request: the gateway's own
/// <c>X-Forwarded-For/Proto/Host/Prefix</c>, a trusted proxy's account continued, an untrusted peer's forgeries and any
/// method override on a bodiless method removed, and no second account from YARP's default forwarders.
/// </summary>
public sealed class TrustedForwardedHeadersTransformTests
{
    private const string Proxy = "10.0.0.2";
    private const string Visitor = "203.0.113.5";

    [Fact]
    public async Task From_an_untrusted_peer_the_origin_gets_the_peer_and_the_request_as_the_gateway_saw_it()
    {
        var sent = await ForwardAsync(Visitor, "http", "shop.example", "", new()
        {
            ["X-Forwarded-For"] = "198.51.100.1",
            ["X-Forwarded-Proto"] = "https",
            ["X-Forwarded-Host"] = "bank.example",
            ["X-Forwarded-Prefix"] = "/admin",
        });

        Assert.Equal([Visitor], Values(sent, "X-Forwarded-For"));
        Assert.Equal(["http"], Values(sent, "X-Forwarded-Proto"));
        Assert.Equal(["shop.example"], Values(sent, "X-Forwarded-Host"));
        Assert.False(sent.Headers.Contains("X-Forwarded-Prefix"));
    }

    [Fact]
    public async Task From_an_untrusted_peer_every_forgeable_forwarding_header_is_removed_and_others_pass()
    {
        var headers = TrustedForwardedHeaders.ForwardingHeaders.ToDictionary(name => name, _ => "forged");
        headers["X-Custom"] = "kept";

        var sent = await ForwardAsync(Visitor, "https", "shop.example", "", headers);

        var gatewaysOwn = new[] { "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host" };
        foreach (var name in TrustedForwardedHeaders.ForwardingHeaders.Except(gatewaysOwn))
        {
            Assert.False(sent.Headers.Contains(name), name);
        }

        Assert.Equal([Visitor], Values(sent, "X-Forwarded-For"));
        Assert.Equal(["https"], Values(sent, "X-Forwarded-Proto"));
        Assert.Equal(["shop.example"], Values(sent, "X-Forwarded-Host"));
        Assert.Equal(["kept"], Values(sent, "X-Custom"));
    }

    [Fact]
    public async Task A_trusted_proxys_account_is_passed_on_with_the_proxy_appended_to_forwarded_for()
    {
        var sent = await ForwardAsync(Proxy, "http", "lb.internal", "", new()
        {
            ["X-Forwarded-For"] = "198.51.100.1, 192.0.2.7",
            ["X-Forwarded-Proto"] = "https",
            ["X-Forwarded-Host"] = "shop.example",
            ["X-Forwarded-Prefix"] = "/eu",
            ["X-Real-IP"] = "198.51.100.1",
        });

        Assert.Equal(["198.51.100.1, 192.0.2.7, " + Proxy], Values(sent, "X-Forwarded-For"));
        Assert.Equal(["https"], Values(sent, "X-Forwarded-Proto"));
        Assert.Equal(["shop.example"], Values(sent, "X-Forwarded-Host"));
        Assert.Equal(["/eu"], Values(sent, "X-Forwarded-Prefix"));
        Assert.Equal(["198.51.100.1"], Values(sent, "X-Real-IP"));
    }

    [Fact]
    public async Task A_trusted_proxys_repeated_forwarded_for_lines_become_one_list_in_order()
    {
        var context = Request(Proxy, "https", "shop.example", "");
        context.Request.Headers["X-Forwarded-For"] = new(["198.51.100.1", "", "192.0.2.7"]);

        var sent = await ForwardAsync(context);

        Assert.Equal(["198.51.100.1, 192.0.2.7, " + Proxy], Values(sent, "X-Forwarded-For"));
    }

    [Fact]
    public async Task A_trusted_proxy_that_vouches_for_nothing_gets_the_gateways_own_account()
    {
        var sent = await ForwardAsync("::ffff:" + Proxy, "https", "shop.example", "/eu", []);

        Assert.Equal([Proxy], Values(sent, "X-Forwarded-For"));
        Assert.Equal(["https"], Values(sent, "X-Forwarded-Proto"));
        Assert.Equal(["shop.example"], Values(sent, "X-Forwarded-Host"));
        Assert.Equal(["/eu"], Values(sent, "X-Forwarded-Prefix"));
    }

    [Fact]
    public async Task Without_a_peer_address_no_forwarded_for_is_sent_and_a_client_supplied_one_is_dropped()
    {
        var sent = await ForwardAsync(null, "http", "shop.example", "", new() { ["X-Forwarded-For"] = "198.51.100.1" });

        Assert.False(sent.Headers.Contains("X-Forwarded-For"));
        Assert.Equal(["shop.example"], Values(sent, "X-Forwarded-Host"));
    }

    [Fact]
    public async Task A_request_of_nothing_but_forged_headers_still_loses_them()
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(Visitor);
        context.Request.Method = "GET";
        context.Request.Scheme = "http";
        context.Request.Headers["X-Real-IP"] = "198.51.100.1";
        context.Request.Headers["X-HTTP-Method-Override"] = "DELETE";

        var sent = await ForwardAsync(context);

        Assert.False(sent.Headers.Contains("X-Real-IP"));
        Assert.False(sent.Headers.Contains("X-HTTP-Method-Override"));
        Assert.False(sent.Headers.Contains("X-Forwarded-Host"));
        Assert.Equal([Visitor], Values(sent, "X-Forwarded-For"));
    }

    [Fact]
    public async Task Empty_values_are_not_sent_as_empty_headers()
    {
        var sent = await ForwardAsync(Visitor, "http", "shop.example", "", []);

        Assert.False(sent.Headers.Contains("X-Forwarded-Prefix"));
        Assert.False(sent.Headers.Contains("Forwarded"));
    }

    [Theory]
    [InlineData("GET", Visitor, false)]
    [InlineData("GET", Proxy, false)]
    [InlineData("HEAD", Proxy, false)]
    [InlineData("POST", Visitor, true)]
    [InlineData("POST", Proxy, true)]
    public async Task A_method_override_alone_is_removed_on_bodiless_methods_and_kept_on_post(string method, string peer, bool kept)
    {
        var context = Request(peer, "https", "shop.example", "");
        context.Request.Method = method;
        context.Request.Headers["X-HTTP-Method-Override"] = "DELETE";

        var sent = await ForwardAsync(context);

        Assert.Equal(kept, sent.Headers.Contains("X-HTTP-Method-Override"));
    }

    [Fact]
    public void Removing_from_no_request_is_refused() =>
        Assert.Throws<ArgumentNullException>("proxyRequest", () => TrustedForwardedHeaders.RemoveUnvouched(null!, "GET", trustedPeer: false));

    private static HttpTransformer BuildTransformer()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IOptionsMonitor<AbleOptions>>(new FixedOptions(new AbleOptions { Gateway = new() { TrustedProxies = ["10.0.0.0/8"] } }));
        services.AddSingleton<ClientAddressResolver>();
        services.AddReverseProxy().AddTrustedForwardedHeaders();
        using var provider = services.BuildServiceProvider();
        var route = new RouteConfig { RouteId = "funnel", ClusterId = "origin", Match = new RouteMatch { Path = "/{**rest}" } };
        return provider.GetRequiredService<ITransformBuilder>().Build(route, cluster: null);
    }

    private static DefaultHttpContext Request(string? peer, string scheme, string host, string pathBase)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = peer is null ? null : IPAddress.Parse(peer);
        context.Request.Method = "GET";
        context.Request.Scheme = scheme;
        context.Request.Host = new HostString(host);
        context.Request.PathBase = new PathString(pathBase);
        context.Request.Path = "/book";
        return context;
    }

    private static Task<HttpRequestMessage> ForwardAsync(string? peer, string scheme, string host, string pathBase, Dictionary<string, string> headers)
    {
        var context = Request(peer, scheme, host, pathBase);
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return ForwardAsync(context);
    }

    private static async Task<HttpRequestMessage> ForwardAsync(HttpContext context)
    {
        var proxyRequest = new HttpRequestMessage(new HttpMethod(context.Request.Method), "http://origin.test/");
        // Built per request, as the proxy's configuration would be: nothing here outlives one test.
        await BuildTransformer().TransformRequestAsync(context, proxyRequest, "http://origin.test/", CancellationToken.None);
        return proxyRequest;
    }

    private static string[] Values(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? [.. values] : [];

    private sealed class FixedOptions(AbleOptions value) : IOptionsMonitor<AbleOptions>
    {
        public AbleOptions CurrentValue => value;

        public AbleOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<AbleOptions, string?> listener) => null;
    }
}
