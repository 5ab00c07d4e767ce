using StackExchange.Redis;

namespace Able.FunctionalTests.Hosting;

/// <summary>The fixture works in each mode this machine can offer.</summary>
public sealed class RedisTestServerTests
{
    [Fact]
    public async Task Redis_server_mode_starts_a_real_server_that_can_stop_and_start_again()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using (var client = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString))
        {
            await client.GetDatabase().StringSetAsync("probe", "1");
            Assert.Equal("1", (string?)await client.GetDatabase().StringGetAsync("probe"));
        }

        await server.StopAsync();
        Assert.False(server.IsRunning);
        await server.StartAgainAsync();
        await using var again = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        Assert.True((await again.GetDatabase().PingAsync()) < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_mode_follows_what_answers_here()
    {
        var dockerAnswers = await DockerEngine.AnswersAsync(TimeSpan.FromSeconds(2));
        var shared = await RedisTestServer.GetAsync();
        var expected = Environment.GetEnvironmentVariable("ABLE_TEST_REDIS") is { Length: > 0 } ? RedisTestMode.External
            : dockerAnswers ? RedisTestMode.Testcontainers
            : RedisTestMode.RedisServer;
        Assert.Equal(expected, shared.Mode);
        Assert.True((await shared.Multiplexer.GetDatabase().PingAsync()) < TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// Skipped, and counted as skipped, where no Docker engine answers; <see cref="The_mode_follows_what_answers_here"/>
    /// covers the fallback to redis-server there.
    /// </summary>
    [DockerFact]
    public async Task Testcontainers_mode_runs_when_a_docker_engine_answers()
    {
        var container = await RedisTestServer.StartContainerAsync();
        Assert.Equal(RedisTestMode.Testcontainers, container.Mode);
        await container.Multiplexer.GetDatabase().PingAsync();
        await container.Owner!.DisposeAsync();
    }
}
