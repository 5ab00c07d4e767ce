using Able.Gateway.Capture;
using Able.Gateway.Routing;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Able.Gateway.Decoration;

/// <summary>
/// <c>GET /go/{link}</c> on a funnel host: captured like a page view, then a 302 to the funnel's configured
/// URL for that link, decorated with the visitor id and UTMs by <see cref="CalendlyLinkDecoration"/>.
/// For places where the gateway cannot rewrite HTML, such as a TikTok bio link.
/// </summary>
internal static class TrackedLinks
{
    public const string PathPrefix = "/go/";

    /// <summary>
    /// The step of the proxy pipeline that answers <c>/go/{link}</c> on funnel routes; it runs before
    /// <see cref="CaptureExtensions.UseVisitorCapture"/>, so a tracked link is captured once, as a link.
    /// </summary>
    public static IReverseProxyApplicationBuilder UseTrackedLinks(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.UseMiddleware<TrackedLinkMiddleware>();
        return proxy;
    }

    /// <summary>The link name when the path is <c>/go/{name}</c> (one segment, optional trailing slash).</summary>
    public static bool TryMatch(PathString path, out string name)
    {
        name = "";
        var value = path.Value;
        if (value is null || !value.StartsWith(PathPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = value[PathPrefix.Length..].TrimEnd('/');
        if (rest.Length == 0 || rest.Contains('/', StringComparison.Ordinal))
        {
            return false;
        }

        name = rest;
        return true;
    }

    public static Task AnswerAsync(HttpContext context, FunnelOptions funnel, string name, VisitorCapture capture)
    {
        var request = context.Request;
        var response = context.Response;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.Headers.Allow = "GET, HEAD";
            return Results.Text("Tracked links answer GET only.\n", statusCode: StatusCodes.Status405MethodNotAllowed).ExecuteAsync(context);
        }

        if (!funnel.Links.TryGetValue(name, out var target))
        {
            return Results.Text($"No tracked link named '{Truncate(name)}' on this site.\n", statusCode: StatusCodes.Status404NotFound).ExecuteAsync(context);
        }

        // Link-preview fetchers, prefetches and HEAD (link checkers) follow the redirect but are not visitors.
        var visitor = HttpMethods.IsHead(request.Method) || PageNavigation.IsCrawler(request.Headers.UserAgent) || PageNavigation.IsPrefetch(request.Headers)
            ? null
            : capture.Capture(context, funnel, VisitorCapture.Link);
        var location = visitor is null
            ? target
            : new CalendlyLinkDecoration(funnel.Calendly.CarrierParam, visitor.VisitorId, visitor.Utms).Decorate(target);

        // The location carries a visitor id: no shared cache may keep it.
        response.Headers.CacheControl = "private, no-store";
        response.Headers[HeaderNames.Location] = location;
        response.StatusCode = StatusCodes.Status302Found;
        return Task.CompletedTask;
    }

    private static string Truncate(string name) => name.Length <= 64 ? name : name[..64];
}

/// <summary>Answers <c>/go/{link}</c> on a funnel route (not the ingress routes); every other request goes on.</summary>
internal sealed class TrackedLinkMiddleware(RequestDelegate next, VisitorCapture capture, IOptionsMonitor<AbleOptions> options)
{
    public Task InvokeAsync(HttpContext context) =>
        TrackedLinks.TryMatch(context.Request.Path, out var link) && FunnelMetadata.FunnelOf(context, options.CurrentValue) is { } funnel
            ? TrackedLinks.AnswerAsync(context, funnel, link, capture)
            : next(context);
}
