using Able.Gateway.Capture;
using Able.Gateway.Routing;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Able.Gateway.ClientHints;

/// <summary>
/// Asks the browser for its high-entropy client hints (<see cref="AcceptClientHints"/>) on the HTML answer to a captured
/// navigation (a <see cref="GatewayVisitor"/> is attached) over HTTPS, on funnel routes. Every other response keeps the
/// origin's <c>Accept-CH</c>, or none, as it was. Runs on the response path: no Redis, and no allocation unless the
/// origin sends an <c>Accept-CH</c> that lacks some of ours.
/// </summary>
internal sealed class ClientHintsTransforms(ClientAddressResolver clientAddress) : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (FunnelMetadata.SiteMarkOf(context.Route) is null)
        {
            return;
        }

        context.AddResponseTransform(response =>
        {
            var http = response.HttpContext;
            if (GatewayVisitor.Of(http) is not null && IsHtml(http.Response.ContentType)
                && clientAddress.OriginalScheme(http) == Uri.UriSchemeHttps)
            {
                var headers = http.Response.Headers;
                headers[AcceptClientHints.HeaderName] = AcceptClientHints.Merge(headers[AcceptClientHints.HeaderName]);
            }

            return ValueTask.CompletedTask;
        });
    }

    /// <summary><c>text/html</c>, with or without parameters, in any case.</summary>
    internal static bool IsHtml(string? contentType)
    {
        var type = contentType.AsSpan().TrimStart();
        return type.StartsWith("text/html", StringComparison.OrdinalIgnoreCase)
            && (type.Length == 9 || type[9] is ';' or ' ' or '\t');
    }
}
