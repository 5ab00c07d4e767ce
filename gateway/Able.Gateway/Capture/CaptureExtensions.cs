using Able.Gateway.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Able.Gateway.Capture;

public static class CaptureExtensions
{
    /// <summary>Capture services: the budget, the queue, the background Redis writer, the client-address resolver, metrics.</summary>
    public static IServiceCollection AddVisitorCapture(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CaptureMetrics>();
        services.AddSingleton<CaptureQueue>();
        services.AddSingleton<CaptureBudget>();
        services.TryAddSingleton<ClientAddressResolver>();
        services.AddSingleton<VisitorCapture>();
        services.AddHostedService<CaptureWriter>();
        return services;
    }

    /// <summary>The capture step of the proxy pipeline; it must run before any response transform that reads <see cref="GatewayVisitor"/>.</summary>
    public static IReverseProxyApplicationBuilder UseVisitorCapture(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.UseMiddleware<FunnelCaptureMiddleware>();
        return proxy;
    }
}
