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

    [Fact]
    public async Task Testcontainers_mode_runs_when_a_docker_engine_answers()
    {
        if (!await DockerEngine.AnswersAsync(TimeSpan.FromSeconds(2)))
        {
            // No engine here: the fixture must not choose containers, and must still hand out a working Redis.
            var fallback = await RedisTestServer.StartAsync(preferContainer: true);
            Assert.NotEqual(RedisTestMode.Testcontainers, fallback.Mode);
            await fallback.Multiplexer.GetDatabase().PingAsync();
            if (fallback.Owner is not null)
            {
                await fallback.Owner.DisposeAsync();
            }

            return;
        }

        var container = await RedisTestServer.StartContainerAsync();
        await container.Multiplexer.GetDatabase().PingAsync();
        await container.Owner!.DisposeAsync();
    }
}
