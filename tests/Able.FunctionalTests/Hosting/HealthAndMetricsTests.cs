using System.Net;

namespace Able.FunctionalTests.Hosting;

/// <summary>Both services start against real Redis and answer health, readiness and metrics on the management port only.</summary>
public sealed class HealthAndMetricsTests
{
    public static TheoryData<string> Services => new() { "gateway", "attribution" };

    private static Task<RunningService> StartAsync(string service, TestConfig config) => service == "gateway"
        ? RunningService.StartGatewayAsync(config)
        : RunningService.StartAttributionAsync(config);

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Healthz_readyz_and_metrics_answer_on_the_management_port(string service)
    {
        var redis = await RedisTestServer.GetAsync();
        using var config = TestConfig.Create(redis.ConnectionString);
        await using var running = await StartAsync(service, config);

        using var health = await running.Client.GetAsync(new Uri(running.ManagementBase, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        using var ready = await running.Client.GetAsync(new Uri(running.ManagementBase, "/readyz"));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.StartsWith("ready", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var metrics = await running.Client.GetAsync(new Uri(running.ManagementBase, "/metrics"));
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE able_build_info gauge", text, StringComparison.Ordinal);
        Assert.Contains($"able_build_info{{service=\"{service}\"", text, StringComparison.Ordinal);
        Assert.Contains("able_redis_up 1", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Management_endpoints_are_not_served_on_the_public_port(string service)
    {
        var redis = await RedisTestServer.GetAsync();
        using var config = TestConfig.Create(redis.ConnectionString);
        await using var running = await StartAsync(service, config);

        foreach (var path in new[] { "/healthz", "/readyz", "/metrics" })
        {
            // A Host header naming the management port must not open the door either.
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(running.PublicBase, path));
            request.Headers.Host = $"127.0.0.1:{running.ManagementBase.Port}";
            using var response = await running.Client.SendAsync(request);
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Readyz_turns_503_when_redis_stops_and_recovers_when_it_returns(string service)
    {
        await using var redis = await RedisServerProcess.StartAsync();
        using var config = TestConfig.Create(redis.ConnectionString);
        await using var running = await StartAsync(service, config);
        var readyz = new Uri(running.ManagementBase, "/readyz");

        using (var ready = await running.Client.GetAsync(readyz))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        await redis.StopAsync();
        // The client times out after 10 s, so a hanging probe fails this test; the probe's own limit is 500 ms.
        using (var down = await running.Client.GetAsync(readyz))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.StartsWith("not ready", await down.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await redis.StartAgainAsync();
        var recovered = await Eventually.StatusAsync(running.Client, readyz, HttpStatusCode.OK, TimeSpan.FromSeconds(20));
        Assert.True(recovered, "readyz did not return to 200 after Redis came back");
    }
}
