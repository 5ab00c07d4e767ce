using Able.Gateway.Capture;
using Able.Gateway.ClientHints;
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

    /// <summary>The logging category whose being enabled makes ASP.NET Core start an Activity per request.</summary>
    public const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static WebApplication Build(string[] args)
    {
        var builder = AbleHost.CreateBuilder(args, options => options.Gateway, OptionsSections);
        // ASP.NET Core starts an Activity for every request while this category logs at any level, and HttpClient then
        // adds a traceparent to the origin request, for trace ids nothing reads (README, "Performance"). Its only other
        // lines are the per-request "Request starting/finished" ones; a failed start is still logged by the host.
        builder.Logging.AddFilter(HostingDiagnosticsCategory, LogLevel.None);
        builder.WebHost.UseUtf8HeaderValues();
        builder.Services.AddFunnelRouting(builder.Configuration);
        builder.Services.AddVisitorCapture();
        builder.Services.AddGatewayRateLimiting();
        builder.Services.AddHtmlDecoration();
        builder.Services.AddClientHints();
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
