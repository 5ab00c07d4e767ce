using Able.Supervision;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Prometheus;
using StackExchange.Redis;

namespace Able.Tests.Supervision;

public sealed class SupervisedLoopTests
{
    private readonly LoopHealth health = new(Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()));
    private readonly FakeLogger logger = new();

    [Fact]
    public async Task An_outage_is_waited_out_and_logged_once_when_it_starts_and_once_when_it_ends()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var turns = 0;
        var healthDuringOutage = new List<int>();
        await SupervisedLoop.RunAsync("delivery", _ =>
        {
            turns++;
            if (turns is >= 2 and <= 5)
            {
                healthDuringOutage.Add(health.Outages.Count);
                throw turns % 2 == 0 ? RedisErrors.Timeout("stalled") : RedisErrors.Connection(ConnectionFailureType.SocketFailure);
            }

            if (turns == 7)
            {
                stop.Cancel();
            }

            return Task.FromResult(TimeSpan.Zero);
        }, health, TimeProvider.System, logger, stop.Token);

        Assert.Equal(7, turns);
        // Before the first failure no outage; during it the outage stays open.
        Assert.Equal([0, 1, 1, 1], healthDuringOutage);
        Assert.Empty(health.Outages);
        var records = logger.Collector.GetSnapshot();
        var warning = Assert.Single(records, r => r.Level == LogLevel.Warning);
        Assert.Equal(2001, warning.Id.Id);
        Assert.IsType<RedisTimeoutException>(warning.Exception);
        Assert.Contains("delivery", warning.Message, StringComparison.Ordinal);
        var recovered = Assert.Single(records, r => r.Level == LogLevel.Information);
        Assert.Equal(2003, recovered.Id.Id);
        Assert.Contains("4 failed turns", recovered.Message, StringComparison.Ordinal);
        Assert.Equal(3, records.Count(r => r.Level == LogLevel.Debug));
        Assert.DoesNotContain(records, r => r.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_wrong_type_key_or_a_timeout_inside_a_turn_is_an_outage_not_a_defect()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var turns = 0;
        await SupervisedLoop.RunAsync("ingest-consumer", _ =>
        {
            turns++;
            return turns switch
            {
                1 => throw RedisErrors.Server("WRONGTYPE Operation against a key holding the wrong kind of value"),
                2 => throw new TaskCanceledException("an HTTP request timed out"),
                _ => Stop(stop),
            };
        }, health, TimeProvider.System, logger, stop.Token);

        Assert.Equal(3, turns);
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Critical);
    }

    [Fact]
    public async Task A_defect_ends_the_loop_with_its_exception_and_a_critical_log()
    {
        var turns = 0;
        var defect = new InvalidOperationException("a bug");
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => SupervisedLoop.RunAsync("capture-writer", _ =>
        {
            turns++;
            return turns == 2 ? throw defect : Task.FromResult(TimeSpan.Zero);
        }, health, TimeProvider.System, logger, CancellationToken.None));

        Assert.Same(defect, thrown);
        Assert.Equal(2, turns);
        var critical = Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Critical);
        Assert.Equal(2004, critical.Id.Id);
        Assert.Same(defect, critical.Exception);
    }

    [Fact]
    public async Task Stopping_during_a_pause_or_a_backoff_returns_without_an_error()
    {
        using var stop = new CancellationTokenSource();
        var turns = 0;
        var run = SupervisedLoop.RunAsync("delivery", _ =>
        {
            turns++;
            return turns == 1 ? Task.FromResult(TimeSpan.FromHours(1)) : throw new TimeoutException();
        }, health, TimeProvider.System, logger, stop.Token);
        await Task.Delay(100);
        await stop.CancelAsync();
        await run;
        Assert.Equal(1, turns);

        using var stopInBackoff = new CancellationTokenSource();
        var failing = SupervisedLoop.RunAsync("delivery", _ => throw new TimeoutException(), health, TimeProvider.System, logger, stopInBackoff.Token);
        await Task.Delay(100);
        await stopInBackoff.CancelAsync();
        await failing;
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Level >= LogLevel.Error);
    }

    [Fact]
    public void The_backoff_is_jittered_below_the_delay_and_bounded()
    {
        for (var i = 0; i < 1000; i++)
        {
            var delay = SupervisedLoop.Jittered(SupervisedLoop.LongestRetryDelay);
            Assert.InRange(delay, SupervisedLoop.LongestRetryDelay * 0.8, SupervisedLoop.LongestRetryDelay);
        }

        Assert.True(SupervisedLoop.LongestRetryDelay <= TimeSpan.FromSeconds(10));
        Assert.True(SupervisedLoop.FirstRetryDelay < SupervisedLoop.LongestRetryDelay);
        var delays = new List<TimeSpan> { SupervisedLoop.FirstRetryDelay };
        for (var i = 0; i < 8; i++)
        {
            delays.Add(SupervisedLoop.NextRetryDelay(delays[^1]));
        }

        Assert.Equal(SupervisedLoop.FirstRetryDelay * 2, delays[1]);
        Assert.Equal(SupervisedLoop.LongestRetryDelay, delays[^1]);
        Assert.All(delays, d => Assert.InRange(d, SupervisedLoop.FirstRetryDelay, SupervisedLoop.LongestRetryDelay));
    }

    private static Task<TimeSpan> Stop(CancellationTokenSource stop)
    {
        stop.Cancel();
        return Task.FromResult(TimeSpan.Zero);
    }
}
