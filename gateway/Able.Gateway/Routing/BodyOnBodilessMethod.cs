using Able.Hosting.Management;
using Microsoft.AspNetCore.Http.Features;

namespace Able.Gateway.Routing;

/// <summary>
/// Refuses (400) a GET, HEAD, OPTIONS or TRACE request that carries a body, before capture and before anything is
/// forwarded. Many origins ignore a body on these methods without reading it; on a connection the gateway reuses,
/// those bytes would then be read as the next request and its answer handed to another visitor (request
/// smuggling, the "CL.0" class). A body is what YARP would forward: a non-zero <c>Content-Length</c> or
/// <c>Transfer-Encoding: chunked</c> on HTTP/1.x, a stream left open after the headers on HTTP/2.
/// Counted in <c>able_gateway_rejected_total{reason="body_on_bodiless_method"}</c>.
/// </summary>
internal static partial class BodyOnBodilessMethod
{
    public const string Reason = "body_on_bodiless_method";

    public static bool IsBodilessMethod(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    /// <summary>True when the request has a body to forward (the same test YARP applies before it copies one).</summary>
    public static bool CarriesBody(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody
            ?? (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0);
    }

    /// <summary>Answers 400 to a public-port request with a body on a bodiless method; everything else goes on.</summary>
    public static IApplicationBuilder UseBodyOnBodilessMethodRejection(this IApplicationBuilder app)
    {
        var metrics = app.ApplicationServices.GetRequiredService<GatewayRequestMetrics>();
        var managementPort = app.ApplicationServices.GetRequiredService<ManagementPort>().Port;
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BodyOnBodilessMethod));
        return app.Use((context, next) =>
        {
            var request = context.Request;
            if (context.Connection.LocalPort == managementPort || !IsBodilessMethod(request.Method) || !CarriesBody(request))
            {
                return next(context);
            }

            var funnel = GatewayRequestMetrics.FunnelOf(context);
            metrics.Rejected(funnel, Reason);
            LogRejected(logger, request.Method, funnel);
            return Results.Text(
                    $"Bad request: a {request.Method} request must not carry a body (Content-Length or Transfer-Encoding); the gateway does not forward it.\n",
                    statusCode: StatusCodes.Status400BadRequest)
                .ExecuteAsync(context);
        });
    }

    [LoggerMessage(EventId = EventIds.BodyOnBodilessMethodRefused, Level = LogLevel.Debug, Message = "Refused a {Method} request with a body (funnel {Funnel})")]
    private static partial void LogRejected(ILogger logger, string method, string funnel);
}
