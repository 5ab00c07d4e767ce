using System.Globalization;
using System.Threading.RateLimiting;
using Able.Gateway.Routing;
using Able.Hosting.Management;
using Able.Schema.Configuration;
using Able.Schema.Ingress;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Able.Gateway.RateLimiting;

/// <summary>
/// ASP.NET Core's rate limiter on the public port: a fixed window per client IP (resolved through the trusted
/// proxies) on <c>/go/*</c> and the ingress paths, answered 429 with <c>Retry-After</c>; and a global cap on
/// concurrent requests that protects the origins, answered 503 with <c>Retry-After</c>.
/// Settings: <c>Able:Gateway:RateLimit</c>.
/// </summary>
internal static class GatewayRateLimiting
{
    /// <summary>Tracked links and the attribution service's paths.</summary>
    private static readonly string[] LimitedPrefixes = ["/go", .. IngressPaths.All.Select(path => path.Prefix)];

    public static IServiceCollection AddGatewayRateLimiting(this IServiceCollection services)
    {
        services.TryAddSingleton<ClientAddressResolver>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<AbleOptions>, ClientAddressResolver, ManagementPort>((limiter, able, clientAddress, management) =>
            {
                var settings = able.Value.Gateway.RateLimit;
                var concurrency = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    context.Connection.LocalPort == management.Port
                        ? RateLimitPartition.GetNoLimiter("management")
                        : RateLimitPartition.GetConcurrencyLimiter("all", _ => new ConcurrencyLimiterOptions
                        {
                            PermitLimit = settings.MaxConcurrentRequests,
                            QueueLimit = 0,
                        }));
                var perClient = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    context.Connection.LocalPort == management.Port || !IsLimitedPath(context.Request.Path)
                        ? RateLimitPartition.GetNoLimiter("unlimited")
                        : RateLimitPartition.GetFixedWindowLimiter(clientAddress.Resolve(context)?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                        {
                            PermitLimit = settings.PermitsPerWindow,
                            Window = TimeSpan.FromSeconds(settings.WindowSeconds),
                            QueueLimit = 0,
                            AutoReplenishment = true,
                        }));
                limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(concurrency, perClient);
                limiter.OnRejected = RejectAsync;
            });
        return services;
    }

    public static IApplicationBuilder UseGatewayRateLimiting(this IApplicationBuilder app) => app.UseRateLimiter();

    public static bool IsLimitedPath(PathString path) =>
        LimitedPrefixes.Any(prefix => path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase));

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var response = rejected.HttpContext.Response;
        if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            response.StatusCode = StatusCodes.Status429TooManyRequests;
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await response.WriteAsync($"Too many requests from this address; retry after {seconds} s.\n", cancellationToken);
            return;
        }

        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = "1";
        await response.WriteAsync("The gateway is at its concurrent request limit; retry shortly.\n", cancellationToken);
    }
}
