using Able.Attribution.Delivery;
using Able.Schema.Configuration;
using Able.Supervision;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Worker;

/// <summary>
/// Once a minute: trims the ingest stream (<see cref="IngestStreamTrimmer"/>) and removes the dedup ledger entries whose
/// retention ended (a bounded pass: see <see cref="DeliveryStore.RemoveExpiredLedgerEntriesAsync"/>). Its own loop, so a
/// failing trim never holds up deliveries and shows in /readyz under its own name.
/// </summary>
internal sealed partial class StreamMaintenance(
    IngestStreamTrimmer trimmer,
    DeliveryStore store,
    LoopHealth health,
    IOptionsMonitor<AbleOptions> options,
    TimeProvider time,
    ILogger<StreamMaintenance> logger) : BackgroundService
{
    /// <summary>The loop's name in logs, /readyz and <c>able_loop_up{loop}</c>.</summary>
    public const string LoopName = "stream-maintenance";

    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>How often the loop looks at the clock: the pass is due by the clock (<see cref="TimeProvider"/>), not by a timer.</summary>
    private static readonly TimeSpan ClockCheck = TimeSpan.FromSeconds(1);

    private DateTimeOffset nextPass;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.CurrentValue.Worker.Enabled
            ? SupervisedLoop.RunAsync(LoopName, TurnAsync, health, time, logger, stoppingToken)
            : Task.CompletedTask;

    private async Task<TimeSpan> TurnAsync(CancellationToken stoppingToken)
    {
        if (time.GetUtcNow() < nextPass)
        {
            return ClockCheck;
        }

        await trimmer.TrimAsync();
        var removed = await store.RemoveExpiredLedgerEntriesAsync(time.GetUtcNow());
        if (removed > 0)
        {
            LogLedgerEntriesExpired(logger, removed);
        }

        // Set after the pass: a pass that failed is tried again after the outage backoff, not a minute later.
        nextPass = time.GetUtcNow() + Interval;
        return ClockCheck;
    }

    [LoggerMessage(EventId = EventIds.LedgerEntriesRemoved, Level = LogLevel.Debug, Message = "Removed {Count} dedup ledger entries whose retention ended.")]
    private static partial void LogLedgerEntriesExpired(ILogger logger, long count);
}
