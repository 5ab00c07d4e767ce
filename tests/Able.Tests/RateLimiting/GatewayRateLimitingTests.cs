using System.Net;
using System.Threading.RateLimiting;
using Able.Gateway.RateLimiting;
using Able.Hosting.Management;
using Able.Schema.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Able.Tests.RateLimiting;

/// <summary>
/// The gateway's limiter as registered, asked directly: which paths are limited, whose window a request counts
/// against (the client address through the trusted proxies), and what the management port and the concurrency cap do.
/// </summary>
public sealed class GatewayRateLimitingTests
{
    private const int ManagementPort = 9090;

    [Theory]
    [InlineData("/go/intro", true)]
    [InlineData("/go", true)]
    [InlineData("/GO/Intro", true)]
    [InlineData("/calendly-webhook/acme", true)]
    [InlineData("/stripe-webhook/acme", true)]
    [InlineData("/v1/conversions", true)]
    [InlineData("/v1/conversions/", true)]
    [InlineData("/", false)]
    [InlineData("/gone", false)]
    [InlineData("/golf/go/", false)]
    [InlineData("/v1/conversionsx", false)]
    [InlineData("/calendly-webhooks/acme", false)]
    [InlineData("/pricing", false)]
    public void Only_tracked_links_and_the_ingress_paths_are_limited(string path, bool limited) =>
        Assert.Equal(limited, GatewayRateLimiting.IsLimitedPath(new PathString(path)));

    [Fact]
    public void A_client_gets_its_permits_per_window_then_a_refusal_with_retry_after()
    {
        var limiter = Limiter(permits: 3);

        for (var i = 0; i < 3; i++)
        {
            using var lease = limiter.AttemptAcquire(Request("/go/intro", "198.51.100.7"));
            Assert.True(lease.IsAcquired, $"request {i + 1}");
        }

        using var refused = limiter.AttemptAcquire(Request("/go/intro", "198.51.100.7"));
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.InRange(retryAfter, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void Each_client_address_has_its_own_window_and_the_ingress_paths_share_it()
    {
        var limiter = Limiter(permits: 2);

        Acquire(limiter, Request("/go/intro", "198.51.100.7"));
        Acquire(limiter, Request("/v1/conversions", "198.51.100.7"));
        Refused(limiter, Request("/stripe-webhook/acme", "198.51.100.7"));

        Acquire(limiter, Request("/go/intro", "198.51.100.8"));
    }

    [Fact]
    public void Pages_and_the_management_port_are_never_counted()
    {
        var limiter = Limiter(permits: 1);

        for (var i = 0; i < 5; i++)
        {
            Acquire(limiter, Request("/pricing", "198.51.100.7"));
            Acquire(limiter, Request("/go/intro", "198.51.100.7", localPort: ManagementPort));
        }

        Acquire(limiter, Request("/go/intro", "198.51.100.7"));
    }

    [Fact]
    public void Behind_a_trusted_proxy_the_forwarded_client_is_the_partition()
    {
        var limiter = Limiter(permits: 1, trustedProxies: ["10.0.0.0/8"]);

        Acquire(limiter, Request("/go/intro", "10.0.0.2", forwardedFor: "198.51.100.7"));
        Acquire(limiter, Request("/go/intro", "10.0.0.2", forwardedFor: "198.51.100.8"));
        Refused(limiter, Request("/go/intro", "10.0.0.3", forwardedFor: "198.51.100.7"));
    }

    [Fact]
    public void An_untrusted_peer_cannot_pick_its_partition_with_x_forwarded_for()
    {
        var limiter = Limiter(permits: 1);

        Acquire(limiter, Request("/go/intro", "203.0.113.9", forwardedFor: "198.51.100.1"));
        Refused(limiter, Request("/go/intro", "203.0.113.9", forwardedFor: "198.51.100.2"));
    }

    [Fact]
    public void The_concurrency_cap_refuses_without_retry_after_metadata_and_spares_the_management_port()
    {
        var limiter = Limiter(permits: 100, maxConcurrent: 2);
        using var first = limiter.AttemptAcquire(Request("/pricing", "198.51.100.7"));
        using var second = limiter.AttemptAcquire(Request("/about", "198.51.100.8"));
        Assert.True(first.IsAcquired && second.IsAcquired);

        using (var third = limiter.AttemptAcquire(Request("/pricing", "198.51.100.9")))
        {
            Assert.False(third.IsAcquired);
            Assert.False(third.TryGetMetadata(MetadataName.RetryAfter, out _));
        }

        Acquire(limiter, Request("/metrics", "198.51.100.9", localPort: ManagementPort));
        second.Dispose();
        Acquire(limiter, Request("/pricing", "198.51.100.9"));
    }

    private static void Acquire(PartitionedRateLimiter<HttpContext> limiter, HttpContext context)
    {
        using var lease = limiter.AttemptAcquire(context);
        Assert.True(lease.IsAcquired, $"{context.Connection.RemoteIpAddress} {context.Request.Path} was refused");
    }

    private static void Refused(PartitionedRateLimiter<HttpContext> limiter, HttpContext context)
    {
        using var lease = limiter.AttemptAcquire(context);
        Assert.False(lease.IsAcquired, $"{context.Connection.RemoteIpAddress} {context.Request.Path} was let through");
    }

    private static PartitionedRateLimiter<HttpContext> Limiter(int permits, int maxConcurrent = 1000, string[]? trustedProxies = null)
    {
        var able = new AbleOptions
        {
            Gateway = new GatewayOptions
            {
                TrustedProxies = trustedProxies ?? [],
                RateLimit = new GatewayRateLimitOptions { PermitsPerWindow = permits, WindowSeconds = 60, MaxConcurrentRequests = maxConcurrent },
            },
        };
        var services = new ServiceCollection();
        services.AddSingleton(Options.Create(able));
        services.AddSingleton<IOptionsMonitor<AbleOptions>>(new FixedOptions(able));
        services.AddSingleton(new ManagementPort(ManagementPort));
        services.AddGatewayRateLimiting();
        var limiter = services.BuildServiceProvider().GetRequiredService<IOptions<RateLimiterOptions>>().Value.GlobalLimiter;
        return Assert.IsAssignableFrom<PartitionedRateLimiter<HttpContext>>(limiter);
    }

    private static DefaultHttpContext Request(string path, string peer, string? forwardedFor = null, int localPort = 8080)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        context.Connection.LocalPort = localPort;
        if (forwardedFor is not null)
        {
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }

        return context;
    }

    private sealed class FixedOptions(AbleOptions value) : IOptionsMonitor<AbleOptions>
    {
        public AbleOptions CurrentValue => value;

        public AbleOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<AbleOptions, string?> listener) => null;
    }
}
