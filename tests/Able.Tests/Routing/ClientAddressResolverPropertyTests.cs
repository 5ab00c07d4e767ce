using System.Net;
using Able.Gateway.Capture;
using Able.Gateway.Routing;
using Able.Schema.Configuration;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Able.Tests.Routing;

/// <summary><see cref="ClientAddressResolver"/> on any forwarded headers from a trusted or untrusted peer: never throws; the scheme is http or https.</summary>
public sealed class ClientAddressResolverPropertyTests
{
    private static readonly ClientAddressResolver Resolver = new(new FixedOptions(new AbleOptions { Gateway = new() { TrustedProxies = ["10.0.0.0/8"] } }));

    [Fact]
    public void Any_forwarded_headers_give_an_address_and_a_known_scheme() =>
        Gen.Select(AdversarialInput.Text, AdversarialInput.Text, AdversarialInput.Element("10.0.0.2", "203.0.113.5", "::ffff:10.1.1.1")).Sample((forwardedFor, proto, peer) =>
        {
            var context = new DefaultHttpContext();
            context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
            context.Request.Scheme = "http";
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
            context.Request.Headers["X-Forwarded-Proto"] = proto;
            Assert.NotNull(Resolver.Resolve(context));
            Assert.Contains(Resolver.OriginalScheme(context), new[] { "http", "https" });
        }, iter: AdversarialInput.Iterations);

    private sealed class FixedOptions(AbleOptions value) : IOptionsMonitor<AbleOptions>
    {
        public AbleOptions CurrentValue => value;

        public AbleOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<AbleOptions, string?> listener) => null;
    }
}
