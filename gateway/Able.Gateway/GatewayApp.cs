using Able.Gateway.Capture;
using Able.Gateway.Decoration;
using Able.Gateway.RateLimiting;
using Able.Gateway.Routing;
using Able.Gateway.Tls;
using Able.Hosting;
using Able.Hosting.Management;
using Able.Schema.Configuration;

namespace Able.Gateway;

/// <summary>The gateway: YARP in front of each funnel's origin, plus the management port.</summary>
public static class GatewayApp
{
    /// <summary>The configuration sections the gateway validates besides the shared ones (Redis, Funnels).</summary>
    public static IReadOnlyList<IAbleOptionsSectionValidator> OptionsSections { get; } = [new GatewayOptionsValidator()];

    public static WebApplication Build(string[] args)
    {
        var builder = AbleHost.CreateBuilder(args, options => options.Gateway, OptionsSections);
        builder.WebHost.UseUtf8HeaderValues();
        builder.Services.AddFunnelRouting(builder.Configuration);
        builder.Services.AddVisitorCapture();
        builder.Services.AddGatewayRateLimiting();
        builder.Services.AddHtmlDecoration();
        builder.AddGatewayTls();

        var app = builder.Build();
        app.MapHealthAndMetrics("gateway");
        app.MapVisitorLookup();
        app.UseGatewayRequestMetrics();
        app.UseBodyOnBodilessMethodRejection();
        app.UseHttpsEdge();
        app.UseGatewayRateLimiting();
        app.MapFunnelRouting(proxy =>
        {
            // Tracked links answer before capture, so /go/{link} is captured once, as a link.
            proxy.UseTrackedLinks();
            proxy.UseVisitorCapture();
            // HTML decoration is a YARP transform (Decoration/), so it sees the GatewayVisitor attached here.
        });
        return app;
    }
}
