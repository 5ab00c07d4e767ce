using Able.Attribution.Calendly.Api;
using Able.Supervision;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Able.Attribution.Calendly.Watchdog;

public static class CalendlyWatchdogServiceCollectionExtensions
{
    /// <summary>
    /// The Calendly subscription watchdog (off with <c>Able:Attribution:Calendly:WatchdogEnabled</c> false) and the Calendly API it
    /// uses. Needs <c>AddAbleRedis</c>, an <c>IMetricFactory</c> and the host's <c>SecretsOverlayFile</c>.
    /// </summary>
    public static IServiceCollection AddCalendlyWatchdog(this IServiceCollection services)
    {
        services.AddCalendlyApi();
        services.TryAddSingleton<LoopHealth>();
        services.TryAddSingleton<CalendlyWatchdogMetrics>();
        services.TryAddSingleton<WatchdogLock>();
        services.AddHostedService<CalendlyWatchdog>();
        return services;
    }
}
