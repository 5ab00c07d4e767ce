using Able.Attribution.Service.Admin;
using Able.Hosting.Management;
using Able.Schema.Redis;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Able.Attribution.Service.ConsolePages;

/// <summary>
/// The console: server-rendered pages under <c>/console</c> on the management port, signed in with the admin token
/// (<see cref="ConsoleSessions"/>), every form guarded by an antiforgery token. Admin off (no token): 404.
/// </summary>
public static class AdminConsole
{
    /// <summary>Data Protection's application name: replicas with the same name and key ring read each other's cookies.</summary>
    public const string DataProtectionApplicationName = "able-attribution";

    public static IServiceCollection AddAdminConsole(this IServiceCollection services)
    {
        services.TryAddSingleton<AdminToken>();
        services.TryAddSingleton<FailedAttemptLimiter>();
        services.TryAddSingleton<ConsoleSessions>();
        services.TryAddSingleton<ConsoleAudit>();
        services.TryAddSingleton<CachedReports>();
        services.TryAddSingleton<CalendlyConnectionState>();
        // Sessions and the report cache in Redis, as the admin API registers them (once for both).
        if (!services.Any(d => d.ServiceType == typeof(IDistributedCache)))
        {
            services.AddRedisDistributedCache();
        }

        // The key ring in Redis under the configured prefix: a cookie or form token made by one replica opens on the next.
        services.AddDataProtection().SetApplicationName(DataProtectionApplicationName);
        services.AddOptions<KeyManagementOptions>().Configure<IConnectionMultiplexer, RedisKeys, ILoggerFactory>((management, redis, keys, loggers) =>
        {
            management.XmlRepository = new RetryingXmlRepository(
                new RedisXmlRepository(() => redis.GetDatabase(), keys.DataProtectionKeys), loggers.CreateLogger(ConsoleAudit.LogCategory));
            // Stored as they are, on purpose: whoever reads this Redis holds the sessions and everything the console shows.
            management.XmlEncryptor = new NullXmlEncryptor();
        });

        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "able_console_csrf";
            antiforgery.Cookie.Path = ConsoleSessions.CookiePath;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.HttpOnly = true;
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            antiforgery.FormFieldName = "csrf";
            antiforgery.HeaderName = null;
            // The console sends X-Frame-Options: DENY itself (antiforgery would send SAMEORIGIN).
            antiforgery.SuppressXFrameOptionsHeader = true;
        });

        // After AddAntiforgery, which adds Data Protection again. The key ring is read (and its first key written) when the
        // console is first used, not at start: a service whose console is off never writes one, and a start while Redis is
        // down is not held up by it.
        var eagerKeyRingLoad = services.FirstOrDefault(d => d.ServiceType == typeof(IHostedService)
            && d.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService");
        if (eagerKeyRingLoad is not null)
        {
            services.Remove(eagerKeyRingLoad);
        }

        return services;
    }

    public static WebApplication MapAdminConsole(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var console = app.MapManagementGroup().MapGroup(ConsoleSessions.CookiePath);
        console.AddEndpointFilter(ConsoleGuard.InvokeAsync);

        console.MapGet("/assets/console.css", () => Asset(ConsoleAssets.Stylesheet, "text/css; charset=utf-8")).WithMetadata(ConsolePublicMetadata.Instance);
        console.MapGet("/assets/console.js", () => Asset(ConsoleAssets.Script, "text/javascript; charset=utf-8")).WithMetadata(ConsolePublicMetadata.Instance);
        LoginPage.Map(console);
        OverviewPage.Map(console);
        CampaignsPage.Map(console);
        ConversionsPage.Map(console);
        JourneyPage.Map(console);
        DeadLettersPage.Map(console);
        ErasePage.Map(console);
        return app;
    }

    private static IResult Asset(string text, string contentType) => Results.Text(text, contentType);
}
