using Able.Gateway.Capture;
using Able.Gateway.Routing;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Able.Gateway.Decoration;

/// <summary>
/// Hooks HTML decoration into each funnel route (not the ingress routes): asks the origin for an
/// uncompressed page when the visitor's page may be decorated, and swaps a decorated <c>text/html</c>
/// response body for a <see cref="DecoratedHtmlContent"/>, fixing the headers that the new bytes invalidate.
/// Nothing happens without a <see cref="GatewayVisitor"/> (no consent or no capture): the page passes unchanged.
/// </summary>
internal sealed partial class HtmlDecorationTransforms(
    IOptionsMonitor<AbleOptions> options,
    HtmlDecorationMetrics metrics,
    ILogger<HtmlDecorationTransforms> logger) : ITransformProvider
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
        if (FunnelMetadata.SiteMarkOf(context.Route) is not { } mark)
        {
            return;
        }

        context.AddRequestTransform(request =>
        {
            var method = request.HttpContext.Request.Method;
            if ((HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) && DecorationFor(request.HttpContext, mark) is not null)
            {
                // Ask for the page uncompressed; if the origin compresses anyway, the response side decodes it.
                request.ProxyRequest.Headers.Remove(HeaderNames.AcceptEncoding);
                request.ProxyRequest.Headers.TryAddWithoutValidation(HeaderNames.AcceptEncoding, "identity");
                // A 304 would let the browser reuse a copy decorated for nobody (or before consent): ask for the page.
                request.ProxyRequest.Headers.Remove(HeaderNames.IfNoneMatch);
                request.ProxyRequest.Headers.Remove(HeaderNames.IfModifiedSince);
            }

            return ValueTask.CompletedTask;
        });

        context.AddResponseTransform(response =>
        {
            Decorate(response, mark);
            return ValueTask.CompletedTask;
        });
    }

    private CalendlyLinkDecoration? DecorationFor(HttpContext context, string mark)
    {
        if (GatewayVisitor.Of(context) is not { } visitor)
        {
            return null;
        }

        var funnel = options.CurrentValue.FindFunnel(mark);
        return funnel is { DecorateHtml: true }
            ? new CalendlyLinkDecoration(funnel.Calendly.CarrierParam, visitor.VisitorId, visitor.Utms)
            : null;
    }

    private void Decorate(ResponseTransformContext context, string mark)
    {
        var http = context.HttpContext;
        var proxied = context.ProxyResponse;
        if (proxied?.Content is null || context.SuppressResponseBody || !IsRewritableHtml(http)
            || DecorationFor(http, mark) is not { } decoration)
        {
            return;
        }

        var headers = http.Response.Headers;
        if (!TryParseCoding(headers.ContentEncoding, out var originCoding))
        {
            LogUnknownEncoding(logger, mark, headers.ContentEncoding.ToString());
            return;
        }

        var clientCoding = originCoding != ContentCoding.Identity && ClientAccepts(http.Request.Headers.AcceptEncoding, headers.ContentEncoding.ToString())
            ? originCoding
            : ContentCoding.Identity;
        if (clientCoding == ContentCoding.Identity)
        {
            headers.Remove(HeaderNames.ContentEncoding);
        }

        // The bytes change, so anything describing the origin's exact bytes goes.
        http.Response.ContentLength = null;
        headers.Remove(HeaderNames.ETag);
        headers.Remove(HeaderNames.ContentMD5);
        headers.Remove(HeaderNames.AcceptRanges);

        // HEAD gets the same headers a GET would, and no body to rewrite.
        if (HttpMethods.IsHead(http.Request.Method))
        {
            return;
        }

        proxied.Content = new DecoratedHtmlContent(
            proxied.Content, originCoding, clientCoding, new CalendlyUrlRewriter(decoration), rewriter => metrics.Record(mark, rewriter));
    }

    private static bool IsRewritableHtml(HttpContext http)
    {
        if (http.Response.StatusCode is StatusCodes.Status204NoContent or StatusCodes.Status206PartialContent or StatusCodes.Status304NotModified
            || !MediaTypeHeaderValue.TryParse(http.Response.ContentType, out var type)
            || !type.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Byte-level rewriting needs an ASCII-compatible charset; UTF-16/32 pages pass unchanged.
        var charset = type.Charset.Value ?? "";
        return !charset.StartsWith("utf-16", StringComparison.OrdinalIgnoreCase)
            && !charset.StartsWith("utf-32", StringComparison.OrdinalIgnoreCase)
            && !charset.StartsWith("ucs-", StringComparison.OrdinalIgnoreCase);
    }

    private static bool TryParseCoding(StringValues contentEncoding, out ContentCoding coding)
    {
        var value = contentEncoding.ToString().Trim();
        coding = value.ToUpperInvariant() switch
        {
            "" or "IDENTITY" => ContentCoding.Identity,
            "GZIP" or "X-GZIP" => ContentCoding.Gzip,
            "DEFLATE" => ContentCoding.Deflate,
            "BR" => ContentCoding.Brotli,
            _ => (ContentCoding)(-1),
        };
        return Enum.IsDefined(coding);
    }

    /// <summary>Whether the client's own Accept-Encoding allows <paramref name="coding"/> (or <c>*</c>) with q &gt; 0.</summary>
    internal static bool ClientAccepts(StringValues acceptEncoding, string coding)
    {
        if (!StringWithQualityHeaderValue.TryParseList(acceptEncoding, out var accepted))
        {
            return false;
        }

        var named = accepted.FirstOrDefault(a => a.Value.Equals(coding, StringComparison.OrdinalIgnoreCase)
            || (coding.Equals("gzip", StringComparison.OrdinalIgnoreCase) && a.Value.Equals("x-gzip", StringComparison.OrdinalIgnoreCase)));
        var wildcard = accepted.FirstOrDefault(a => a.Value.Equals("*", StringComparison.Ordinal));
        var chosen = named ?? wildcard;
        return chosen is not null && (chosen.Quality ?? 1) > 0;
    }

    [LoggerMessage(EventIds.HtmlLeftUndecorated, LogLevel.Debug, "Funnel {Funnel}: HTML left undecorated, the origin used content coding '{Coding}'")]
    private static partial void LogUnknownEncoding(ILogger logger, string funnel, string coding);
}
