using Able.Attribution.Service;
using Able.Gateway;
using Able.Schema.Configuration;

namespace Able.Tests.Configuration;

/// <summary>The configuration sections each service validates besides the shared ones, as the services declare them.</summary>
internal static class ServiceSections
{
    public static IReadOnlyList<IAbleOptionsSectionValidator> Gateway => GatewayApp.OptionsSections;

    public static IReadOnlyList<IAbleOptionsSectionValidator> Attribution => AttributionApp.OptionsSections;

    /// <summary>Every section: what the two services check between them.</summary>
    public static IReadOnlyList<IAbleOptionsSectionValidator> Both => [.. Gateway, .. Attribution];
}
