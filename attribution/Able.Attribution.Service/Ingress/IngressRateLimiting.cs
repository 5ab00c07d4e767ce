using System.Globalization;
using System.Threading.RateLimiting;
using Able.Hosting;
using Able.Schema.Configuration;
using Microsoft.AspNetCore.RateLimiting;

namespace Able.Attribution.Service.Ingress;

/// <summary>
/// ASP.NET Core's rate limiter on the ingress endpoints only: a fixed window per client IP chained with one per
/// funnel (the route's funnel for webhooks; the funnel owning the bearer key for the conversions API). Unknown
/// funnels share no funnel window, so they cannot exhaust a real funnel's. Over the limit: 429 with Retry-After.
/// </summary>
internal static class IngressRateLimiting
{
    // Loopback is always trusted: the gateway on the same host forwards these paths and appends the client it saw.
    private static readonly ClientAddressCache ClientAddresses = new("127.0.0.0/8", "::1/128");

    public static IServiceCollection AddIngressRateLimiting(this IServiceCollection services) =>
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(PerClientIp),
                PartitionedRateLimiter.Create<HttpContext, string>(PerFunnel));
            options.OnRejected = OnRejectedAsync;
        });

    private static RateLimitPartition<string> PerClientIp(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IngressRoute>() is null)
        {
            return RateLimitPartition.GetNoLimiter("");
        }

        var limits = context.RequestServices.GetRequiredService<IngressFunnels>().Limits;
        return RateLimitPartition.GetFixedWindowLimiter(
            "ip:" + ClientAddress(context, limits), _ => Window(limits.RateLimit.PermitsPerIp, limits.RateLimit));
    }

    private static RateLimitPartition<string> PerFunnel(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IngressRoute>() is not { } ingress)
        {
            return RateLimitPartition.GetNoLimiter("");
        }

        var funnels = context.RequestServices.GetRequiredService<IngressFunnels>();
        var funnel = ingress.FunnelOf(context, funnels);
        if (funnel is null)
        {
            return RateLimitPartition.GetNoLimiter("");
        }

        var limits = funnels.Limits.RateLimit;
        return RateLimitPartition.GetFixedWindowLimiter("funnel:" + funnel.Mark, _ => Window(limits.PermitsPerFunnel, limits));
    }

    private static FixedWindowRateLimiterOptions Window(int permits, IngressRateLimitOptions limits) => new()
    {
        PermitLimit = permits,
        Window = TimeSpan.FromSeconds(limits.WindowSeconds),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>
    /// The client for the per-IP window: the peer, or the rightmost untrusted <c>X-Forwarded-For</c> hop when the
    /// peer is loopback or a configured trusted proxy (the gateway forwards these paths and appends the client it saw).
    /// </summary>
    internal static string ClientAddress(HttpContext context, IngressOptions limits) =>
        ClientAddresses.For(limits.TrustedProxies).Resolve(context)?.ToString() ?? "unknown";

    private static async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        if (context.GetEndpoint()?.Metadata.GetMetadata<IngressRoute>() is { } ingress)
        {
            // The mark in the path: a rate-limited conversions API request is counted for no funnel.
            var funnel = context.RequestServices.GetRequiredService<IngressFunnels>().Find(IngressRoute.MarkInPath(context));
            context.RequestServices.GetRequiredService<IngressMetrics>()
                .Count(ingress.Source, funnel?.Mark ?? IngressMetrics.UnknownFunnelLabel, IngressOutcome.RateLimited);
        }

        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await IngressResults.Problem(StatusCodes.Status429TooManyRequests, "Too many requests", $"Retry after {seconds} s.")
            .ExecuteAsync(context);
    }
}
