using System.Net;
using Able.Gateway.Routing;
using Able.Schema.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Able.Tests.Routing;

/// <summary>
/// <see cref="ClientAddressResolver"/>: a peer in <c>Able:Gateway:TrustedProxies</c> is believed about the client's
/// address and scheme; anyone else is not, and a trusted proxy is believed only about http or https.
/// </summary>
public sealed class ClientAddressResolverTests
{
    private static readonly ClientAddressResolver Resolver = new(new FixedOptions(new AbleOptions { Gateway = new() { TrustedProxies = ["10.0.0.0/8"] } }));

    private static DefaultHttpContext Request(string? peer, string? forwardedFor = null, string? proto = null, string scheme = "http")
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = peer is null ? null : IPAddress.Parse(peer);
        context.Request.Scheme = scheme;
        if (forwardedFor is not null)
        {
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }

        if (proto is not null)
        {
            context.Request.Headers["X-Forwarded-Proto"] = proto;
        }

        return context;
    }

    [Theory]
    [InlineData("10.0.0.2", true)]
    [InlineData("::ffff:10.0.0.2", true)]
    [InlineData("203.0.113.5", false)]
    [InlineData("::1", false)]
    [InlineData(null, false)]
    public void Only_a_peer_in_the_trusted_networks_is_a_trusted_proxy(string? peer, bool trusted) =>
        Assert.Equal(trusted, Resolver.IsTrustedPeer(Request(peer)));

    [Theory]
    [InlineData("10.0.0.2", "198.51.100.1", "198.51.100.1")]
    [InlineData("203.0.113.5", "198.51.100.1", "203.0.113.5")]
    [InlineData("::ffff:203.0.113.5", "198.51.100.1", "203.0.113.5")]
    public void The_client_address_comes_from_forwarded_for_only_through_a_trusted_proxy(string peer, string forwardedFor, string expected) =>
        Assert.Equal(IPAddress.Parse(expected), Resolver.Resolve(Request(peer, forwardedFor)));

    [Theory]
    [InlineData("10.0.0.2", "https", "http", "https")]
    [InlineData("10.0.0.2", "HTTPS", "http", "https")]
    [InlineData("10.0.0.2", " https , http", "http", "https")]
    [InlineData("10.0.0.2", "http", "https", "http")]
    [InlineData("10.0.0.2", "wss", "http", "http")]
    [InlineData("10.0.0.2", "", "https", "https")]
    [InlineData("10.0.0.2", null, "http", "http")]
    [InlineData("203.0.113.5", "https", "http", "http")]
    [InlineData("203.0.113.5", "http", "https", "https")]
    public void The_original_scheme_is_a_trusted_proxys_http_or_https_else_the_requests_own(string peer, string? proto, string scheme, string expected) =>
        Assert.Equal(expected, Resolver.OriginalScheme(Request(peer, proto: proto, scheme: scheme)));

    [Fact]
    public void A_changed_trusted_proxy_list_applies_to_the_next_request()
    {
        var options = new MutableOptions(new AbleOptions { Gateway = new() { TrustedProxies = [] } });
        var resolver = new ClientAddressResolver(options);
        Assert.False(resolver.IsTrustedPeer(Request("10.0.0.2")));

        options.CurrentValue = new AbleOptions { Gateway = new() { TrustedProxies = ["10.0.0.0/8"] } };

        Assert.True(resolver.IsTrustedPeer(Request("10.0.0.2")));
        Assert.Equal(IPAddress.Parse("198.51.100.1"), resolver.Resolve(Request("10.0.0.2", "198.51.100.1")));
    }

    [Fact]
    public void Asking_about_no_request_is_refused()
    {
        Assert.Throws<ArgumentNullException>("context", () => Resolver.IsTrustedPeer(null!));
        Assert.Throws<ArgumentNullException>("context", () => Resolver.OriginalScheme(null!));
    }

    private sealed class FixedOptions(AbleOptions value) : IOptionsMonitor<AbleOptions>
    {
        public AbleOptions CurrentValue => value;

        public AbleOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<AbleOptions, string?> listener) => null;
    }

    private sealed class MutableOptions(AbleOptions value) : IOptionsMonitor<AbleOptions>
    {
        public AbleOptions CurrentValue { get; set; } = value;

        public AbleOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<AbleOptions, string?> listener) => null;
    }
}
