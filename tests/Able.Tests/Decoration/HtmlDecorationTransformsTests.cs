using System.IO.Compression;
using System.Net;
using System.Text;
using Able.Gateway.Capture;
using Able.Gateway.Decoration;
using Able.Gateway.Routing;
using Able.Hosting.Configuration;
using Able.Schema.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Net.Http.Headers;
using Prometheus;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Able.Tests.Decoration;

/// <summary>
/// The YARP transforms of a funnel route, run the way the proxy runs them: the request transform decides what the
/// origin is asked for, the response transform swaps a decorated HTML body in and fixes the headers its new bytes
/// invalidate. The visitor is attached to the request as the capture step attaches it.
/// </summary>
public sealed class HtmlDecorationTransformsTests
{
    private const string Mark = "acme";
    private const string Page = "<html><body><p>Book a call: é</p><a href=\"https://calendly.com/acme/intro\">Book</a></body></html>\n";

    private static readonly GatewayVisitor Visitor = new(Mark, "Vd3kTq9xR2mP0aLbC7eF1g", new Dictionary<string, string> { ["utm_source"] = "tiktok" });

    private static readonly byte[] Decorated = CalendlyUrlRewriter.RewriteAll(
        Encoding.UTF8.GetBytes(Page), new CalendlyLinkDecoration("salesforce_uuid", Visitor.VisitorId, Visitor.Utms));

