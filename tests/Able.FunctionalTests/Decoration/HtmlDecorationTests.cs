using System.IO.Compression;
using System.Net;
using System.Text;
using Able.FunctionalTests.Capture;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Able.FunctionalTests.Decoration;

/// <summary>Calendly links in proxied HTML, through the real gateway in front of a real Kestrel origin.</summary>
public sealed class HtmlDecorationTests
{
    private const string Page = """
        <!doctype html><html><head><script src="https://assets.calendly.com/assets/external/widget.js" async></script></head>
        <body><a id="plain" href="https://calendly.com/acme/intro">Book</a>
        <div class="calendly-inline-widget" data-url="https://calendly.com/acme/intro?hide_gdpr_banner=1&amp;month=2026-12"></div>
        <script>Calendly.initPopupWidget({url: 'https://calendly.com/acme/intro#top'});</script></body></html>
        """;

    [Fact]
    public async Task Page_gets_the_visitor_id_from_the_cookie_set_in_the_same_response_and_fixed_headers()
    {
        await using var origin = await HtmlOrigin.StartAsync(async context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.Headers.ETag = "\"v1\"";
            context.Response.Headers.CacheControl = "public, max-age=60";
            context.Response.Headers.AcceptRanges = "bytes";
            var body = Encoding.UTF8.GetBytes(Page);
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        });
        await using var gateway = await StartGatewayAsync(origin);

