using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Able.Attribution.Calendly.Api;

public static class CalendlyApiServiceCollectionExtensions
{
    /// <summary>The Calendly API client (typed HttpClient) and the connector. Needs <c>IOptionsMonitor&lt;AbleOptions&gt;</c>.</summary>
    public static IServiceCollection AddCalendlyApi(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        // The client enforces Able:Attribution:Calendly:RequestTimeoutMilliseconds itself, per request and not across rate-limit waits.
        // The connector is a singleton and keeps its client: connections are renewed by the handler instead of the factory's
        // handler rotation, so DNS changes are still seen.
        services.AddHttpClient<CalendlyApiClient>(client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.MaxResponseContentBufferSize = CalendlyApiClient.MaxResponseBytes;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.TryAddSingleton(provider => new CalendlyConnector(provider.GetRequiredService<CalendlyApiClient>()));
        return services;
    }
}