    [Fact]
    public void The_decorated_page_carries_the_visitor_id_and_utms()
    {
        var text = Encoding.UTF8.GetString(Decorated);
        Assert.Contains("https://calendly.com/acme/intro?salesforce_uuid=Vd3kTq9xR2mP0aLbC7eF1g", text, StringComparison.Ordinal);
        Assert.Contains("utm_source=tiktok", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_refuses_a_null_context()
    {
        Assert.Throws<ArgumentNullException>(() => Transforms().Apply(null!));
    }

    [Theory]
    [InlineData(FunnelProxyConfigProvider.AttributionClusterId, true)]
    [InlineData(Mark, false)]
    public void Routes_that_are_not_a_funnel_site_get_no_transform(string clusterId, bool withMark)
    {
        var route = new RouteConfig
        {
            RouteId = "r",
            ClusterId = clusterId,
            Metadata = withMark ? new Dictionary<string, string> { [FunnelMetadata.Key] = Mark } : null,
        };
        var builder = new TransformBuilderContext { Route = route };

        Transforms().Apply(builder);

        Assert.Empty(builder.RequestTransforms);
        Assert.Empty(builder.ResponseTransforms);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("get")]
    public async Task A_decorated_page_view_asks_the_origin_for_the_whole_uncompressed_page(string method)
    {
        var (request, proxyRequest) = await RequestThrough(Funnel(), method, Visitor);

        Assert.Equal(["identity"], proxyRequest.Headers.GetValues(HeaderNames.AcceptEncoding));
        Assert.False(proxyRequest.Headers.Contains(HeaderNames.IfNoneMatch));
        Assert.False(proxyRequest.Headers.Contains(HeaderNames.IfModifiedSince));
        Assert.Equal("gzip, br", request.Headers.AcceptEncoding.ToString());
    }

    public static TheoryData<string, bool, bool> UndecoratedRequests => new()
    {
        { "POST", true, true },
        { "PUT", true, true },
        { "OPTIONS", true, true },
        { "GET", false, true },
        { "HEAD", false, true },
        { "GET", true, false },
    };

    /// <summary>Other methods, no visitor (no consent or no capture) or decoration off: the request goes to the origin as the client sent it.</summary>
    [Theory]
    [MemberData(nameof(UndecoratedRequests))]
    public async Task Other_requests_keep_their_encoding_and_conditional_headers(string method, bool withVisitor, bool decorateHtml)
    {
        var (_, proxyRequest) = await RequestThrough(Funnel(decorateHtml), method, withVisitor ? Visitor : null);

        Assert.Equal("gzip, br", string.Join(", ", proxyRequest.Headers.GetValues(HeaderNames.AcceptEncoding)));
        Assert.Equal(["\"v1\""], proxyRequest.Headers.GetValues(HeaderNames.IfNoneMatch));
        Assert.True(proxyRequest.Headers.Contains(HeaderNames.IfModifiedSince));
    }

    [Fact]
    public async Task A_visitor_of_a_funnel_that_is_not_configured_is_not_decorated()
    {
        var options = new AbleOptions { Funnels = [new FunnelOptions { Mark = "other" }] };
        var (_, proxyRequest) = await RequestThrough(options, "GET", Visitor);

        Assert.Equal("gzip, br", string.Join(", ", proxyRequest.Headers.GetValues(HeaderNames.AcceptEncoding)));
        Assert.True(proxyRequest.Headers.Contains(HeaderNames.IfNoneMatch));
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("text/html; charset=utf-8")]
    [InlineData("TEXT/HTML; charset=UTF-8")]
    [InlineData("text/html; charset=iso-8859-1")]
    [InlineData("text/html; charset=\"utf-8\"")]
    public async Task Html_is_rewritten_and_loses_the_headers_of_the_origin_bytes(string contentType)
    {
        var origin = Origin(Encoding.UTF8.GetBytes(Page), contentType);

        var (http, content) = await ResponseThrough(Funnel(), origin, Visitor);

        Assert.IsType<DecoratedHtmlContent>(content);
        Assert.Equal(Decorated, await content.ReadAsByteArrayAsync());
        Assert.False(http.Response.Headers.ContainsKey(HeaderNames.ETag));
        Assert.False(http.Response.Headers.ContainsKey(HeaderNames.ContentMD5));
        Assert.False(http.Response.Headers.ContainsKey(HeaderNames.AcceptRanges));
        Assert.False(http.Response.Headers.ContainsKey(HeaderNames.ContentEncoding));
        Assert.Null(http.Response.ContentLength);
        Assert.Equal(contentType, http.Response.ContentType);
        Assert.Equal("max-age=60", http.Response.Headers.CacheControl.ToString());
    }

    [Theory]
    [InlineData("text/html; charset=utf-16")]
    [InlineData("text/html; charset=UTF-16LE")]
    [InlineData("text/html; charset=utf-32")]
    [InlineData("text/html; charset=ucs-2")]
    [InlineData("text/html; charset=UCS-4")]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("application/xhtml+xml")]
    [InlineData("text/htmlx")]
    [InlineData("not a media type")]
    [InlineData(null)]
    public async Task Other_content_passes_unchanged(string? contentType)
    {
        var origin = Origin(Encoding.UTF8.GetBytes(Page), contentType);
        await AssertUnchanged(await ResponseThrough(Funnel(), origin, Visitor), origin);
    }

    [Theory]
    [InlineData(StatusCodes.Status204NoContent)]
    [InlineData(StatusCodes.Status206PartialContent)]
    [InlineData(StatusCodes.Status304NotModified)]
    public async Task Responses_without_a_whole_page_pass_unchanged(int status)
    {
        var origin = Origin(Encoding.UTF8.GetBytes(Page), "text/html", status: status);
        await AssertUnchanged(await ResponseThrough(Funnel(), origin, Visitor), origin);
    }

    [Theory]
    [InlineData(StatusCodes.Status200OK)]
    [InlineData(StatusCodes.Status404NotFound)]
    [InlineData(StatusCodes.Status500InternalServerError)]
    public async Task Any_other_status_with_a_page_is_rewritten(int status)
    {
        var origin = Origin(Encoding.UTF8.GetBytes(Page), "text/html", status: status);
        var (_, content) = await ResponseThrough(Funnel(), origin, Visitor);
        Assert.Equal(Decorated, await content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task No_visitor_or_decoration_off_leaves_the_page_unchanged()
    {
        var origin = Origin(Encoding.UTF8.GetBytes(Page), "text/html");
        await AssertUnchanged(await ResponseThrough(Funnel(), origin, visitor: null), origin);

        var again = Origin(Encoding.UTF8.GetBytes(Page), "text/html");
        await AssertUnchanged(await ResponseThrough(Funnel(decorateHtml: false), again, Visitor), again);
    }

    [Fact]
    public async Task A_suppressed_body_is_left_alone()
    {
        var origin = Origin(Encoding.UTF8.GetBytes(Page), "text/html");
        await AssertUnchanged(await ResponseThrough(Funnel(), origin, Visitor, suppressBody: true), origin);
    }

    /// <summary>When the origin did not answer there is no proxied response: nothing to decorate, nothing fails.</summary>
    [Fact]
    public async Task No_origin_response_is_left_alone()
    {
        var builder = Built(Funnel());
        var http = Http("GET", Visitor, "gzip");
        http.Response.StatusCode = StatusCodes.Status502BadGateway;
        http.Response.ContentType = "text/html";
        http.Response.Headers.ETag = "\"v1\"";

        await builder.ResponseTransforms[0].ApplyAsync(new ResponseTransformContext { HttpContext = http, ProxyResponse = null });

        Assert.Equal("\"v1\"", http.Response.Headers.ETag.ToString());
    }

    /// <summary>HEAD gets the headers a GET of the decorated page would get, and its (absent) body is not touched.</summary>
    [Fact]
    public async Task Head_gets_the_decorated_headers_and_no_body_rewrite()
    {
        var origin = Origin(Encoding.UTF8.GetBytes(Page), "text/html", contentEncoding: "gzip", compress: Compress("gzip"));

        var (http, content) = await ResponseThrough(Funnel(), origin, Visitor, method: "HEAD", acceptEncoding: "gzip");

        Assert.Same(origin.Content, content);
        Assert.False(http.Response.Headers.ContainsKey(HeaderNames.ETag));
        Assert.False(http.Response.Headers.ContainsKey(HeaderNames.ContentMD5));
        Assert.False(http.Response.Headers.ContainsKey(HeaderNames.AcceptRanges));
        Assert.Null(http.Response.ContentLength);
        Assert.Equal("gzip", http.Response.Headers.ContentEncoding.ToString());
    }

    [Theory]
    [InlineData("gzip", "gzip", "gzip")]
    [InlineData("GZIP", "gzip, br", "GZIP")]
    [InlineData("x-gzip", "x-gzip", "x-gzip")]
    [InlineData("deflate", "deflate", "deflate")]
    [InlineData("br", "gzip, deflate, br", "br")]
    [InlineData(" br ", "*", " br ")]
    public async Task A_compressed_page_is_decoded_rewritten_and_compressed_again_for_a_client_that_accepts_it(
        string originEncoding, string acceptEncoding, string expectedEncoding)
    {
        var origin = Origin(Encoding.UTF8.GetBytes(Page), "text/html", contentEncoding: originEncoding, compress: Compress(originEncoding));

        var (http, content) = await ResponseThrough(Funnel(), origin, Visitor, acceptEncoding: acceptEncoding);

        Assert.Equal(expectedEncoding, http.Response.Headers.ContentEncoding.ToString());
        Assert.Equal(Decorated, Decompress(originEncoding, await content.ReadAsByteArrayAsync()));
        Assert.False(http.Response.Headers.ContainsKey(HeaderNames.ETag));
    }

    [Theory]
    [InlineData("gzip", "")]
    [InlineData("gzip", "br")]
    [InlineData("gzip", "gzip;q=0")]
    [InlineData("x-gzip", "identity")]
    [InlineData("deflate", "gzip")]
    [InlineData("br", "gzip, deflate")]
    [InlineData("br", "*, br;q=0")]
    public async Task A_compressed_page_goes_out_uncompressed_to_a_client_that_does_not_accept_its_coding(string originEncoding, string acceptEncoding)
    {
        var origin = Origin(Encoding.UTF8.GetBytes(Page), "text/html", contentEncoding: originEncoding, compress: Compress(originEncoding));

        var (http, content) = await ResponseThrough(Funnel(), origin, Visitor, acceptEncoding: acceptEncoding);

        Assert.False(http.Response.Headers.ContainsKey(HeaderNames.ContentEncoding));
        Assert.Equal(Decorated, await content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("IDENTITY")]
    [InlineData("")]
    public async Task An_identity_page_goes_out_uncompressed_whatever_the_client_accepts(string originEncoding)
    {
        var origin = Origin(Encoding.UTF8.GetBytes(Page), "text/html", contentEncoding: originEncoding);

        var (http, content) = await ResponseThrough(Funnel(), origin, Visitor, acceptEncoding: "gzip, deflate, br, identity");

        Assert.False(http.Response.Headers.ContainsKey(HeaderNames.ContentEncoding));
        Assert.Equal(Decorated, await content.ReadAsByteArrayAsync());
    }

    /// <summary>A coding the decorator cannot read (or a chain of codings) is passed through untouched, headers included.</summary>
    [Theory]
    [InlineData("compress")]
    [InlineData("zstd")]
    [InlineData("gzip, br")]
    [InlineData("gzip, identity")]
    public async Task An_unknown_content_coding_passes_through_untouched(string originEncoding)
    {
        var origin = Origin(Encoding.UTF8.GetBytes(Page), "text/html", contentEncoding: originEncoding);
        var result = await ResponseThrough(Funnel(), origin, Visitor, acceptEncoding: "gzip, deflate, br");
        await AssertUnchanged(result, origin);
        Assert.Equal(originEncoding, result.Http.Response.Headers.ContentEncoding.ToString());
    }

    private static async Task AssertUnchanged((HttpContext Http, HttpContent Content) result, OriginResponse origin)
    {
        var (http, content) = result;
        Assert.Same(origin.Content, content);
        Assert.Equal(origin.Body, await content.ReadAsByteArrayAsync());
        Assert.Equal("\"v1\"", http.Response.Headers.ETag.ToString());
        Assert.Equal("abc==", http.Response.Headers[HeaderNames.ContentMD5].ToString());
        Assert.Equal("bytes", http.Response.Headers.AcceptRanges.ToString());
        Assert.Equal(origin.Body.Length, http.Response.ContentLength);
    }

    private static AbleOptions Funnel(bool decorateHtml = true) =>
        new() { Funnels = [new FunnelOptions { Mark = Mark, Hosts = ["book.example.com"], Origin = "http://127.0.0.1:1", DecorateHtml = decorateHtml }] };

    private static HtmlDecorationTransforms Transforms(AbleOptions? options = null) =>
        new(
            new FixedOptionsMonitor<AbleOptions>(options ?? Funnel()),
            new HtmlDecorationMetrics(Metrics.WithCustomRegistry(Metrics.NewCustomRegistry())),
            NullLogger<HtmlDecorationTransforms>.Instance);

    private static TransformBuilderContext Built(AbleOptions options)
    {
        var builder = new TransformBuilderContext
        {
            Route = new RouteConfig { RouteId = Mark, ClusterId = Mark, Metadata = new Dictionary<string, string> { [FunnelMetadata.Key] = Mark } },
        };
        Transforms(options).Apply(builder);
        Assert.Single(builder.RequestTransforms);
        Assert.Single(builder.ResponseTransforms);
        return builder;
    }

    private static DefaultHttpContext Http(string method, GatewayVisitor? visitor, string acceptEncoding)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Headers.AcceptEncoding = acceptEncoding;
        visitor?.AttachTo(http);
        return http;
    }

    private static async Task<(HttpRequest Request, HttpRequestMessage ProxyRequest)> RequestThrough(AbleOptions options, string method, GatewayVisitor? visitor)
    {
        var builder = Built(options);
        var http = Http(method, visitor, "gzip, br");
        // The proxy request as YARP builds it: the client's headers copied before the transforms run.
        var proxyRequest = new HttpRequestMessage(new HttpMethod(method), "http://127.0.0.1:1/");
        proxyRequest.Headers.TryAddWithoutValidation(HeaderNames.AcceptEncoding, "gzip, br");
        proxyRequest.Headers.TryAddWithoutValidation(HeaderNames.IfNoneMatch, "\"v1\"");
        proxyRequest.Headers.TryAddWithoutValidation(HeaderNames.IfModifiedSince, "Tue, 01 Dec 2026 10:00:00 GMT");
        var context = new RequestTransformContext { HttpContext = http, ProxyRequest = proxyRequest, HeadersCopied = true };

        await builder.RequestTransforms[0].ApplyAsync(context);

        return (http.Request, proxyRequest);
    }

    private static async Task<(HttpContext Http, HttpContent Content)> ResponseThrough(
        AbleOptions options, OriginResponse origin, GatewayVisitor? visitor, string method = "GET", string acceptEncoding = "", bool suppressBody = false)
    {
        var builder = Built(options);
        var http = Http(method, visitor, acceptEncoding);
        // The client response as YARP leaves it before the response transforms: status and headers copied from the origin.
        http.Response.StatusCode = (int)origin.Proxied.StatusCode;
        http.Response.ContentType = origin.ContentType;
        http.Response.ContentLength = origin.Body.Length;
        http.Response.Headers.ETag = "\"v1\"";
        http.Response.Headers[HeaderNames.ContentMD5] = "abc==";
        http.Response.Headers.AcceptRanges = "bytes";
        http.Response.Headers.CacheControl = "max-age=60";
        if (origin.ContentEncoding is not null)
        {
            http.Response.Headers.ContentEncoding = origin.ContentEncoding;
        }

        var context = new ResponseTransformContext { HttpContext = http, ProxyResponse = origin.Proxied, HeadersCopied = true, SuppressResponseBody = suppressBody };

        await builder.ResponseTransforms[0].ApplyAsync(context);

        return (http, origin.Proxied.Content ?? new ByteArrayContent([]));
    }

    private static OriginResponse Origin(byte[] page, string? contentType, string? contentEncoding = null, Func<byte[], byte[]>? compress = null, int status = 200)
    {
        var body = compress is null ? page : compress(page);
        var content = new ByteArrayContent(body);
        var proxied = new HttpResponseMessage((HttpStatusCode)status) { Content = content };
        return new OriginResponse(proxied, content, body, contentType, contentEncoding);
    }

    private static Func<byte[], byte[]> Compress(string coding) => page =>
    {
        using var output = new MemoryStream();
        using (var compressor = Compressor(coding.Trim(), output))
        {
            compressor.Write(page);
        }

        return output.ToArray();
    };

    private static Stream Compressor(string coding, Stream output) => coding.ToUpperInvariant() switch
    {
        "GZIP" or "X-GZIP" => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
        "DEFLATE" => new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true),
        "BR" => new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true),
        _ => throw new ArgumentOutOfRangeException(nameof(coding)),
    };

    private static byte[] Decompress(string coding, byte[] body)
    {
        using var input = new MemoryStream(body);
        using Stream decompressor = coding.Trim().ToUpperInvariant() switch
        {
            "GZIP" or "X-GZIP" => new GZipStream(input, CompressionMode.Decompress),
            "DEFLATE" => new ZLibStream(input, CompressionMode.Decompress),
            "BR" => new BrotliStream(input, CompressionMode.Decompress),
            _ => throw new ArgumentOutOfRangeException(nameof(coding)),
        };
        using var output = new MemoryStream();
        decompressor.CopyTo(output);
        return output.ToArray();
    }

    private sealed record OriginResponse(HttpResponseMessage Proxied, HttpContent Content, byte[] Body, string? ContentType, string? ContentEncoding);
}
