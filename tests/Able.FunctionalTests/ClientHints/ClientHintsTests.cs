using System.Net;
using Able.FunctionalTests.Tls;
using Microsoft.AspNetCore.Http;
using static Able.FunctionalTests.Capture.GatewayRequests;

namespace Able.FunctionalTests.ClientHints;

/// <summary>
/// Client hints at the edge, through the real gateway with its HTTPS listener, a real origin and real Redis: the HTML of a
/// captured navigation over HTTPS asks for the high-entropy hints (merged with the origin's <c>Accept-CH</c>, no
/// <c>Critical-CH</c>); every other response keeps the origin's header, or none; the hints a browser sends are stored on
/// its visitor.
/// </summary>
public sealed class ClientHintsTests : IDisposable
{
    private const string Host = "shop.test";
    private const string PlainHost = "plain.test";
    private const string Ours = "Sec-CH-UA-Platform-Version, Sec-CH-UA-Model, Sec-CH-UA-Full-Version-List, Sec-CH-UA-Arch, Sec-CH-UA-Bitness";
    private const string OriginHints = "DPR, Sec-CH-UA-Model";
    private static readonly Uri Site = new($"https://{Host}/");

    private readonly TestCertificateAuthority authority = new();

    public void Dispose() => authority.Dispose();

    /// <summary>
    /// The origin: <c>/with-hints</c> HTML with its own Accept-CH, <c>/data</c> JSON with its own Accept-CH, HTML without
    /// one for anything else.
    /// </summary>
    private static Task Origin(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (path is "/with-hints" or "/data")
        {
            context.Response.Headers["Accept-CH"] = path == "/data" ? "DPR" : OriginHints;
        }

        context.Response.ContentType = path == "/data" ? "application/json" : "text/html; charset=utf-8";
        return context.Response.WriteAsync(path == "/data" ? "{}" : "<html><body>Book a call</body></html>");
    }

    private async Task<TlsGateway> StartAsync()
    {
        var certificate = authority.Issue([Host]);
        // PlainHost has no certificate: served over plain HTTP (a host with one is redirected to HTTPS).
        return await TlsGateway.StartAsync([Host, PlainHost], (directory, _) => certificate.WriteFlat(directory, Host), Origin);
    }

    private static async Task<(string? AcceptCh, HttpResponseMessage Response)> GetAsync(HttpClient client, HttpRequestMessage request)
    {
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response.Headers.TryGetValues("Accept-CH", out var values) ? string.Join(", ", values) : null, response);
    }

    [Fact]
    public async Task The_HTML_of_a_captured_navigation_over_HTTPS_asks_for_the_hints_merged_with_the_origin_s_and_nothing_critical()
    {
        await using var gateway = await StartAsync();
        using var client = gateway.HttpsClient(authority);

        using var landing = Page(Site, "/landing?ttclid=E.C.P.hints");
        var (acceptCh, response) = await GetAsync(client, landing);
        using (response)
        {
            Assert.Equal(Ours, acceptCh);
            Assert.NotNull(VisitorCookie(response));
            // No Critical-CH: it would cost the first page a second round trip (README, "Client hints").
            Assert.False(response.Headers.Contains("Critical-CH"));
            Assert.DoesNotContain(response.Headers.Vary, v => v.StartsWith("Sec-CH", StringComparison.OrdinalIgnoreCase));
        }

        using var merged = Page(Site, "/with-hints");
        (acceptCh, response) = await GetAsync(client, merged);
        using (response)
        {
            Assert.Equal($"{OriginHints}, Sec-CH-UA-Platform-Version, Sec-CH-UA-Full-Version-List, Sec-CH-UA-Arch, Sec-CH-UA-Bitness", acceptCh);
        }
    }

    [Fact]
    public async Task Responses_that_are_not_the_HTML_of_a_captured_navigation_over_HTTPS_keep_the_origin_s_Accept_CH_or_none()
    {
        await using var gateway = await StartAsync();
        using var https = gateway.HttpsClient(authority);
        using var http = gateway.HttpClient();

        // Not HTML: a navigation answered with JSON.
        Assert.Equal("DPR", await AcceptChAsync(https, Page(Site, "/data")));

        // Not a navigation: a script's fetch, and a static file.
        Assert.Null(await AcceptChAsync(https, Fetch(Site, "/landing")));
        Assert.Equal(OriginHints, await AcceptChAsync(https, Fetch(Site, "/with-hints")));
        Assert.Null(await AcceptChAsync(https, Page(Site, "/styles/app.css")));

        // Consent refused (Global Privacy Control): nothing captured, nothing asked.
        var refused = Page(Site, "/landing");
        refused.Headers.Add("Sec-GPC", "1");
        Assert.Null(await AcceptChAsync(https, refused));
        var refusedWithOrigin = Page(Site, "/with-hints");
        refusedWithOrigin.Headers.Add("Sec-GPC", "1");
        Assert.Equal(OriginHints, await AcceptChAsync(https, refusedWithOrigin));

        // Plain HTTP: browsers send hints to secure origins only.
        Assert.Null(await AcceptChAsync(http, Page(new Uri($"http://{PlainHost}/"), "/landing")));
        Assert.Equal(OriginHints, await AcceptChAsync(http, Page(new Uri($"http://{PlainHost}/"), "/with-hints")));

        static async Task<string?> AcceptChAsync(HttpClient client, HttpRequestMessage request)
        {
            using (request)
            {
                var (acceptCh, response) = await GetAsync(client, request);
                response.Dispose();
                return acceptCh;
            }
        }

        static HttpRequestMessage Fetch(Uri site, string path)
        {
            var request = Page(site, path);
            request.Headers.Add("Sec-Fetch-Mode", "cors");
            return request;
        }
    }

    [Fact]
    public async Task The_hints_a_browser_sends_over_HTTPS_are_stored_on_its_visitor_the_latest_kept()
    {
        await using var gateway = await StartAsync();
        using var client = gateway.HttpsClient(authority);
        var redis = await RedisTestServer.GetAsync();

        // The first page: only the hints Chromium always sends.
        using var first = Page(Site, "/landing?ttclid=E.C.P.first");
        ChromiumClientHints.AddTo(first, ChromiumClientHints.LowEntropy);
        var (_, response) = await GetAsync(client, first);
        var visitorId = VisitorCookie(response)!;
        response.Dispose();
        var profile = await ProfileAsync(redis, gateway.Config, visitorId, p => p.Device is not null);
        Assert.Equal(ChromiumClientHints.StoredLowEntropy, profile.Device);

        // The second page, after Accept-CH: the high-entropy hints too, and no brands this time (the stored ones stay).
        using var second = Page(Site, "/pricing", cookie: $"able_vid={visitorId}");
        ChromiumClientHints.AddTo(second, ChromiumClientHints.HighEntropy);
        (_, response) = await GetAsync(client, second);
        response.Dispose();

        profile = await ProfileAsync(redis, gateway.Config, visitorId, p => p.Device?.Model is not null);
        Assert.Equal(ChromiumClientHints.Stored, profile.Device);
    }
}
