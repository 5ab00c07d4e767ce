using Yarp.ReverseProxy.Configuration;

namespace Able.Gateway.Routing;

internal static class FunnelRoutingExtensions
{
    public static IServiceCollection AddFunnelRouting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IProxyConfigProvider, FunnelProxyConfigProvider>();
        // A standard "ReverseProxy" section still works for routes that are not funnels.
        services.AddReverseProxy().LoadFromConfig(configuration.GetSection("ReverseProxy"));
        return services;
    }

    public static WebApplication MapFunnelRouting(this WebApplication app)
    {
        app.MapReverseProxy();
        // Never 410 here: Calendly deletes a webhook subscription that answers 410.
        app.MapFallback(() => Results.Text("Unknown host: no funnel serves this host name.\n", statusCode: StatusCodes.Status404NotFound));
        return app;
    }
}
