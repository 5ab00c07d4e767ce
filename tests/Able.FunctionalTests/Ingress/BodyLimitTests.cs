using System.Net;
using System.Net.Sockets;
using System.Text;
using Able.Attribution.Signatures;

namespace Able.FunctionalTests.Ingress;

/// <summary>Bodies over the limit get 413 without being read to the end, whether their length is declared or chunked.</summary>
public sealed class BodyLimitTests
{
    private const int Limit = 256 * 1024;

    /// <summary>A correctly signed, well-formed Calendly envelope padded to <paramref name="size"/> bytes.</summary>
    private static byte[] PaddedEnvelope(int size)
    {
        var head = "{\"event\":\"invitee.created\",\"created_at\":\"2026-03-04T15:02:11Z\",\"payload\":{\"uri\":\"https://api.calendly.com/scheduled_events/e/invitees/i\"},\"padding\":\""u8.ToArray();
        var tail = "\"}"u8.ToArray();
        var body = new byte[size];
        head.CopyTo(body, 0);
        body.AsSpan(head.Length, size - head.Length - tail.Length).Fill((byte)'x');
        tail.CopyTo(body, size - tail.Length);
        return body;
    }

    [Theory]
    [InlineData("calendly")]
    [InlineData("stripe")]
    public async Task A_257_KiB_body_gets_413_and_nothing_is_written(string source)
    {
        await using var harness = await IngressHarness.StartAsync();
        var body = PaddedEnvelope(257 * 1024);

        using var response = await harness.SendAsync(IngressHarness.Webhook(source, "acme", body));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(await harness.EntriesAsync());
        Assert.Contains($"able_webhooks_total{{source=\"{source}\",funnel=\"acme\",outcome=\"too_large\"}} 1", await harness.MetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_of_exactly_the_limit_is_accepted()
    {
        await using var harness = await IngressHarness.StartAsync();
        var body = PaddedEnvelope(Limit);

        using var response = await harness.SendAsync(IngressHarness.Webhook("calendly", "acme", body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(IngressHarness.ExpectedFacts("calendly", body), IngressHarness.Facts(Assert.Single(await harness.EntriesAsync())));
    }

    [Fact]
    public async Task The_limit_is_configurable()
    {
        await using var harness = await IngressHarness.StartAsync(able => able["Attribution"]!["Ingress"] = new System.Text.Json.Nodes.JsonObject { ["MaxBodyBytes"] = 4096 });

        using var small = await harness.SendAsync(IngressHarness.Webhook("calendly", "acme", PaddedEnvelope(4096)));
        using var large = await harness.SendAsync(IngressHarness.Webhook("calendly", "acme", PaddedEnvelope(4097)));

        Assert.Equal(HttpStatusCode.Accepted, small.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
    }

    /// <summary>A declared length over the limit is refused at once: the client has sent no body byte yet.</summary>
    [Fact]
    public async Task A_declared_length_over_the_limit_is_refused_before_any_body_is_sent()
    {
        await using var harness = await IngressHarness.StartAsync();
        var header = WebhookSignature.Sign([], IngressHarness.CalendlyKey, IngressHarness.Now);

        var status = await RawRequestAsync(harness, $"Content-Length: {100 * 1024 * 1024}\r\nCalendly-Webhook-Signature: {header}\r\n", []);

        Assert.Equal(413, status);
        Assert.Empty(await harness.EntriesAsync());
    }

    /// <summary>
    /// A chunked body is cut off just past the limit: the client sends 300 KiB and then stalls without ending the
    /// body, and the answer still comes, so the service stopped reading instead of waiting for the rest.
    /// </summary>
    [Fact]
    public async Task A_chunked_body_is_cut_off_at_the_limit()
    {
        await using var harness = await IngressHarness.StartAsync();
        var chunk = new byte[300 * 1024];
        chunk.AsSpan().Fill((byte)' ');
        var framed = Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n").Concat(chunk).Concat("\r\n"u8.ToArray()).ToArray();
        var header = WebhookSignature.Sign(chunk, IngressHarness.CalendlyKey, IngressHarness.Now);

        var status = await RawRequestAsync(harness, $"Transfer-Encoding: chunked\r\nCalendly-Webhook-Signature: {header}\r\n", framed);

        Assert.Equal(413, status);
        Assert.Empty(await harness.EntriesAsync());
    }

    /// <summary>
    /// A chunked body of exactly the limit is accepted whole however it is cut: Kestrel counts the chunks' framing
    /// against its own body limit, which must not refuse a body whose data is within ours (it did, within about 40
    /// bytes of the limit, before the limit left room for framing). One byte more is 413.
    /// </summary>
    [Theory]
    [InlineData(Limit, 64, 202)]
    [InlineData(Limit, 4096, 202)]
    [InlineData(Limit, Limit, 202)]
    [InlineData(Limit + 1, 64, 413)]
    [InlineData(Limit + 1, Limit + 1, 413)]
    public async Task A_chunked_body_is_measured_by_its_data_not_its_framing(int size, int chunkSize, int expected)
    {
        await using var harness = await IngressHarness.StartAsync();
        var body = PaddedEnvelope(size);
        var framed = new List<byte>();
        foreach (var chunk in body.Chunk(chunkSize))
        {
            framed.AddRange(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n"));
            framed.AddRange(chunk);
            framed.AddRange("\r\n"u8.ToArray());
        }

        framed.AddRange("0\r\n\r\n"u8.ToArray());
        var header = WebhookSignature.Sign(body, IngressHarness.CalendlyKey, IngressHarness.Now);

        var status = await RawRequestAsync(harness, $"Transfer-Encoding: chunked\r\nCalendly-Webhook-Signature: {header}\r\n", [.. framed]);

        Assert.Equal(expected, status);
        var entries = await harness.EntriesAsync();
        if (expected == 202)
        {
            Assert.Equal(IngressHarness.ExpectedFacts("calendly", body), IngressHarness.Facts(Assert.Single(entries)));
        }
        else
        {
            Assert.Empty(entries);
        }
    }

    /// <summary>A body whose chunk framing is broken is a 400 "Unreadable body" (not a 413), and nothing is written.</summary>
    [Fact]
    public async Task A_body_with_broken_chunk_framing_gets_400_unreadable_body()
    {
        await using var harness = await IngressHarness.StartAsync();
        var header = WebhookSignature.Sign([], IngressHarness.CalendlyKey, IngressHarness.Now);

        var status = await RawRequestAsync(harness, $"Transfer-Encoding: chunked\r\nCalendly-Webhook-Signature: {header}\r\n", "zz\r\n{}\r\n0\r\n\r\n"u8.ToArray());

        Assert.Equal(400, status);
        Assert.Empty(await harness.EntriesAsync());
        Assert.Contains("able_webhooks_total{source=\"calendly\",funnel=\"acme\",outcome=\"malformed\"} 1", await harness.MetricsAsync(), StringComparison.Ordinal);
    }

    /// <summary>Sends the request head and <paramref name="body"/> (as given: finished or not) on a raw socket and reads the status.</summary>
    private static async Task<int> RawRequestAsync(IngressHarness harness, string headers, byte[] body)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(harness.Service.PublicBase.Host, harness.Service.PublicBase.Port);
        var stream = client.GetStream();
        var head = $"POST /calendly-webhook/acme HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{headers}\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body);
        await stream.FlushAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[1024];
        var read = await stream.ReadAsync(buffer, timeout.Token);
        var statusLine = Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
        return int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
