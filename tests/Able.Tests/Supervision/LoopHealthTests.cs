using Able.Supervision;
using Prometheus;
using StackExchange.Redis;

namespace Able.Tests.Supervision;

public sealed class LoopHealthTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_outage_starts_once_counts_its_failures_and_ends_once()
    {
        var registry = Metrics.NewCustomRegistry();
        var health = new LoopHealth(Metrics.WithCustomRegistry(registry));
        health.Register("delivery");
        health.Register("ingest-consumer");
        Assert.Equal(["delivery", "ingest-consumer"], health.Loops);
        Assert.Contains("able_loop_up{loop=\"delivery\"} 1", await ExportAsync(registry), StringComparison.Ordinal);

        var timeout = RedisErrors.Timeout("stalled");
        var started = health.Failed("delivery", timeout, Start);
        Assert.Equal(new LoopOutage("delivery", Start, nameof(RedisTimeoutException), 1), started);
        Assert.Null(health.Failed("delivery", new IOException(), Start.AddSeconds(1)));
        Assert.Null(health.Failed("delivery", timeout, Start.AddSeconds(2)));
        Assert.Equal([new LoopOutage("delivery", Start, nameof(RedisTimeoutException), 3)], health.Outages);

        var text = await ExportAsync(registry);
        Assert.Contains("able_loop_up{loop=\"delivery\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("able_loop_up{loop=\"ingest-consumer\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("able_loop_outages_total{loop=\"delivery\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("able_loop_outages_total{loop=\"ingest-consumer\"} 0", text, StringComparison.Ordinal);

        Assert.Equal(3, health.Succeeded("delivery")!.Failures);
        Assert.Null(health.Succeeded("delivery"));
        Assert.Empty(health.Outages);
        Assert.Contains("able_loop_up{loop=\"delivery\"} 1", await ExportAsync(registry), StringComparison.Ordinal);

        Assert.NotNull(health.Failed("delivery", timeout, Start.AddMinutes(1)));
        Assert.Contains("able_loop_outages_total{loop=\"delivery\"} 2", await ExportAsync(registry), StringComparison.Ordinal);
    }

    [Fact]
    public void Outages_are_listed_oldest_first()
    {
        var health = new LoopHealth(Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()));
        health.Failed("b", new TimeoutException(), Start.AddSeconds(5));
        health.Failed("a", new TimeoutException(), Start.AddSeconds(9));
        health.Failed("c", new TimeoutException(), Start);
        Assert.Equal(["c", "b", "a"], health.Outages.Select(o => o.Loop));
    }

    private static async Task<string> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
