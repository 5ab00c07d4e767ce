using Able.Attribution.Delivery;
using Able.Schema.Configuration;
using Able.Schema.Redis;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Able.Attribution.Worker;

/// <summary>
/// Flushes the delivery schedule every FlushIntervalMilliseconds (at once again when a full batch was
/// due), keeps the backlog, dead-letter and stream-lag gauges current, and once a minute trims the ingest stream
/// and removes the ledger entries whose retention ended (a bounded pass: see <see cref="DeliveryStore.RemoveExpiredLedgerEntriesAsync"/>).
/// </summary>
internal sealed partial class DeliveryLoop(
    DeliveryProcessor processor,
    IngestStreamTrimmer trimmer,
    DeliveryStore store,
    WorkerMetrics metrics,
    IConnectionMultiplexer redis,
    RedisKeys keys,
    IOptionsMonitor<AbleOptions> options,
    TimeProvider time,
    ILogger<DeliveryLoop> logger) : BackgroundService
{
    private DateTimeOffset nextGauges;
    private DateTimeOffset nextTrim;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.CurrentValue.Worker.Enabled)
        {
            return;
        }

        foreach (var funnel in options.CurrentValue.Funnels.Where(f => f.Ga4 is not null))
        {
            // Say so rather than let a configured destination look active: GA4 delivery is not built yet.
            LogGa4NotSent(logger, funnel.Mark);
        }

        nextGauges = time.GetUtcNow();
        nextTrim = time.GetUtcNow();
        await RedisPolling.RunAsync(TurnAsync, error => LogRedisError(logger, error.GetType().Name, error), time, stoppingToken);
    }

    /// <summary>One flush, plus the gauges and the trim when they are due; returns the flush interval unless a full batch was due.</summary>
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

        if (time.GetUtcNow() >= nextTrim)
        {
            nextTrim = time.GetUtcNow().AddMinutes(1);
            await trimmer.TrimAsync();
            var removed = await store.RemoveExpiredLedgerEntriesAsync(time.GetUtcNow());
            if (removed > 0)
            {
                LogLedgerEntriesExpired(logger, removed);
            }
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

    [LoggerMessage(EventId = EventIds.Ga4NotBuilt, Level = LogLevel.Warning, Message = "Funnel {Funnel} has Ga4 settings, but GA4 delivery is not built yet: conversions go to TikTok only.")]
    private static partial void LogGa4NotSent(ILogger logger, string funnel);

    [LoggerMessage(EventId = EventIds.LedgerEntriesRemoved, Level = LogLevel.Debug, Message = "Removed {Count} dedup ledger entries whose retention ended.")]
    private static partial void LogLedgerEntriesExpired(ILogger logger, long count);

    [LoggerMessage(EventId = EventIds.DeliveryLoopRedisUnavailable, Level = LogLevel.Warning, Message = "Delivery loop cannot reach Redis ({Kind}); trying again.")]
    private static partial void LogRedisError(ILogger logger, string kind, Exception error);
}
