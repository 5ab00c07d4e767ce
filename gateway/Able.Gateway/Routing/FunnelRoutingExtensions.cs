using Yarp.ReverseProxy.Configuration;

namespace Able.Gateway.Routing;

internal static class FunnelRoutingExtensions
{
    public static IServiceCollection AddFunnelRouting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IProxyConfigProvider, FunnelProxyConfigProvider>();
        services.AddSingleton<GatewayRequestMetrics>();
        // A standard "ReverseProxy" section still works for routes that are not funnels.
        services.AddReverseProxy().LoadFromConfig(configuration.GetSection("ReverseProxy")).AddTrustedForwardedHeaders();
        return services;
    }

    /// <summary>
    /// Maps the proxy. <paramref name="funnelSteps"/> adds the gateway's own pipeline steps (tracked links, capture,
    /// then response transforms) ahead of YARP's standard load balancing and forwarding.
    /// </summary>
    public static WebApplication MapFunnelRouting(this WebApplication app, Action<IReverseProxyApplicationBuilder> funnelSteps)
    {
        app.MapReverseProxy(proxy =>
        {
            funnelSteps(proxy);
            proxy.UseOriginTiming();
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        // Never 410 here: Calendly deletes a webhook subscription that answers 410.
        app.MapFallback(() => Results.Text("Unknown host: no funnel serves this host name.\n", statusCode: StatusCodes.Status404NotFound));
        return app;
    }
}
