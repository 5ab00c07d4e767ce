using Able.Gateway.Routing;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace Able.Gateway.Capture;

/// <summary>
/// Step of the YARP pipeline for funnel routes: answers <c>/go/{link}</c>, captures page navigations (and
/// attaches <see cref="GatewayVisitor"/>) before the request is proxied. Ingress routes to the attribution
/// service and requests that are not navigations pass through untouched.
/// </summary>
internal sealed class FunnelCaptureMiddleware(RequestDelegate next, VisitorCapture capture, IOptionsMonitor<AbleOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        var funnel = FunnelOf(context);
        if (funnel is null)
        {
            return next(context);
        }

        if (TrackedLinks.TryMatch(context.Request.Path, out var link))
        {
            return TrackedLinks.AnswerAsync(context, funnel, link, capture);
        }

        if (PageNavigation.IsNavigation(context.Request))
        {
            capture.Capture(context, funnel, VisitorCapture.PageView);
        }

        return next(context);
    }

    private FunnelOptions? FunnelOf(HttpContext context)
    {
        var route = context.GetReverseProxyFeature().Route.Config;
        if (route.ClusterId == FunnelProxyConfigProvider.AttributionClusterId
            || route.Metadata?.TryGetValue(FunnelMetadata.Key, out var mark) != true)
        {
            return null;
        }

        return options.CurrentValue.FindFunnel(mark);
    }
}
