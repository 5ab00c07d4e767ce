using System.Net;
using Able.Attribution.Service;
using Able.Hosting;
using Able.Hosting.Management;
using Able.Schema.Redis;
using Able.Supervision;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Able.FunctionalTests.Hosting;

/// <summary>
/// Background loops of a real service: an outage shows in /readyz and the loop metrics and ends by itself; a loop that
/// dies of a defect stops the process with a non-zero exit code instead of leaving it half alive with code 0.
/// </summary>
public sealed class LoopSupervisionTests
{
    [Fact]
    public async Task A_loop_that_redis_fails_shows_in_readyz_and_metrics_and_recovers_when_the_cause_is_gone()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        using var client = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        using var config = TestConfig.Create(redis.ConnectionString);
        await using var service = await RunningService.StartAttributionAsync(config);
        var readyz = new Uri(service.ManagementBase, "/readyz");
        var db = client.GetDatabase();
        var stream = new RedisKeys(config.KeyPrefix).IngestStream;

        Assert.True(await Eventually.StatusAsync(service.Client, readyz, HttpStatusCode.OK, TimeSpan.FromSeconds(20)));
        var ready = await service.Client.GetStringAsync(readyz);
        Assert.StartsWith("ready\n", ready, StringComparison.Ordinal);
        Assert.Contains("loop ingest-consumer: ok", ready, StringComparison.Ordinal);
        Assert.Contains("loop delivery: ok", ready, StringComparison.Ordinal);
        Assert.Contains("loop stream-maintenance: ok", ready, StringComparison.Ordinal);

        // The ingest stream replaced by a string: every read fails with WRONGTYPE while PING still answers.
        await db.KeyDeleteAsync(stream);
        await db.StringSetAsync(stream, "not a stream");
        Assert.True(await Eventually.StatusAsync(service.Client, readyz, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20)));
        string notReady;
        using (var response = await service.Client.GetAsync(readyz))
        {
            notReady = await response.Content.ReadAsStringAsync();
        }

        Assert.StartsWith("not ready: ", notReady, StringComparison.Ordinal);
        Assert.Contains("loop ingest-consumer failing for", notReady.Split('\n')[0], StringComparison.Ordinal);
        Assert.Contains("redis: answered PING", notReady, StringComparison.Ordinal);
        var metrics = await service.Client.GetStringAsync(new Uri(service.ManagementBase, "/metrics"));
        Assert.Contains("able_loop_up{loop=\"ingest-consumer\"} 0", metrics, StringComparison.Ordinal);
        Assert.Contains("able_loop_outages_total{loop=\"ingest-consumer\"} 1", metrics, StringComparison.Ordinal);

        // Gone: the consumer meets NOGROUP, creates the stream and its group again and works.
        await db.KeyDeleteAsync(stream);
        Assert.True(await Eventually.StatusAsync(service.Client, readyz, HttpStatusCode.OK, TimeSpan.FromSeconds(30)), "readyz did not recover");
        metrics = await service.Client.GetStringAsync(new Uri(service.ManagementBase, "/metrics"));
        Assert.Contains("able_loop_up{loop=\"ingest-consumer\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains(await db.StreamGroupInfoAsync(stream), group => group.Name == RedisKeys.WorkerGroup);
        Assert.False(service.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
    }

    [Fact]
    public async Task A_loop_that_dies_of_a_defect_stops_the_service_with_exit_code_70()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        using var config = TestConfig.Create(redis.ConnectionString);
        config.Write();
        var defective = new DefectiveLoopProbe();

        var exitCode = await AbleHost.RunAsync(["--config", config.FilePath], args => BuildWith(args, defective))
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(AbleHost.BackgroundServiceFailedExitCode, exitCode);
        Assert.Equal(70, exitCode);
        // It waited out the outage first: only the defect ended it.
        Assert.Equal(3, defective.Turns);
    }

    [Fact]
    public async Task A_requested_stop_exits_with_code_0()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        using var config = TestConfig.Create(redis.ConnectionString);
        config.Write();

        var exitCode = await AbleHost.RunAsync(["--config", config.FilePath], args =>
        {
            var app = AttributionApp.Build(args);
            app.Lifetime.ApplicationStarted.Register(() => _ = Task.Delay(500).ContinueWith(_ => app.Lifetime.StopApplication(), TaskScheduler.Default));
            return app;
        }).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, exitCode);
    }

    private static WebApplication BuildWith(string[] args, DefectiveLoopProbe probe)
    {
        var builder = AbleHost.CreateBuilder(args, options => options.Attribution, AttributionApp.OptionsSections);
        builder.Services.AddSingleton(probe);
        builder.Services.AddHostedService<DefectiveLoop>();
        var app = builder.Build();
        app.MapHealthAndMetrics("test");
        return app;
    }

    internal sealed class DefectiveLoopProbe
    {
        public int Turns { get; set; }
    }

    /// <summary>A loop whose first turn meets a Redis timeout (waited out) and whose third turn hits a bug.</summary>
    private sealed class DefectiveLoop(DefectiveLoopProbe probe, LoopHealth health, ILogger<DefectiveLoop> logger) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
            SupervisedLoop.RunAsync("defective", _ =>
            {
                probe.Turns++;
                return probe.Turns switch
                {
                    1 => throw new RedisTimeoutException(CommandFlags.None, "stalled", CommandStatus.Sent),
                    3 => throw new InvalidOperationException("a defect"),
                    _ => Task.FromResult(TimeSpan.Zero),
                };
            }, health, TimeProvider.System, logger, stoppingToken);
    }
}
