using System.Net;
using System.Text.Json.Nodes;
using System.Text;
using StackExchange.Redis;

namespace Able.FunctionalTests.Ingress;

/// <summary>Durability: 2xx only after Redis acknowledged; Redis away or slow gives 503 and never a partial write.</summary>
public sealed class RedisOutageTests
{
    private const string Batch = """[{"funnel":"acme","event":"Lead","event_id":"a"},{"funnel":"acme","event":"Lead","event_id":"b"},{"funnel":"acme","event":"Lead","event_id":"c"}]""";

    [Fact]
    public async Task Redis_stopped_gives_503_and_nothing_written_and_the_next_delivery_after_it_returns_succeeds()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var harness = await IngressHarness.StartAsync(redisConnection: redis.ConnectionString);
        var calendly = Fixtures.Bytes("calendly/invitee-created-free.json");
        var stripe = Fixtures.Bytes("stripe/invoice-paid.json");

        using (var before = await harness.SendAsync(IngressHarness.Webhook("calendly", "acme", calendly)))
        {
            Assert.Equal(HttpStatusCode.Accepted, before.StatusCode);
        }

        await redis.StopAsync();
        foreach (var request in new Func<HttpRequestMessage>[]
                 {
                     () => IngressHarness.Webhook("calendly", "acme", calendly),
                     () => IngressHarness.Webhook("stripe", "acme", stripe),
                     () => IngressHarness.Conversions(Batch),
                 })
        {
            using var down = await harness.SendAsync(request());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), down.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
            var problem = JsonNode.Parse(await down.Content.ReadAsStringAsync())!;
            Assert.Equal("Storage unavailable", (string?)problem["title"]);
            Assert.Equal("The delivery was not stored; retry later.", (string?)problem["detail"]);
        }

        Assert.Contains("able_webhooks_total{source=\"api\",funnel=\"acme\",outcome=\"unavailable\"} 1", await harness.MetricsAsync(), StringComparison.Ordinal);

        await redis.StartAgainAsync();
        // The service is not restarted: its Redis connection comes back by itself. Until it has, deliveries keep
        // getting 503 (and write nothing); the first 2xx must be followed by exactly the entries answered 2xx.
        var recovered = await Eventually.TrueAsync(async () =>
        {
            using var response = await harness.SendAsync(IngressHarness.Conversions(Batch));
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                return true;
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            return false;
        }, TimeSpan.FromSeconds(30));
        Assert.True(recovered, "deliveries did not succeed again after Redis returned");

        using (var after = await harness.SendAsync(IngressHarness.Webhook("stripe", "acme", stripe)))
        {
            Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
        }

        // The restarted server kept nothing (no persistence), so the stream holds exactly what was answered 2xx
        // since: no 503 delivery was parked and written later.
        var entries = await harness.EntriesAsync();
        Assert.Equal(["Lead", "Lead", "Lead", "invoice.paid"], entries.Select(e => IngressHarness.Field(e, "type")));
    }

    /// <summary>
    /// Redis that accepts the connection but does not answer in time (CLIENT PAUSE): the delivery gets 503 within
    /// the configured bound. A write Redis runs after the pause lands whole: a batch is all of its entries or none.
    /// </summary>
    [Fact]
    public async Task Redis_too_slow_gives_503_within_the_bound_and_a_batch_lands_whole_or_not_at_all()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var harness = await IngressHarness.StartAsync(
            able => able["Attribution"]!["Ingress"] = new JsonObject { ["RedisWriteTimeoutMilliseconds"] = 300 },
            redis.ConnectionString);
        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");

        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "10000", "WRITE");
        var started = DateTime.UtcNow;
        using var response = await harness.SendAsync(IngressHarness.Conversions(Batch));
        var waited = DateTime.UtcNow - started;
        await admin.GetDatabase().ExecuteAsync("CLIENT", "UNPAUSE");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        // Bounded by the 300 ms write timeout, not by the 10 s pause (generous margin for a busy machine).
        Assert.True(waited < TimeSpan.FromSeconds(8), $"waited {waited.TotalMilliseconds:0} ms");
        // Once Redis runs the parked transaction, it is all three entries; it is never a part of them.
        await Eventually.TrueAsync(async () => await harness.Redis.GetDatabase().StreamLengthAsync(harness.Stream) > 0, TimeSpan.FromSeconds(2));
        var length = await harness.Redis.GetDatabase().StreamLengthAsync(harness.Stream);
        Assert.True(length is 0 or 3, $"a batch of 3 left {length} entries");
    }
}
