using System.Net;
using Able.Schema.Redis;
using StackExchange.Redis;
using static Able.FunctionalTests.Capture.GatewayRequests;

namespace Able.FunctionalTests.Capture;

/// <summary>A Redis that refuses writes (maxmemory reached, noeviction) must cost captures, never pages.</summary>
public sealed class RedisOutOfMemoryTests
{
    [Fact]
    public async Task Redis_out_of_memory_pages_are_still_served_with_cookie_and_decoration_and_the_drops_are_counted()
    {
        await using var origin = await RecordingOrigin.StartAsync();
        await using var redisProcess = await RedisServerProcess.StartAsync("--maxmemory", "2mb", "--maxmemory-policy", "noeviction");
        using var config = TestConfig.Create(redisProcess.ConnectionString, origin.Url);
        await using var gateway = await RunningService.StartGatewayAsync(config);
        using var inspect = await ConnectionMultiplexer.ConnectAsync($"{redisProcess.ConnectionString},allowAdmin=true");
        var database = inspect.GetDatabase();

        // Fill Redis until it refuses writes.
        var filler = new string('x', 16 * 1024);
        var refused = false;
        for (var i = 0; i < 1000 && !refused; i++)
        {
            try
            {
                await database.StringSetAsync($"filler:{i}", filler);
            }
            catch (RedisServerException error) when (error.Message.StartsWith("OOM", StringComparison.Ordinal))
            {
                refused = true;
            }
        }

        Assert.True(refused, "Redis never refused a write; maxmemory did not apply");
        // At the edge a freed client buffer lets a write or two through; put the limit clearly below what is used.
        var server = inspect.GetServers()[0];
        var used = long.Parse((await server.InfoAsync("memory")).SelectMany(group => group).First(p => p.Key == "used_memory").Value, System.Globalization.CultureInfo.InvariantCulture);
        await server.ConfigSetAsync("maxmemory", (used - (256 * 1024)).ToString(System.Globalization.CultureInfo.InvariantCulture));

        const int pages = 20;
        // Each page within the client's 10 s timeout: a request waiting on Redis would hang here.
        for (var i = 0; i < pages; i++)
        {
            using var response = await gateway.Client.SendAsync(Page(gateway.PublicBase, $"/book?ttclid=E.C.P.oom{i}&utm_source=tiktok"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var visitorId = VisitorCookie(response);
            Assert.NotNull(visitorId);
            Assert.Contains($"salesforce_uuid={visitorId}", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The writer hands every batch to Redis, which refuses it: dropped and counted, the queue does not back up.
        var metrics = "";
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            metrics = await gateway.Client.GetStringAsync(new Uri(gateway.ManagementBase, "/metrics"));
            return metrics.Contains($"able_capture_dropped_total{{reason=\"redis_error\"}} {pages}", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(10)), metrics);
        Assert.Contains("able_capture_queue_depth 0", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("reason=\"queue_full\"", metrics, StringComparison.Ordinal);
        Assert.Empty(await KeysAsync(inspect, config.KeyPrefix));
        // Redis still answers PING: the gateway stays ready (it does not need Redis to serve pages anyway).
        using (var ready = await gateway.Client.GetAsync(new Uri(gateway.ManagementBase, "/readyz")))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // Memory freed: the next capture lands, nothing to restart.
        await server.FlushAllDatabasesAsync();
        using var after = await gateway.Client.SendAsync(Page(gateway.PublicBase, "/landing?ttclid=E.C.P.after"));
        var afterId = VisitorCookie(after)!;
        Assert.True(await Eventually.TrueAsync(() => database.KeyExistsAsync(new RedisKeys(config.KeyPrefix).Visitor(afterId)), TimeSpan.FromSeconds(10)));
    }

    private static async Task<List<string>> KeysAsync(ConnectionMultiplexer redis, string prefix)
    {
        var keys = new List<string>();
        await foreach (var key in redis.GetServers()[0].KeysAsync(pattern: prefix + "*"))
        {
            keys.Add(key.ToString());
        }

        return keys;
    }
}
