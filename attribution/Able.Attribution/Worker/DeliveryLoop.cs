using Able.Attribution.Delivery;
using Able.Schema.Configuration;
using Able.Schema.Redis;
using Able.Supervision;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Able.Attribution.Worker;

/// <summary>
/// Flushes the delivery schedule every FlushIntervalMilliseconds (at once again when a full batch was
/// due) and keeps the backlog, dead-letter and stream-lag gauges current. Runs under <see cref="SupervisedLoop"/>:
/// a Redis outage backs off and shows in /readyz, a defect stops the process with a non-zero exit code.
/// </summary>
internal sealed partial class DeliveryLoop(
    DeliveryProcessor processor,
    WorkerMetrics metrics,
    LoopHealth health,
    IConnectionMultiplexer redis,
    RedisKeys keys,
    IOptionsMonitor<AbleOptions> options,
    TimeProvider time,
    ILogger<DeliveryLoop> logger) : BackgroundService
{
    /// <summary>The loop's name in logs, /readyz and <c>able_loop_up{loop}</c>.</summary>
    public const string LoopName = "delivery";

    private DateTimeOffset nextGauges;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.CurrentValue.Worker.Enabled)
        {
            return;
        }

        nextGauges = time.GetUtcNow();
        await SupervisedLoop.RunAsync(LoopName, TurnAsync, health, time, logger, stoppingToken);
    }

    /// <summary>One flush, plus the gauges when they are due; returns the flush interval unless a full batch was due.</summary>
    private async Task<TimeSpan> TurnAsync(CancellationToken stoppingToken)
    {
        var worker = options.CurrentValue.Worker;
        var claimed = await processor.RunOnceAsync(stoppingToken);
        if (time.GetUtcNow() >= nextGauges)
        {
            nextGauges = time.GetUtcNow().AddSeconds(1);
            await processor.RefreshGaugesAsync();
            await RefreshStreamLagAsync();
        }

        return claimed < worker.BatchSize ? TimeSpan.FromMilliseconds(worker.FlushIntervalMilliseconds) : TimeSpan.Zero;
    }

    private async Task RefreshStreamLagAsync()
    {
        var db = redis.GetDatabase();
        if (!await db.KeyExistsAsync(keys.IngestStream))
        {
            metrics.StreamLag.Set(0);
            return;
        }

        var group = (await db.StreamGroupInfoAsync(keys.IngestStream)).FirstOrDefault(g => g.Name == RedisKeys.WorkerGroup);
        metrics.StreamLag.Set((group.Lag ?? 0) + group.PendingMessageCount);
    }
}
