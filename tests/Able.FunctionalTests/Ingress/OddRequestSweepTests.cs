using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Able.FunctionalTests.Ingress;

/// <summary>
/// Odd requests to every route of the attribution service, public and management port: methods, paths,
/// headers, content types and bodies. None may answer 410 (Calendly deletes a subscription on 410) or 5xx
/// (except 503 when storage is away, which it is not here), and none may write to the stream.
/// </summary>
public sealed class OddRequestSweepTests
{
    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "BREW"];

    private static readonly string[] Paths =
    [
        "/calendly-webhook/acme", "/calendly-webhook/ACME", "/calendly-webhook/acme/", "/calendly-webhook/acme/extra",
        "/calendly-webhook/", "/calendly-webhook", "/calendly-webhook/nope", "/calendly-webhook/%00", "/calendly-webhook/..%2F..%2Fetc", // URL, not a file path
        "/calendly-webhook/" + new string('a', 3000), "/calendly-webhook/acme?t=1&v1=2", "/CALENDLY-WEBHOOK/acme",
        "/stripe-webhook/acme", "/stripe-webhook/other", "/stripe-webhook/%F0%9F%92%A5", "/stripe-webhook/acme;x",
        "/v1/conversions", "/v1/conversions/", "/v1/conversions/extra", "/V1/Conversions", "/v1/conversions?funnel=acme",
        "/v2/conversions", "/", "/healthz", "/readyz", "/metrics", "/admin", "/favicon.ico", "/%2e%2e/", "/go/intro",
    ];

    [Fact]
    public async Task Every_method_on_every_path_answers_neither_410_nor_500()
    {
        await using var harness = await StartUnlimitedAsync();
        var failures = new List<string>();
        foreach (var baseUri in new[] { harness.Service.PublicBase, harness.Service.ManagementBase })
        {
            foreach (var path in Paths)
            {
                foreach (var method in Methods)
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(baseUri, path));
                    if (method is "POST" or "PUT" or "PATCH")
                    {
                        request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                    }

                    using var response = await harness.Client.SendAsync(request);
                    Check(failures, $"{method} {baseUri.Port}{path}", response.StatusCode);
                }
            }
        }

        Assert.Empty(failures);
        Assert.Empty(await harness.EntriesAsync());
    }

    public static TheoryData<string> Variants() =>
    [
        "no headers", "garbage signature", "signature of another body", "huge signature header", "200 v1 values",
        "text/plain", "multipart/form-data", "application/x-www-form-urlencoded", "no content type", "charset latin1",
        "gzip content-encoding", "bearer wrong", "bearer garbage bytes", "two authorization headers",
        "empty body", "invalid utf-8", "deep nesting", "huge number", "nul bytes", "json null", "json string",
        "array of nulls", "expect 100-continue", "unicode escapes", "10000 keys",
    ];

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task Odd_posts_to_every_ingress_route_answer_neither_410_nor_500(string variant)
    {
        await using var harness = await StartUnlimitedAsync();
        var failures = new List<string>();
        foreach (var path in new[] { "/calendly-webhook/acme", "/stripe-webhook/acme", "/v1/conversions", "/calendly-webhook/nope" })
        {
            using var request = Build(variant, harness.Url(path));
            using var response = await harness.Client.SendAsync(request);
            Check(failures, $"{variant} → {path}", response.StatusCode);
        }

        Assert.Empty(failures);
        Assert.Empty(await harness.EntriesAsync());
    }

    /// <summary>Requests HttpClient will not send: broken framing, a lying Content-Length, a connection dropped mid-body.</summary>
    [Theory]
    [InlineData("POST /calendly-webhook/acme HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")]
    [InlineData("POST /stripe-webhook/acme HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 12\r\n\r\n{}")]
    [InlineData("POST /v1/conversions HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\nAuthorization: Bearer test-api-key\r\n\r\n")]
    [InlineData("POST /calendly-webhook/acme HTTP/1.0\r\nCalendly-Webhook-Signature: t=1,v1=00\r\n\r\n{}")]
    [InlineData("GET /calendly-webhook/acme HTTP/1.1\r\n\r\n")]
    [InlineData("POST /v1/conversions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u00ff\u00fe\r\nContent-Length: 2\r\n\r\n{}")]
    [InlineData("POST /calendly-webhook/acm\u00e9 HTTP/1.1\r\nHost: x\r\nCalendly-Webhook-Signature: t=1,v1=\u00ff\r\nContent-Length: 2\r\n\r\n{}")]
    [InlineData("POST /v1/conversions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer test-api-key\r\nContent-Length: 50\r\n\r\n{\"funnel\":\"acme\"")]
    public async Task Malformed_http_answers_neither_410_nor_500(string raw)
    {
        await using var harness = await StartUnlimitedAsync();
        using var client = new TcpClient();
        await client.ConnectAsync(harness.Service.PublicBase.Host, harness.Service.PublicBase.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(raw));
        if (raw.Contains("Content-Length: 50", StringComparison.Ordinal))
        {
            client.Client.Shutdown(SocketShutdown.Send); // the body breaks off
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        var read = 0;
        try
        {
            read = await stream.ReadAsync(buffer, timeout.Token);
        }
        catch (IOException)
        {
            // The server may drop a broken request without answering; that is neither 410 nor 500.
        }

        var statusLine = Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
        Assert.DoesNotContain(" 410 ", statusLine + " ", StringComparison.Ordinal);
        Assert.DoesNotMatch(@"^HTTP/1\.[01] 5\d\d", statusLine);
        Assert.Empty(await harness.EntriesAsync());
    }

    private static Task<IngressHarness> StartUnlimitedAsync() => IngressHarness.StartAsync(able =>
        able["Attribution"]!["Ingress"] = new JsonObject
        {
            ["RateLimit"] = new JsonObject { ["PermitsPerIp"] = 100_000, ["PermitsPerFunnel"] = 100_000 },
        });

    private static void Check(List<string> failures, string what, HttpStatusCode status)
    {
        if (status == HttpStatusCode.Gone || (int)status >= 500)
        {
            failures.Add($"{what}: {(int)status}");
        }
    }

    private static HttpRequestMessage Build(string variant, Uri uri)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri);
        var json = """{"event":"invitee.created","created_at":"2026-03-04T15:02:11Z","payload":{"uri":"https://x/y"},"id":"evt_1","type":"invoice.paid","created":1,"data":{"object":{}},"funnel":"acme","event_id":"1"}""";
        HttpContent Json(string text, string mediaType = "application/json") => new StringContent(text, Encoding.UTF8, mediaType);
        var t = IngressHarness.Now;
        switch (variant)
        {
            case "no headers":
                request.Content = Json(json);
                break;
            case "garbage signature":
                request.Content = Json(json);
                AddSignatures(request, "t=abc,v1=xyz");
                break;
            case "signature of another body":
                request.Content = Json(json);
                AddSignatures(request, Able.Attribution.Signatures.WebhookSignature.Sign("{}"u8, IngressHarness.CalendlyKey, t));
                break;
            case "huge signature header":
                request.Content = Json(json);
                AddSignatures(request, $"t={t}," + string.Join(",", Enumerable.Repeat("v1=" + new string('0', 64), 100)));
                break;
            case "200 v1 values":
                request.Content = Json(json);
                AddSignatures(request, $"t={t}," + string.Join(",", Enumerable.Range(0, 200).Select(i => $"v1={i:x64}")));
                break;
            case "text/plain":
                request.Content = Json(json, "text/plain");
                break;
            case "multipart/form-data":
                request.Content = new MultipartFormDataContent { { new StringContent(json), "payload" } };
                break;
            case "application/x-www-form-urlencoded":
                request.Content = new FormUrlEncodedContent([new("payload", json)]);
                break;
            case "no content type":
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
                break;
            case "charset latin1":
                request.Content = new ByteArrayContent(Encoding.Latin1.GetBytes(json.Replace("acme", "acmé", StringComparison.Ordinal)));
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=iso-8859-1");
                break;
            case "gzip content-encoding":
                request.Content = new ByteArrayContent([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0]);
                request.Content.Headers.ContentEncoding.Add("gzip");
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                break;
            case "bearer wrong":
                request.Content = Json(json);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
                break;
            case "bearer garbage bytes":
                request.Content = Json(json);
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer =?utf-8?b?//4=?= %00 \t \"");
                break;
            case "two authorization headers":
                request.Content = Json(json);
                request.Headers.TryAddWithoutValidation("Authorization", ["Bearer test-api-key", "Bearer other-api-key"]);
                break;
            case "empty body":
                request.Content = new ByteArrayContent([]);
                AddSignatures(request, Able.Attribution.Signatures.WebhookSignature.Sign([], IngressHarness.CalendlyKey, t));
                break;
            case "invalid utf-8":
                request.Content = new ByteArrayContent([0xff, 0xfe, 0x7b, 0x7d]);
                break;
            case "deep nesting":
                request.Content = Json(new string('[', 100_000) + new string(']', 100_000));
                break;
            case "huge number":
                request.Content = Json("""{"funnel":"acme","event":"Purchase","event_id":"1","value":1e400,"event_time":99999999999999999999999,"currency":"USD"}""");
                break;
            case "nul bytes":
                request.Content = new ByteArrayContent([0, 0, 0, 0]);
                break;
            case "json null":
                request.Content = Json("null");
                break;
            case "json string":
                request.Content = Json("\"invitee.created\"");
                break;
            case "array of nulls":
                request.Content = Json("[null,null]");
                break;
            case "expect 100-continue":
                request.Content = Json(json);
                request.Headers.ExpectContinue = true;
                break;
            case "unicode escapes":
                request.Content = Json("""{"funnel":"\u0061cme","event":"\ud800","event_id":"\u0000","\udc00":1}""");
                break;
            case "10000 keys":
                request.Content = Json("{" + string.Join(",", Enumerable.Range(0, 10_000).Select(i => $"\"k{i}\":{i}")) + "}");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(variant));
        }

        // The conversions route needs a key to get past the first check; give the right one to the variants
        // that do not set their own, so their bodies reach the parser.
        if (!request.Headers.Contains("Authorization"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", IngressHarness.ApiKey);
        }

        return request;
    }

    private static void AddSignatures(HttpRequestMessage request, string value)
    {
        request.Headers.TryAddWithoutValidation("Calendly-Webhook-Signature", value);
        request.Headers.TryAddWithoutValidation("Stripe-Signature", value);
    }
}
