using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Able.Gateway.Decoration;

internal static class HtmlDecorationExtensions
{
    /// <summary>Decorates Calendly links in proxied HTML of funnel routes (per funnel <c>DecorateHtml</c>, default on).</summary>
    public static IServiceCollection AddHtmlDecoration(this IServiceCollection services)
    {
        services.TryAddSingleton<HtmlDecorationMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITransformProvider, HtmlDecorationTransforms>());
        return services;
    }
}
