using Able.Gateway.Routing;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Gateway.Capture;

/// <summary>
/// Step of the YARP pipeline for funnel routes: captures page navigations (and attaches
/// <see cref="GatewayVisitor"/>) before the request is proxied. Ingress routes to the attribution service and
/// requests that are not navigations pass through untouched.
/// </summary>
internal sealed class FunnelCaptureMiddleware(RequestDelegate next, VisitorCapture capture, IOptionsMonitor<AbleOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (FunnelMetadata.FunnelOf(context, options.CurrentValue) is { } funnel && PageNavigation.IsNavigation(context.Request))
        {
            capture.Capture(context, funnel, VisitorCapture.PageView);
        }

        return next(context);
    }
}
