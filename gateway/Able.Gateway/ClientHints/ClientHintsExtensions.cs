using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Able.Gateway.ClientHints;

internal static class ClientHintsExtensions
{
    /// <summary>Adds <c>Accept-CH</c> to the HTML of captured navigations over HTTPS (<see cref="AcceptClientHints"/>).</summary>
    public static IServiceCollection AddClientHints(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITransformProvider, ClientHintsTransforms>());
        return services;
    }
}
