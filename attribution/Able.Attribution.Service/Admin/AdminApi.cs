using Able.Hosting.Management;
using Able.Schema.Redis;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Able.Attribution.Service.Admin;

/// <summary>
/// The admin API (JSON, <c>/admin/api/...</c>) on the management port only: funnels, summaries and campaign reports,
/// conversions (receipts), journeys, dead letters and erasure, every route behind the admin token
/// (<see cref="AdminAuthFilter"/>). README, "Admin API", shows each route with curl.
/// </summary>
public static class AdminApi
{
    /// <summary>Where every admin API route starts.</summary>
    public const string BasePath = "/admin/api";

    public static IServiceCollection AddAdminApi(this IServiceCollection services)
    {
        services.AddSingleton<AdminToken>();
        services.AddSingleton<FailedAttemptLimiter>();
        services.AddSingleton<AdminAuthFilter>();
        services.AddSingleton<CachedReports>();
        services.AddHostedService<AdminStateLog>();
        services.AddRedisDistributedCache();
        services.AddAdminOpenApi();
        return services;
    }

    /// <summary>
    /// The distributed cache (report cache here, login sessions in the console) in Redis, on the service's own
    /// multiplexer, its keys under <c>{KeyPrefix}admin:cache:</c>, so every replica shares it.
    /// </summary>
    internal static IServiceCollection AddRedisDistributedCache(this IServiceCollection services)
    {
        services.AddOptions<RedisCacheOptions>()
            .Configure<IConnectionMultiplexer, RedisKeys>((cache, redis, keys) =>
            {
                cache.ConnectionMultiplexerFactory = () => Task.FromResult(redis);
                cache.InstanceName = keys.CacheKeyPrefix;
            });
        services.AddSingleton<IDistributedCache>(provider =>
            new SharedConnectionCache(new RedisCache(provider.GetRequiredService<IOptions<RedisCacheOptions>>())));
        return services;
    }

    public static WebApplication MapAdminApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var admin = app.MapManagementGroup().MapGroup(BasePath);
        admin.AddEndpointFilter(app.Services.GetRequiredService<AdminAuthFilter>());
        admin.ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);
        admin.MapOpenApi("/openapi.json");
        admin.MapFunnelRoutes();
        admin.MapReportRoutes();
        admin.MapConversionRoutes();
        admin.MapPeopleRoutes();
        admin.MapDeadLetterRoutes();
        // Any other path under /admin/api: a problem (after the token check, like every admin route), not the plain 404.
        admin.Map("/{**path}", (HttpContext context) =>
            AdminProblems.NotFound($"no admin API route {context.Request.Method} {context.Request.Path}"));
        return app;
    }
}
