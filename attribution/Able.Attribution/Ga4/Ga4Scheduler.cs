using Able.Attribution.Conversions;
using Able.Attribution.Delivery;
using Able.Attribution.Receipts;
using Able.Attribution.Worker;
using Able.Schema.Configuration;
using Able.Schema.Visitors;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Ga4;

/// <summary>
/// Puts a conversion's GA4 delivery in the durable delivery schedule once its visitor is resolved (when its TikTok event is
/// built, at once or after the late-join wait), or records why it is not sent (no GA client id, too old). A GA4 delivery
/// is a job of its own, with its own dedup ledger entry (<see cref="DeliveryJob.Ga4IdFor(string, Conversion)"/>), retries
/// and dead letters, so one destination failing never blocks or repeats the other.
/// </summary>
public sealed class Ga4Scheduler(
    IOptionsMonitor<AbleOptions> options,
    DeliveryStore store,
    ReceiptStore receipts,
    WorkerMetrics metrics,
    TimeProvider time)
{
    /// <summary>
    /// Schedules the GA4 delivery of a conversion whose TikTok delivery <paramref name="tikTokDeliveryId"/> this replica
    /// holds. Its ledger entry is reserved under that id: the same conversion processed again (a crash, a reclaim) finds it
    /// its own, and once sent or dead-lettered it is not scheduled again. Does nothing for a funnel without GA4.
    /// </summary>
    public async Task ScheduleAsync(string tikTokDeliveryId, Conversion conversion, VisitorProfile? visitor, FunnelOptions funnel, MatchReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(conversion);
        ArgumentNullException.ThrowIfNull(funnel);
        ArgumentNullException.ThrowIfNull(receipt);
        if (funnel.Ga4 is not { } ga4)
        {
            return;
        }

        var now = time.GetUtcNow();
        var retention = TimeSpan.FromDays(funnel.RetentionDays);
        var built = Ga4EventBuilder.Build(conversion, visitor, ga4, TimeSpan.FromHours(options.CurrentValue.Worker.Ga4MaxEventAgeHours), now);
        if (built.Body is null)
        {
            var status = built.SkipStatus ?? Ga4Status.Skipped;
            await receipts.SaveGa4Async(receipt.Mark, receipt.Id, new Ga4Outcome
            {
                Status = status,
                Reason = built.SkipReason,
                EventName = built.EventName,
                UpdatedAt = now.ToUnixTimeMilliseconds(),
            }, retention);
            metrics.Ga4Events.WithLabels(funnel.Mark, status).Inc();
            return;
        }

        var deliveryId = DeliveryJob.Ga4IdFor(ga4.MeasurementId, conversion);
        if (!await store.ReserveAsync(deliveryId, tikTokDeliveryId, retention))
        {
            // Sent or given up already (this conversion processed again), or another delivery's: nothing to add.
            return;
        }

        var outcome = new Ga4Outcome
        {
            Status = Ga4Status.Queued,
            EventName = built.EventName,
            Payload = built.Body,
            KeysSent = built.KeysSent,
            UpdatedAt = now.ToUnixTimeMilliseconds(),
        };
        // The outcome first: once the job is queued, the delivery loop's later outcomes must win.
        await receipts.SaveGa4Async(receipt.Mark, receipt.Id, outcome, retention);
        await store.EnqueueAsync(new DeliveryJob { Id = deliveryId, Conversion = conversion, Receipt = receipt, Ga4 = outcome }, now);
    }
}
