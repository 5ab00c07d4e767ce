using System.Net;
using System.Text;
using System.Text.Json;
using Able.Attribution.Signatures;

namespace Able.FunctionalTests.Ingress;

/// <summary>Signed Calendly and Stripe deliveries against the real service and real Redis.</summary>
public sealed class WebhookTests
{
    public static TheoryData<string, string> AllFixtures => Fixtures.All();

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public async Task Every_fixture_signed_correctly_is_accepted_and_stored_as_its_facts(string source, string file)
    {
        await using var harness = await IngressHarness.StartAsync();
        var body = Fixtures.Bytes(source + "/" + file);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        using var response = await harness.SendAsync(IngressHarness.Webhook(source, "acme", body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var entry = Assert.Single(await harness.EntriesAsync());
        Assert.Equal(IngressHarness.ExpectedFacts(source, body), IngressHarness.Facts(entry));
        Assert.Equal(source, IngressHarness.Field(entry, "source"));
        Assert.Equal("acme", IngressHarness.Field(entry, "funnel"));
        using var json = JsonDocument.Parse(body);
        var expectedType = json.RootElement.GetProperty(source == "stripe" ? "type" : "event").GetString();
        Assert.Equal(expectedType, IngressHarness.Field(entry, "type"));
        Assert.InRange(IngressHarness.ReceivedAt(entry), before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Each_funnel_checks_its_own_key_and_records_its_own_mark()
    {
        await using var harness = await IngressHarness.StartAsync();
        var body = Fixtures.Bytes("calendly/invitee-created-free.json");

        using var response = await harness.SendAsync(IngressHarness.Webhook("calendly", "other", body, IngressHarness.OtherCalendlyKey));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("other", IngressHarness.Field(Assert.Single(await harness.EntriesAsync()), "funnel"));
    }

    /// <summary>
    /// Deliveries queued while the note of the last one is being written are noted by one later write: the key ends
    /// with the newest delivery's time (at or after its received_at, and no later than its answer).
    /// </summary>
    /// <summary>The first Calendly delivery a funnel ever gets is noted as its last delivery (the status line's "last webhook").</summary>
    [Fact]
    public async Task A_funnels_first_calendly_delivery_is_noted_as_its_last_delivery()
    {
        await using var harness = await IngressHarness.StartAsync();
        var key = harness.CalendlyLastDelivery("acme");
        Assert.False(await harness.Redis.GetDatabase().KeyExistsAsync(key));

        using var response = await harness.SendAsync(IngressHarness.Webhook("calendly", "acme", Fixtures.Bytes("calendly/invitee-created-free.json")));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var receivedAt = IngressHarness.ReceivedAt(Assert.Single(await harness.EntriesAsync()));
        Assert.True(await Eventually.TrueAsync(
            async () => await harness.Redis.GetDatabase().KeyExistsAsync(key), TimeSpan.FromSeconds(10)));
        Assert.InRange((long)await harness.Redis.GetDatabase().StringGetAsync(key), receivedAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Concurrent_calendly_deliveries_leave_the_newest_time_as_the_funnels_last_delivery()
    {
        await using var harness = await IngressHarness.StartAsync();
        var body = Fixtures.Bytes("calendly/invitee-created-free.json");

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => harness.SendAsync(IngressHarness.Webhook("calendly", "acme", body))));
        var answered = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        var newest = (await harness.EntriesAsync()).Max(IngressHarness.ReceivedAt);
        var key = harness.CalendlyLastDelivery("acme");
        Assert.True(await Eventually.TrueAsync(
            async () => (long?)await harness.Redis.GetDatabase().StringGetAsync(key) >= newest, TimeSpan.FromSeconds(10)));
        Assert.InRange((long)await harness.Redis.GetDatabase().StringGetAsync(key), newest, answered);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    public static TheoryData<string, string, HttpStatusCode> Attacks()
    {
        var data = new TheoryData<string, string, HttpStatusCode>();
        foreach (var source in new[] { "calendly", "stripe" })
        {
            foreach (var attack in new[]
                     {
                         "flipped bit in body", "flipped bit in signature", "flipped bit in timestamp", "missing header",
                         "empty header", "two signatures folded into one header", "another funnel's key", "the other sender's secret",
                         "replay 301 s old", "replay a day old", "timestamp 310 s ahead", "timestamp a day ahead",
                         "upper-case V1 key", "space inside the value", "signature cut short", "v0 only",
                         "several v1, none matching", "signed without the t. prefix", "signature in the wrong header",
                     })
            {
                data.Add(source, attack, HttpStatusCode.Unauthorized);
            }
        }

        return data;
    }

    /// <summary>Every attack is refused with its status and leaves the stream untouched.</summary>
    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Attacks_are_refused_and_nothing_is_written(string source, string attack, HttpStatusCode expected)
    {
        await using var harness = await IngressHarness.StartAsync();
        var body = Fixtures.Bytes(source + "/" + (source == "stripe" ? "invoice-paid.json" : "invitee-created-paid.json"));
        var key = source == "stripe" ? IngressHarness.StripeSecret : IngressHarness.CalendlyKey;
        var now = IngressHarness.Now;
        var good = WebhookSignature.Sign(body, key, now);
        var mac = good.Split("v1=")[1];
        var request = attack switch
        {
            "flipped bit in body" => IngressHarness.Webhook(source, "acme", FlipBit(body, body.Length / 2), header: good),
            "flipped bit in signature" => IngressHarness.Webhook(source, "acme", body, header: $"t={now},v1={FlipHexBit(mac)}"),
            "flipped bit in timestamp" => IngressHarness.Webhook(source, "acme", body, header: $"t={now ^ 1},v1={mac}"),
            "missing header" => WithoutSignature(source, body),
            "empty header" => IngressHarness.Webhook(source, "acme", body, header: ""),
            "two signatures folded into one header" => WithSecondHeader(IngressHarness.Webhook(source, "acme", body, header: good), source, good),
            "another funnel's key" => IngressHarness.Webhook(source, "acme", body,
                source == "stripe" ? IngressHarness.OtherStripeSecret : IngressHarness.OtherCalendlyKey),
            "the other sender's secret" => IngressHarness.Webhook(source, "acme", body,
                source == "stripe" ? IngressHarness.CalendlyKey : IngressHarness.StripeSecret),
            "replay 301 s old" => IngressHarness.Webhook(source, "acme", body, t: now - 301),
            "replay a day old" => IngressHarness.Webhook(source, "acme", body, t: now - 86_400),
            // Well past the 300 s edge (the unit tests pin the edge): a clock tick between signing and checking must not matter.
            "timestamp 310 s ahead" => IngressHarness.Webhook(source, "acme", body, t: now + 310),
            "timestamp a day ahead" => IngressHarness.Webhook(source, "acme", body, t: now + 86_400),
            "upper-case V1 key" => IngressHarness.Webhook(source, "acme", body, header: $"t={now},V1={mac}"),
            "space inside the value" => IngressHarness.Webhook(source, "acme", body, header: $"t={now},v1= {mac}"),
            "signature cut short" => IngressHarness.Webhook(source, "acme", body, header: $"t={now},v1={mac[..40]}"),
            "v0 only" => IngressHarness.Webhook(source, "acme", body, header: $"t={now},v0={mac}"),
            "several v1, none matching" => IngressHarness.Webhook(source, "acme", body, header:
                $"t={now},v1={WebhookSignature.Sign(body, "wrong-1", now).Split("v1=")[1]},v1={FlipHexBit(mac)},v1={WebhookSignature.Sign(body, key, now - 1).Split("v1=")[1]}"),
            "signed without the t. prefix" => IngressHarness.Webhook(source, "acme", body, header: $"t={now},v1={HmacHex(key, body)}"),
            "signature in the wrong header" => InWrongHeader(source, body, good),
            _ => throw new ArgumentOutOfRangeException(nameof(attack)),
        };

        using var response = await harness.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await harness.EntriesAsync());
        var metrics = await harness.MetricsAsync();
        var outcome = attack.StartsWith("replay", StringComparison.Ordinal) || attack.StartsWith("timestamp", StringComparison.Ordinal)
            ? "stale"
            : "bad_signature";
        Assert.Contains($"able_webhooks_total{{source=\"{source}\",funnel=\"acme\",outcome=\"{outcome}\"}} 1", metrics, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> PassingHeaderForms()
    {
        var data = new TheoryData<string, string>();
        foreach (var source in new[] { "calendly", "stripe" })
        {
            foreach (var form in new[] { "canonical", "upper-case hex", "spaces after commas", "v1 before t", "several v1, one matching", "with a v0" })
            {
                data.Add(source, form);
            }
        }

        return data;
    }

    /// <summary>The documented header forms that pass: none of them changes the bytes the MAC covers.</summary>
    [Theory]
    [MemberData(nameof(PassingHeaderForms))]
    public async Task Documented_header_forms_pass(string source, string form)
    {
        await using var harness = await IngressHarness.StartAsync();
        var body = Fixtures.Bytes(source + "/" + (source == "stripe" ? "checkout-session-completed.json" : "invitee-canceled.json"));
        var key = source == "stripe" ? IngressHarness.StripeSecret : IngressHarness.CalendlyKey;
        var now = IngressHarness.Now;
        var mac = WebhookSignature.Sign(body, key, now).Split("v1=")[1];
        var stale = WebhookSignature.Sign(body, "rotated-out-key", now).Split("v1=")[1];
        var header = form switch
        {
            "canonical" => $"t={now},v1={mac}",
            "upper-case hex" => $"t={now},v1={mac.ToUpperInvariant()}",
            "spaces after commas" => $"t={now}, v1={mac}",
            "v1 before t" => $"v1={mac},t={now}",
            "several v1, one matching" => $"t={now},v1={stale},v1={mac}",
            "with a v0" => $"t={now},v1={mac},v0={stale}",
            _ => throw new ArgumentOutOfRangeException(nameof(form)),
        };

        using var response = await harness.SendAsync(IngressHarness.Webhook(source, "acme", body, header: header));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(IngressHarness.ExpectedFacts(source, body), IngressHarness.Facts(Assert.Single(await harness.EntriesAsync())));
    }

    public static TheoryData<string, string, string> MalformedBodies() => new()
    {
        { "calendly", "truncated JSON", "not valid JSON" },
        { "stripe", "truncated JSON", "not valid JSON" },
        { "calendly", "JSON that is not an envelope", "event must be" },
        { "stripe", "JSON that is not an envelope", "id must be" },
        { "calendly", "an array", "JSON object" },
        { "stripe", "an array", "JSON object" },
        { "calendly", "invitee event without payload.uri", "payload.uri" },
        { "calendly", "empty body", "empty" },
        { "stripe", "a Calendly body", "id must be" },
        { "calendly", "not UTF-8", "not valid UTF-8" },
    };

    /// <summary>Correctly signed but malformed bodies: 400 with the reason, nothing written.</summary>
    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Signed_but_malformed_bodies_get_400_with_the_reason(string source, string kind, string reason)
    {
        await using var harness = await IngressHarness.StartAsync();
        var fixture = Fixtures.Bytes(source + "/" + (source == "stripe" ? "invoice-paid.json" : "invitee-created-free.json"));
        var body = kind switch
        {
            "truncated JSON" => fixture[..(fixture.Length / 2)],
            "JSON that is not an envelope" => """{"hello":"world","numbers":[1,2,3]}"""u8.ToArray(),
            "an array" => Encoding.UTF8.GetBytes($"[{Encoding.UTF8.GetString(fixture)}]"),
            "invitee event without payload.uri" =>
                """{"event":"invitee.created","created_at":"2026-03-04T15:02:11.000000Z","payload":{"email":"x@example.com"}}"""u8.ToArray(),
            "empty body" => [],
            "a Calendly body" => Fixtures.Bytes("calendly/invitee-created-free.json"),
            "not UTF-8" => [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        using var response = await harness.SendAsync(IngressHarness.Webhook(source, "acme", body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await harness.EntriesAsync());
    }

    [Theory]
    [InlineData("stripe", """{"id":"evt_1","object":"event","type":"customer.created","created":1773926400,"data":{"object":{"id":"cus_1"}}}""")]
    [InlineData("calendly", """{"event":"routing_form_submission.created","created_at":"2026-03-04T15:02:11Z","payload":{"uri":"https://api.calendly.com/routing_form_submissions/1"}}""")]
    public async Task Other_event_types_are_acknowledged_counted_and_not_queued(string source, string json)
    {
        await using var harness = await IngressHarness.StartAsync();

        using var response = await harness.SendAsync(IngressHarness.Webhook(source, "acme", Encoding.UTF8.GetBytes(json)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await harness.EntriesAsync());
        Assert.Contains($"able_webhooks_total{{source=\"{source}\",funnel=\"acme\",outcome=\"ignored\"}} 1", await harness.MetricsAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("calendly", "nope")]
    [InlineData("stripe", "nope")]
    [InlineData("calendly", "")]
    public async Task Unknown_funnels_get_404(string source, string funnel)
    {
        await using var harness = await IngressHarness.StartAsync();
        var body = Fixtures.Bytes(source + "/" + (source == "stripe" ? "invoice-paid.json" : "invitee-created-free.json"));

        using var response = await harness.SendAsync(IngressHarness.Webhook(source, funnel, body));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await harness.EntriesAsync());
    }

    [Fact]
    public async Task A_funnel_without_a_stripe_secret_takes_no_stripe_webhooks()
    {
        await using var harness = await IngressHarness.StartAsync(able => able["Funnels"]![1]!["Stripe"] = new System.Text.Json.Nodes.JsonObject());
        var body = Fixtures.Bytes("stripe/invoice-paid.json");

        using var response = await harness.SendAsync(IngressHarness.Webhook("stripe", "other", body, "anything"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Stripe:WebhookSecret", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("able_webhooks_total{source=\"stripe\",funnel=\"other\",outcome=\"unknown_funnel\"} 1", await harness.MetricsAsync(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> TwoHeaderLines()
    {
        var data = new TheoryData<string, string>();
        foreach (var source in new[] { "calendly", "stripe" })
        {
            foreach (var pair in new[] { "both valid", "valid, then wrong key", "wrong key, then valid" })
            {
                data.Add(source, pair);
            }
        }

        return data;
    }

    /// <summary>
    /// Exactly one signature header: two header lines (which HttpClient would fold into one) are refused as
    /// malformed even when each alone would pass, so no proxy or framework can pick the one it likes.
    /// </summary>
    [Theory]
    [MemberData(nameof(TwoHeaderLines))]
    public async Task Two_signature_header_lines_are_refused_even_when_one_is_valid(string source, string pair)
    {
        await using var harness = await IngressHarness.StartAsync();
        var body = Fixtures.Bytes(source + "/" + (source == "stripe" ? "invoice-paid.json" : "invitee-created-paid.json"));
        var now = IngressHarness.Now;
        var good = WebhookSignature.Sign(body, source == "stripe" ? IngressHarness.StripeSecret : IngressHarness.CalendlyKey, now);
        var wrong = WebhookSignature.Sign(body, "not-the-funnels-key", now);
        var (first, second) = pair switch
        {
            "both valid" => (good, good),
            "valid, then wrong key" => (good, wrong),
            "wrong key, then valid" => (wrong, good),
            _ => throw new ArgumentOutOfRangeException(nameof(pair)),
        };
        var name = IngressHarness.SignatureHeader(source);
        var server = harness.Url("/");
        var request = Encoding.ASCII.GetBytes(
            $"POST /{source}-webhook/acme HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\n" +
            $"Content-Length: {body.Length}\r\n{name}: {first}\r\n{name}: {second}\r\nConnection: close\r\n\r\n");

        var response = await RawHttpClient.SendBytesAsync(server, [.. request, .. body]);

        Assert.Equal(401, response.Status);
        Assert.Contains("application/problem+json", response.HeadText, StringComparison.OrdinalIgnoreCase);
        using var problem = JsonDocument.Parse(Dechunked(response));
        Assert.Equal("Bad signature", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal($"The {name} header must look like t=<unix seconds>,v1=<64 hex digits>.", problem.RootElement.GetProperty("detail").GetString());
        Assert.Empty(await harness.EntriesAsync());
        Assert.Contains($"able_webhooks_total{{source=\"{source}\",funnel=\"acme\",outcome=\"bad_signature\"}} 1", await harness.MetricsAsync(), StringComparison.Ordinal);
    }

    /// <summary>A blank secret (a space in an environment variable) is no secret: the funnel takes none of that sender's webhooks.</summary>
    [Theory]
    [InlineData("calendly")]
    [InlineData("stripe")]
    public async Task A_funnel_whose_secret_is_blank_takes_no_webhooks_even_signed_with_the_blank_key(string source)
    {
        const string Blank = "  ";
        await using var harness = await IngressHarness.StartAsync(able => able["Funnels"]![1]![source == "stripe" ? "Stripe" : "Calendly"] =
            new System.Text.Json.Nodes.JsonObject { [source == "stripe" ? "WebhookSecret" : "SigningKey"] = Blank });
        var body = Fixtures.Bytes(source + "/" + (source == "stripe" ? "invoice-paid.json" : "invitee-created-paid.json"));
        var now = IngressHarness.Now;
        byte[] signed = [.. Encoding.ASCII.GetBytes($"{now}."), .. body];
        var signedWithBlank = $"t={now},v1={HmacHex(Blank, signed)}";

        using var response = await harness.SendAsync(IngressHarness.Webhook(source, "other", body, header: signedWithBlank));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await harness.EntriesAsync());
        Assert.Contains($"able_webhooks_total{{source=\"{source}\",funnel=\"other\",outcome=\"unknown_funnel\"}} 1", await harness.MetricsAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/calendly-webhook/acme")]
    [InlineData("PUT", "/stripe-webhook/acme")]
    [InlineData("DELETE", "/v1/conversions")]
    [InlineData("PATCH", "/calendly-webhook/nope")]
    public async Task Other_methods_get_405_with_allow_post(string method, string path)
    {
        await using var harness = await IngressHarness.StartAsync();

        using var response = await harness.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), harness.Url(path)));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("POST", response.Content.Headers.Allow.Single());
    }

    [Fact]
    public async Task Metrics_count_outcomes_and_show_latency_and_stream_length()
    {
        await using var harness = await IngressHarness.StartAsync();
        var body = Fixtures.Bytes("calendly/invitee-created-free.json");
        (await harness.SendAsync(IngressHarness.Webhook("calendly", "acme", body))).Dispose();
        (await harness.SendAsync(IngressHarness.Webhook("calendly", "acme", body, t: IngressHarness.Now - 1000))).Dispose();
        (await harness.SendAsync(IngressHarness.Webhook("calendly", "does-not-exist", body))).Dispose();

        var metrics = await harness.MetricsAsync();

        Assert.Contains("able_webhooks_total{source=\"calendly\",funnel=\"acme\",outcome=\"accepted\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("able_webhooks_total{source=\"calendly\",funnel=\"acme\",outcome=\"stale\"} 1", metrics, StringComparison.Ordinal);
        // A made-up mark is not a label value: scanners cannot grow the series.
        Assert.Contains("able_webhooks_total{source=\"calendly\",funnel=\"unknown\",outcome=\"unknown_funnel\"} 1", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("does-not-exist", metrics, StringComparison.Ordinal);
        Assert.Contains("able_ingest_duration_seconds_count{source=\"calendly\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("able_ingest_stream_length 1", metrics, StringComparison.Ordinal);
    }

    private static HttpRequestMessage WithoutSignature(string source, byte[] body)
    {
        var request = IngressHarness.Webhook(source, "acme", body, header: "x");
        request.Headers.Remove(IngressHarness.SignatureHeader(source));
        return request;
    }

    private static HttpRequestMessage WithSecondHeader(HttpRequestMessage request, string source, string value)
    {
        request.Headers.TryAddWithoutValidation(IngressHarness.SignatureHeader(source), value);
        return request;
    }

    private static HttpRequestMessage InWrongHeader(string source, byte[] body, string signature)
    {
        var request = WithoutSignature(source, body);
        request.Headers.TryAddWithoutValidation(IngressHarness.SignatureHeader(source == "stripe" ? "calendly" : "stripe"), signature);
        return request;
    }

    private static byte[] FlipBit(byte[] body, int index)
    {
        var copy = (byte[])body.Clone();
        copy[index] ^= 0x01;
        return copy;
    }

    private static string FlipHexBit(string hex) => Convert.ToHexStringLower(FlipBit(Convert.FromHexString(hex), 0));

    /// <summary>The body of a raw response, its chunked framing (if any) removed.</summary>
    private static byte[] Dechunked(RawHttpResponse response)
    {
        if (!response.HeadText.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            return response.Body;
        }

        var body = new List<byte>();
        var rest = response.Body.AsSpan();
        while (true)
        {
            var lineEnd = rest.IndexOf("\r\n"u8);
            var size = int.Parse(Encoding.ASCII.GetString(rest[..lineEnd]).Split(';')[0], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            if (size == 0)
            {
                return [.. body];
            }

            body.AddRange(rest.Slice(lineEnd + 2, size));
            rest = rest[(lineEnd + 2 + size + 2)..];
        }
    }

    private static string HmacHex(string key, byte[] body) =>
        Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), body));
}
