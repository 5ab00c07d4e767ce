using System.Diagnostics;
using System.Globalization;
using Able.Hosting.Management;
using Prometheus;
using Yarp.ReverseProxy.Model;

namespace Able.Gateway.Routing;

/// <summary>
/// <c>able_gateway_requests_total{funnel,status}</c>, <c>able_gateway_rejected_total{funnel,reason}</c> and the
/// origin latency histogram.
/// </summary>
internal sealed class GatewayRequestMetrics(IMetricFactory metrics)
{
    /// <summary>The funnel label of requests no funnel serves (unknown hosts).</summary>
    public const string NoFunnel = "none";

    private readonly Counter requests = metrics.CreateCounter(
        "able_gateway_requests_total", "Requests answered on the public port, by funnel and status code.", ["funnel", "status"]);

    private readonly Counter rejected = metrics.CreateCounter(
        "able_gateway_rejected_total", "Requests the gateway refused to forward, by funnel and reason.", ["funnel", "reason"]);

    private readonly Histogram originSeconds = metrics.CreateHistogram(
        "able_gateway_origin_seconds", "Time from forwarding a request to the origin until its response was fully relayed.",
        new HistogramConfiguration
        {
            LabelNames = ["funnel"],
            Buckets = Histogram.ExponentialBuckets(0.005, 2, 12),
        });

    public void Answered(string funnel, int status) =>
        requests.WithLabels(funnel, status.ToString(CultureInfo.InvariantCulture)).Inc();

    /// <summary>A request refused at the edge (it is also counted by status in <c>able_gateway_requests_total</c>).</summary>
    public void Rejected(string funnel, string reason) => rejected.WithLabels(funnel, reason).Inc();

    public void Forwarded(string funnel, TimeSpan elapsed) => originSeconds.WithLabels(funnel).Observe(elapsed.TotalSeconds);

    public static string FunnelOf(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.Metadata?.GetValueOrDefault(FunnelMetadata.Key) ?? NoFunnel;
}

internal static class GatewayRequestMetricsExtensions
{
    /// <summary>Counts every public-port request by funnel and status once it is answered.</summary>
    public static IApplicationBuilder UseGatewayRequestMetrics(this IApplicationBuilder app)
    {
        var metrics = app.ApplicationServices.GetRequiredService<GatewayRequestMetrics>();
        var managementPort = app.ApplicationServices.GetRequiredService<ManagementPort>().Port;
        return app.Use(async (context, next) =>
        {
            if (context.Connection.LocalPort == managementPort)
            {
                await next(context);
                return;
            }

            try
            {
                await next(context);
            }
            finally
            {
                metrics.Answered(GatewayRequestMetrics.FunnelOf(context), context.Response.StatusCode);
            }
        });
    }

    /// <summary>Times the forwarding step of the proxy pipeline (origin latency plus relaying the body).</summary>
    public static IReverseProxyApplicationBuilder UseOriginTiming(this IReverseProxyApplicationBuilder proxy)
    {
        var metrics = proxy.ApplicationServices.GetRequiredService<GatewayRequestMetrics>();
        proxy.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                metrics.Forwarded(GatewayRequestMetrics.FunnelOf(context), Stopwatch.GetElapsedTime(started));
            }
        });
        return proxy;
    }
}
