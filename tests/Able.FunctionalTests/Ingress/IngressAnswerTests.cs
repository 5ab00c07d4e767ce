using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Able.FunctionalTests.Ingress;

/// <summary>
/// What a sender or an operator reads in each ingress answer: the status, an RFC 7807 problem whose title names the
/// problem and whose detail says what to do (the setting, the header, the limit), the headers that go with it
/// (<c>WWW-Authenticate</c>, <c>Allow</c>, <c>Retry-After</c>), and the body of an accepted or ignored delivery.
/// </summary>
public sealed class IngressAnswerTests
{
    public static TheoryData<string, string, int, string, string> WebhookRefusals()
    {
        var data = new TheoryData<string, string, int, string, string>();
        foreach (var (source, header, secretKey) in new[]
                 {
                     ("calendly", "Calendly-Webhook-Signature", "Calendly:SigningKey"),
                     ("stripe", "Stripe-Signature", "Stripe:WebhookSecret"),
                 })
        {
            data.Add(source, "unknown funnel", 404, "Unknown funnel", "No funnel with this mark is configured.");
            data.Add(source, "no secret", 404, "Unknown funnel",
                $"This funnel takes no {(source == "stripe" ? "Stripe" : "Calendly")} webhooks: its {secretKey} is not configured.");
            data.Add(source, "no signature", 401, "Missing signature", $"The {header} header is required.");
            data.Add(source, "wrong key", 401, "Bad signature", $"The {header} signature does not match this body and the funnel's {secretKey}.");
            data.Add(source, "not a signature", 401, "Bad signature", $"The {header} header must look like t=<unix seconds>,v1=<64 hex digits>.");
            data.Add(source, "signed 310 s ago", 401, "Stale signature", "The signature's timestamp is more than 300 s in the past.");
            data.Add(source, "signed 310 s ahead", 401, "Stale signature", "The signature's timestamp is more than 300 s in the future.");
            data.Add(source, "over 256 KiB", 413, "Body too large", "The body exceeds 262144 bytes (Able:Attribution:Ingress:MaxBodyBytes).");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WebhookRefusals))]
    public async Task Each_webhook_refusal_names_the_problem_and_what_to_fix(string source, string refusal, int status, string title, string detail)
    {
        await using var harness = await IngressHarness.StartAsync(able => able["Funnels"]![1]![source == "stripe" ? "Stripe" : "Calendly"] = new JsonObject());
        var body = Fixtures.Bytes(source + "/" + (source == "stripe" ? "invoice-paid.json" : "invitee-created-free.json"));
        var now = IngressHarness.Now;
        using var request = refusal switch
        {
            "unknown funnel" => IngressHarness.Webhook(source, "nobody", body),
            "no secret" => IngressHarness.Webhook(source, "other", body),
            "no signature" => WithoutSignature(IngressHarness.Webhook(source, "acme", body), source),
            "wrong key" => IngressHarness.Webhook(source, "acme", body, "not-the-key"),
            "not a signature" => IngressHarness.Webhook(source, "acme", body, header: "v1=abc"),
            "signed 310 s ago" => IngressHarness.Webhook(source, "acme", body, t: now - 310),
            "signed 310 s ahead" => IngressHarness.Webhook(source, "acme", body, t: now + 310),
            "over 256 KiB" => IngressHarness.Webhook(source, "acme", new byte[(256 * 1024) + 1]),
            _ => throw new ArgumentOutOfRangeException(nameof(refusal)),
        };

        using var response = await harness.SendAsync(request);

        await AssertProblemAsync(response, status, title, detail);
        Assert.Empty(await harness.EntriesAsync());
    }

    [Theory]
    [InlineData("calendly", "calendly/invitee-created-free.json", "invitee.created")]
    [InlineData("stripe", "stripe/invoice-paid.json", "invoice.paid")]
    public async Task An_accepted_webhook_answers_202_with_its_event(string source, string file, string @event)
    {
        await using var harness = await IngressHarness.StartAsync();

        using var response = await harness.SendAsync(IngressHarness.Webhook(source, "acme", Fixtures.Bytes(file)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(JsonNode.Parse($$"""{"status":"accepted","event":"{{@event}}"}"""), JsonNode.Parse(await response.Content.ReadAsStringAsync()),
            JsonNode.DeepEquals);
    }

    [Fact]
    public async Task An_ignored_webhook_answers_200_naming_the_event_it_ignored()
    {
        await using var harness = await IngressHarness.StartAsync();
        var body = """{"id":"evt_1","object":"event","type":"customer.created","created":1767225600,"data":{"object":{"id":"cus_1"}}}"""u8.ToArray();

        using var response = await harness.SendAsync(IngressHarness.Webhook("stripe", "acme", body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(JsonNode.Parse("""{"status":"ignored","event":"customer.created"}"""), JsonNode.Parse(await response.Content.ReadAsStringAsync()),
            JsonNode.DeepEquals);
        Assert.Empty(await harness.EntriesAsync());
    }

    [Theory]
    [InlineData("calendly")]
    [InlineData("stripe")]
    public async Task A_signed_body_that_is_not_a_delivery_is_a_400_malformed_body_with_the_reason(string source)
    {
        await using var harness = await IngressHarness.StartAsync();

        using var response = await harness.SendAsync(IngressHarness.Webhook(source, "acme", """{"nothing":"here"}"""u8.ToArray()));

        var problem = await AssertProblemAsync(response, 400, "Malformed body", detail: null);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    /// <summary>
    /// A Calendly subscription recreated with a new key: deliveries signed with the key it replaced are still taken until
    /// <c>PreviousSigningKeyValidUntil</c>, never after it, and a blank previous key verifies nothing.
    /// </summary>
    [Theory]
    [InlineData("previous-key", 3600, HttpStatusCode.Accepted)]
    [InlineData("previous-key", -1, HttpStatusCode.Unauthorized)]
    [InlineData(" ", 3600, HttpStatusCode.Unauthorized)]
    public async Task A_delivery_signed_with_the_replaced_calendly_key_is_taken_only_inside_the_grace_period(
        string previousKey, int validForSeconds, HttpStatusCode expected)
    {
        await using var harness = await IngressHarness.StartAsync(able =>
        {
            var calendly = able["Funnels"]![0]!["Calendly"]!.AsObject();
            calendly["PreviousSigningKey"] = previousKey;
            calendly["PreviousSigningKeyValidUntil"] = DateTimeOffset.UtcNow.AddSeconds(validForSeconds).ToString("O", CultureInfo.InvariantCulture);
        });
        var body = Fixtures.Bytes("calendly/invitee-created-free.json");

        var now = IngressHarness.Now;
        byte[] signed = [.. Encoding.ASCII.GetBytes($"{now}."), .. body];
        var header = $"t={now},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(previousKey), signed))}";

        using var response = await harness.SendAsync(IngressHarness.Webhook("calendly", "acme", body, header: header));
        using var current = await harness.SendAsync(IngressHarness.Webhook("calendly", "acme", body));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, current.StatusCode);
        Assert.Equal(expected == HttpStatusCode.Accepted ? 2 : 1, (await harness.EntriesAsync()).Length);
    }

    public static TheoryData<string, string?, string, int, string, string> ConversionRefusals() => new()
    {
        { "no key", null, """{"funnel":"acme","event":"Lead","event_id":"1"}""", 401, "Missing API key", "Send Authorization: Bearer <the funnel's API key>." },
        { "wrong key", "nope", """{"funnel":"acme","event":"Lead","event_id":"1"}""", 401, "Wrong API key", "The bearer key is not the API key of the funnel the conversion names." },
        { "not JSON", IngressHarness.ApiKey, "{", 400, "Malformed body", "" },
        { "no funnel", IngressHarness.ApiKey, """{"event":"Lead","event_id":"1"}""", 400, "Invalid conversion", "Every conversion must name its funnel." },
        { "unknown funnel", IngressHarness.ApiKey, """{"funnel":"nobody","event":"Lead","event_id":"1"}""", 404, "Unknown funnel", "A conversion names a funnel that is not configured." },
        { "one invalid", IngressHarness.ApiKey, """{"funnel":"acme","event_id":"1"}""", 400, "Invalid conversion", "The conversion has invalid fields; nothing was queued." },
        {
            "a batch with one invalid", IngressHarness.ApiKey, """[{"funnel":"acme","event":"Lead","event_id":"1"},{"funnel":"acme","event_id":"2"}]""",
            400, "Invalid conversion", "Some conversions have invalid fields; nothing of this batch was queued."
        },
    };

    [Theory]
    [MemberData(nameof(ConversionRefusals))]
    public async Task Each_conversions_api_refusal_names_the_problem_and_a_401_names_the_bearer_scheme(
        string refusal, string? key, string body, int status, string title, string detail)
    {
        await using var harness = await IngressHarness.StartAsync();

        using var response = await harness.SendAsync(IngressHarness.Conversions(body, key));

        var problem = await AssertProblemAsync(response, status, title, detail.Length == 0 ? null : detail);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), refusal);
        Assert.Equal(status == 401 ? ["Bearer"] : [], response.Headers.WwwAuthenticate.Select(h => h.Scheme).ToArray());
        Assert.Empty(await harness.EntriesAsync());
        if (title == "Invalid conversion")
        {
            var funnel = refusal == "no funnel" ? "unknown" : "acme";
            Assert.Contains($"able_webhooks_total{{source=\"api\",funnel=\"{funnel}\",outcome=\"malformed\"}} 1", await harness.MetricsAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Accepted_conversions_answer_202_with_how_many_were_queued()
    {
        await using var harness = await IngressHarness.StartAsync();

        using var response = await harness.SendAsync(IngressHarness.Conversions(
            """[{"funnel":"acme","event":"Lead","event_id":"1"},{"funnel":"acme","event":"Lead","event_id":"2"}]"""));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(JsonNode.Parse("""{"status":"accepted","accepted":2}"""), JsonNode.Parse(await response.Content.ReadAsStringAsync()), JsonNode.DeepEquals);
    }

    [Theory]
    [InlineData("GET", "/calendly-webhook/acme", "calendly", "acme")]
    [InlineData("PUT", "/stripe-webhook/acme", "stripe", "acme")]
    [InlineData("DELETE", "/v1/conversions", "api", "unknown")]
    public async Task Another_method_gets_405_allow_post_and_is_counted(string method, string path, string source, string funnel)
    {
        await using var harness = await IngressHarness.StartAsync();

        using var response = await harness.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await AssertProblemAsync(response, 405, "Method not allowed", "Only POST is accepted here.");
        Assert.Equal(["POST"], response.Content.Headers.Allow);
        Assert.Contains($"able_webhooks_total{{source=\"{source}\",funnel=\"{funnel}\",outcome=\"method_not_allowed\"}} 1",
            await harness.MetricsAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A chunked body (no Content-Length) is read past the first 16 KiB buffer, through every doubling of it: a
    /// 100 KiB or 250,000-byte delivery (a fixture with trailing whitespace, which JSON allows) is stored whole.
    /// (At the limit exactly and in small chunks: <see cref="BodyLimitTests"/>.)
    /// </summary>
    [Theory]
    [InlineData(100 * 1024)]
    [InlineData(250_000)]
    public async Task A_chunked_webhook_larger_than_the_first_buffer_is_read_whole(int size)
    {
        await using var harness = await IngressHarness.StartAsync();
        var fixture = Fixtures.Bytes("calendly/invitee-created-free.json");
        var body = new byte[size];
        fixture.CopyTo(body, 0);
        body.AsSpan(fixture.Length).Fill((byte)' ');
        using var request = IngressHarness.Webhook("calendly", "acme", body);
        request.Headers.TransferEncodingChunked = true;

        using var response = await harness.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        Assert.Single(await harness.EntriesAsync());
    }

    /// <summary>The 429's detail and its <c>Retry-After</c> say the same wait: the rest of the 60 s window (whole seconds, at least 1).</summary>
    [Fact]
    public async Task A_rate_limited_request_is_told_when_the_window_reopens()
    {
        await using var harness = await IngressHarness.StartAsync(able => able["Attribution"]!["Ingress"] = new JsonObject
        {
            ["RateLimit"] = new JsonObject { ["PermitsPerIp"] = 1, ["PermitsPerFunnel"] = 1000, ["WindowSeconds"] = 60 },
        });
        var body = Fixtures.Bytes("calendly/invitee-created-free.json");
        using var first = await harness.SendAsync(IngressHarness.Webhook("calendly", "acme", body));

        using var limited = await harness.SendAsync(IngressHarness.Webhook("calendly", "acme", body));

        var seconds = (int)limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        await AssertProblemAsync(limited, 429, "Too many requests", $"Retry after {seconds} s.");
        Assert.InRange(seconds, 2, 60);
    }

    private static HttpRequestMessage WithoutSignature(HttpRequestMessage request, string source)
    {
        request.Headers.Remove(IngressHarness.SignatureHeader(source));
        return request;
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, int status, string title, string? detail)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = problem.RootElement.Clone();
        Assert.Equal(status, root.GetProperty("status").GetInt32());
        Assert.Equal(title, root.GetProperty("title").GetString());
        if (detail is not null)
        {
            Assert.Equal(detail, root.GetProperty("detail").GetString());
        }

        return root;
    }
}