        using var response = await gateway.Client.SendAsync(PageRequest(gateway, "/?ttclid=click-1&utm_source=tiktok", acceptEncoding: "gzip, br"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var vid = VisitorCookie(response);
        Assert.Equal("identity", origin.LastAcceptEncoding);
        Assert.Contains($"""href="https://calendly.com/acme/intro?salesforce_uuid={vid}&utm_source=tiktok">""", html, StringComparison.Ordinal);
        Assert.Contains($"""data-url="https://calendly.com/acme/intro?hide_gdpr_banner=1&amp;month=2026-12&amp;salesforce_uuid={vid}&amp;utm_source=tiktok">""", html, StringComparison.Ordinal);
        Assert.Contains($"url: 'https://calendly.com/acme/intro?salesforce_uuid={vid}&utm_source=tiktok#top'", html, StringComparison.Ordinal);
        Assert.Contains("""src="https://assets.calendly.com/assets/external/widget.js" async""", html, StringComparison.Ordinal);
        Assert.True(response.Headers.TransferEncodingChunked, "no Content-Length: the body is streamed in chunks");
        Assert.Null(response.Headers.ETag);
        Assert.False(response.Headers.Contains(HeaderNames.AcceptRanges));
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Equal("private, max-age=60", response.Headers.NonValidated[HeaderNames.CacheControl].ToString());
    }

    [Fact]
    public async Task Returning_visitor_keeps_the_id_and_landing_utms_from_the_cookies()
    {
        await using var origin = await HtmlOrigin.StartAsync(context =>
        {
            context.Response.ContentType = "text/html";
            return context.Response.WriteAsync(Page);
        });
        await using var gateway = await StartGatewayAsync(origin);
        using var landing = await gateway.Client.SendAsync(PageRequest(gateway, "/?ttclid=click-1&utm_source=tiktok&utm_campaign=spring"));
        var cookies = string.Join("; ", GatewayRequests.SetCookies(landing).Select(c => c[..c.IndexOf(';', StringComparison.Ordinal)]));

        using var later = GatewayRequests.Page(gateway.PublicBase, "/pricing", cookies);
        using var response = await gateway.Client.SendAsync(later);

        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains(
            $"""href="https://calendly.com/acme/intro?salesforce_uuid={VisitorCookie(landing)}&utm_source=tiktok&utm_campaign=spring">""",
            html,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_in_a_charset_that_is_not_ascii_compatible_passes_unchanged()
    {
        var utf16 = System.Text.Encoding.Unicode.GetBytes(Page);
        await using var origin = await HtmlOrigin.StartAsync(context =>
        {
            context.Response.ContentType = "text/html; charset=utf-16";
            context.Response.Headers.ETag = "\"u16\"";
            return context.Response.Body.WriteAsync(utf16).AsTask();
        });
        await using var gateway = await StartGatewayAsync(origin);

        using var response = await gateway.Client.SendAsync(PageRequest(gateway, "/"));

        Assert.True(response.Headers.Contains(HeaderNames.SetCookie));
        // Left alone entirely: the origin's validator stays because the bytes cannot have changed.
        Assert.Equal("\"u16\"", response.Headers.ETag?.Tag);
        Assert.Equal(utf16, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_is_not_captured_and_gets_the_origin_headers_as_an_uncaptured_get_would()
    {
        await using var origin = await HtmlOrigin.StartAsync(async context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.Headers.ETag = "\"v1\"";
            context.Response.Headers.CacheControl = "public, max-age=60";
            var body = Encoding.UTF8.GetBytes(Page);
            context.Response.ContentLength = body.Length;
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                await context.Response.Body.WriteAsync(body);
            }
        });
        await using var gateway = await StartGatewayAsync(origin);

        using var request = PageRequest(gateway, "/");
        request.Method = HttpMethod.Head;
        using var response = await gateway.Client.SendAsync(request);

        // HEAD is not a browser navigation (monitors, link checkers, floods): no visitor, so nothing names one
        // and nothing is rewritten; the origin's validators and caching stay as they are.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains(HeaderNames.SetCookie));
        Assert.Equal("\"v1\"", response.Headers.ETag?.Tag);
        Assert.Equal("public, max-age=60", response.Headers.NonValidated[HeaderNames.CacheControl].ToString());
    }

    [Fact]
    public async Task No_store_from_the_origin_is_kept_next_to_private()
    {
        await using var origin = await HtmlOrigin.StartAsync(context =>
        {
            context.Response.ContentType = "text/html";
            context.Response.Headers.CacheControl = "no-store";
            return context.Response.WriteAsync(Page);
        });
        await using var gateway = await StartGatewayAsync(origin);

        using var response = await gateway.Client.SendAsync(PageRequest(gateway, "/"));

        var cacheControl = response.Headers.CacheControl;
        Assert.NotNull(cacheControl);
        Assert.True(cacheControl.Private);
        Assert.True(cacheControl.NoStore);
        Assert.Contains($"salesforce_uuid={VisitorCookie(response)}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conditional_request_gets_a_fresh_decorated_page_instead_of_304()
    {
        await using var origin = await HtmlOrigin.StartAsync(context =>
        {
            if (context.Request.Headers.IfNoneMatch.Count > 0 || context.Request.Headers.IfModifiedSince.Count > 0)
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            }

            context.Response.ContentType = "text/html";
            context.Response.Headers.ETag = "\"v1\"";
            context.Response.Headers.LastModified = "Wed, 25 Nov 2026 10:00:00 GMT";
            return context.Response.WriteAsync(Page);
        });
        await using var gateway = await StartGatewayAsync(origin);

        using var request = PageRequest(gateway, "/");
        request.Headers.TryAddWithoutValidation(HeaderNames.IfNoneMatch, "\"v1\"");
        request.Headers.TryAddWithoutValidation(HeaderNames.IfModifiedSince, "Wed, 25 Nov 2026 10:00:00 GMT");
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"salesforce_uuid={VisitorCookie(response)}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    public static TheoryData<string> Codings => new() { "gzip", "br", "deflate" };

    [Theory]
    [MemberData(nameof(Codings))]
    public async Task Compressed_origin_is_decoded_rewritten_and_compressed_again_for_a_client_that_accepts_it(string coding)
    {
        // The origin compresses whatever the gateway asked for, as some do.
        await using var origin = await HtmlOrigin.StartAsync(context => WriteCompressedAsync(context, coding, Page));
        await using var gateway = await StartGatewayAsync(origin);

        using var response = await gateway.Client.SendAsync(PageRequest(gateway, "/?utm_source=tiktok", acceptEncoding: $"{coding}, identity;q=0.5"));

        Assert.Equal(coding, Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.True(response.Headers.TransferEncodingChunked, "no Content-Length: the body is streamed in chunks");
        await using var body = Decompress(await response.Content.ReadAsStreamAsync(), coding);
        var html = await new StreamReader(body).ReadToEndAsync();
        var vid = VisitorCookie(response);
        Assert.Contains($"""href="https://calendly.com/acme/intro?salesforce_uuid={vid}&utm_source=tiktok">""", html, StringComparison.Ordinal);
        Assert.EndsWith("</body></html>", html, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Codings))]
    public async Task Compressed_origin_is_sent_plain_to_a_client_that_did_not_ask_for_that_coding(string coding)
    {
        await using var origin = await HtmlOrigin.StartAsync(context => WriteCompressedAsync(context, coding, Page));
        await using var gateway = await StartGatewayAsync(origin);

        using var response = await gateway.Client.SendAsync(PageRequest(gateway, "/"));

        Assert.Empty(response.Content.Headers.ContentEncoding);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"""href="https://calendly.com/acme/intro?salesforce_uuid={VisitorCookie(response)}">""", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Visitor_without_consent_gets_the_origin_bytes_and_headers_unchanged()
    {
        await using var origin = await HtmlOrigin.StartAsync(async context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.Headers.ETag = "\"v1\"";
            var body = Encoding.UTF8.GetBytes(Page);
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        });
        await using var gateway = await StartGatewayAsync(origin);

        using var request = PageRequest(gateway, "/?ttclid=click-1", acceptEncoding: "gzip");
        request.Headers.Add("Sec-GPC", "1");
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(Page, await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains(HeaderNames.SetCookie));
        Assert.Equal("\"v1\"", response.Headers.ETag?.Tag);
        Assert.Equal(Encoding.UTF8.GetByteCount(Page), response.Content.Headers.ContentLength);
        Assert.Equal("gzip", origin.LastAcceptEncoding);
    }

    [Fact]
    public async Task Non_html_responses_pass_through_byte_for_byte()
    {
        const string json = """{"url":"https://calendly.com/acme/intro"}""";
        await using var origin = await HtmlOrigin.StartAsync(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(json);
        });
        await using var gateway = await StartGatewayAsync(origin);

        using var response = await gateway.Client.SendAsync(PageRequest(gateway, "/"));

        Assert.True(response.Headers.Contains(HeaderNames.SetCookie), "capture ran, so only the content type keeps the body unchanged");
        Assert.Equal(json, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Decoration_can_be_switched_off_per_funnel()
    {
        await using var origin = await HtmlOrigin.StartAsync(context =>
        {
            context.Response.ContentType = "text/html";
            return context.Response.WriteAsync(Page);
        });
        await using var gateway = await StartGatewayAsync(origin, config => config.Funnel["DecorateHtml"] = false);

        using var response = await gateway.Client.SendAsync(PageRequest(gateway, "/?utm_source=tiktok", acceptEncoding: "gzip"));

        Assert.True(response.Headers.Contains(HeaderNames.SetCookie));
        Assert.Equal(Page, await response.Content.ReadAsStringAsync());
        Assert.Equal("gzip", origin.LastAcceptEncoding);
    }

    [Fact]
    public async Task Carrier_parameter_follows_the_funnel_configuration()
    {
        await using var origin = await HtmlOrigin.StartAsync(context =>
        {
            context.Response.ContentType = "text/html";
            return context.Response.WriteAsync(Page);
        });
        await using var gateway = await StartGatewayAsync(origin, config => config.Funnel["Calendly"]!["CarrierParam"] = "utm_term");

        using var response = await gateway.Client.SendAsync(PageRequest(gateway, "/?utm_source=tiktok&utm_term=shoes"));

        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"""href="https://calendly.com/acme/intro?utm_term={VisitorCookie(response)}&utm_source=tiktok">""", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rewrites_are_counted_by_outcome()
    {
        await using var origin = await HtmlOrigin.StartAsync(context =>
        {
            context.Response.ContentType = "text/html";
            return context.Response.WriteAsync(context.Request.Path == "/none"
                ? "<p>no calendly here</p>"
                : """<a href="https://calendly.com/acme/intro?salesforce_uuid=site">x</a>""");
        });
        await using var gateway = await StartGatewayAsync(origin);

        foreach (var path in new[] { "/none", "/set" })
        {
            using var response = await gateway.Client.SendAsync(PageRequest(gateway, path));
            await response.Content.ReadAsStringAsync();
        }

        var metrics = new Uri(gateway.ManagementBase, "/metrics");
        var counted = await Eventually.TrueAsync(async () =>
        {
            var text = await gateway.Client.GetStringAsync(metrics);
            return text.Contains("able_html_rewrites_total{funnel=\"acme\",outcome=\"none\"} 1", StringComparison.Ordinal)
                && text.Contains("able_html_rewrites_total{funnel=\"acme\",outcome=\"already_set\"} 1", StringComparison.Ordinal)
                && text.Contains("able_html_rewrite_bytes_total{funnel=\"acme\"} ", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(5));
        Assert.True(counted, "able_html_rewrites_total did not count none and already_set");
    }

    internal static async Task<RunningService> StartGatewayAsync(HtmlOrigin origin, Action<TestConfig>? configure = null)
    {
        var redis = await RedisTestServer.GetAsync();
        var config = TestConfig.Create(redis.ConnectionString, origin.Url);
        configure?.Invoke(config);
        return await RunningService.StartGatewayAsync(config, ownsConfig: true);
    }

    internal static HttpRequestMessage PageRequest(RunningService gateway, string pathAndQuery, string? acceptEncoding = null)
    {
        var request = GatewayRequests.Page(gateway.PublicBase, pathAndQuery);
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation(HeaderNames.AcceptEncoding, acceptEncoding);
        }

        return request;
    }

    /// <summary>The visitor id the gateway set with <c>Set-Cookie: able_vid=...</c> on this response.</summary>
    internal static string VisitorCookie(HttpResponseMessage response) =>
        GatewayRequests.VisitorCookie(response) ?? throw new Xunit.Sdk.XunitException("the gateway set no able_vid cookie");

    internal static async Task WriteCompressedAsync(HttpContext context, string coding, string html)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.ContentEncoding = coding;
        await using var compressor = Compress(context.Response.Body, coding);
        await compressor.WriteAsync(Encoding.UTF8.GetBytes(html));
    }

    internal static Stream Compress(Stream output, string coding) => coding switch
    {
        "gzip" => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
        "br" => new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true),
        "deflate" => new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true),
        _ => throw new ArgumentOutOfRangeException(nameof(coding)),
    };

    internal static Stream Decompress(Stream input, string coding) => coding switch
    {
        "gzip" => new GZipStream(input, CompressionMode.Decompress),
        "br" => new BrotliStream(input, CompressionMode.Decompress),
        "deflate" => new ZLibStream(input, CompressionMode.Decompress),
        "identity" => input,
        _ => throw new ArgumentOutOfRangeException(nameof(coding)),
    };
}
