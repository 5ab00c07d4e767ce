using Able.Attribution.Conversions;
using Able.Attribution.Delivery;
using Able.Attribution.Ingest;
using Able.Attribution.Receipts;
using Able.Attribution.Visitors;
using Able.Schema.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Able.Attribution.Worker;

/// <summary>
/// Takes one ingest stream entry to a stored outcome: classified, checked for age and duplicates, the
/// visitor resolved and the event built, then put in the durable delivery schedule (or recorded, not
/// sent). The caller acknowledges the entry only after this returns.
/// </summary>
public sealed partial class IngestEntryProcessor(
    IOptionsMonitor<AbleOptions> options,
    VisitorResolver resolver,
    EventAssembler assembler,
    DeliveryStore store,
    ReceiptStore receipts,
    WorkerMetrics metrics,
    TimeProvider time,
    ILogger<IngestEntryProcessor> logger)
{
    /// <summary>Processes an entry; returns the receipt status it ended in (or <c>duplicate</c>/<c>unknown_funnel</c>).</summary>
    public async Task<string> ProcessAsync(StreamEntry entry)
    {
        var fields = entry.Values.ToDictionary(v => v.Name.ToString(), v => v.Value, StringComparer.Ordinal);
        var source = fields.GetValueOrDefault(IngestEntry.Source).ToString();
        var mark = fields.GetValueOrDefault(IngestEntry.Mark).ToString();
        var type = fields.GetValueOrDefault(IngestEntry.SourceEvent).ToString();
        var body = fields.TryGetValue(IngestEntry.Body, out var raw) && !raw.IsNull ? (byte[])raw! : [];
        var all = options.CurrentValue;
        var funnel = all.FindFunnel(mark);
        if (funnel is null)
        {
            LogUnknownFunnel(logger, entry.Id.ToString(), mark);
            metrics.TikTokEvents.WithLabels(mark, "unknown_funnel").Inc();
            return "unknown_funnel";
        }

        var now = time.GetUtcNow();
        var retention = TimeSpan.FromDays(funnel.RetentionDays);
        var conversion = ConversionClassifier.Classify(source, type, body, funnel);
        if (conversion.Decision == ConversionDecision.Malformed)
        {
            conversion = conversion with { ReceiptId = $"malformed:{entry.Id}" };
        }

        var receivedAt = fields.GetValueOrDefault(IngestEntry.ReceivedAt).TryParse(out long ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : now;
        var eventTime = conversion.EventTime ?? receivedAt;
        conversion = conversion with { EventTime = eventTime };
        var receipt = new MatchReceipt
        {
            Id = conversion.ReceiptId,
            Mark = funnel.Mark,
            Source = conversion.Source,
            SourceEvent = conversion.SourceEvent,
            EntryId = entry.Id.ToString(),
            Status = ReceiptStatus.Queued,
            Reason = conversion.Reason,
            TikTokEvent = conversion.TikTokEvent,
            EventId = conversion.EventId,
            EventTime = eventTime.ToUnixTimeSeconds(),
            UpdatedAt = now.ToUnixTimeMilliseconds(),
        };

        if (conversion.Decision != ConversionDecision.Send)
        {
            var status = conversion.Decision switch
            {
                ConversionDecision.Record => ReceiptStatus.Recorded,
                ConversionDecision.Ignore => ReceiptStatus.Ignored,
                _ => ReceiptStatus.Malformed,
            };
            await receipts.SaveAsync(receipt with { Status = status }, retention);
            metrics.TikTokEvents.WithLabels(funnel.Mark, status).Inc();
            return status;
        }

        var maxAge = TimeSpan.FromDays(all.Worker.MaxEventAgeDays);
        if (now - eventTime > maxAge)
        {
            await receipts.SaveAsync(receipt with { Status = ReceiptStatus.TooOld, Reason = $"event_time is more than {all.Worker.MaxEventAgeDays} days old" }, retention);
            metrics.TikTokEvents.WithLabels(funnel.Mark, ReceiptStatus.TooOld).Inc();
            return ReceiptStatus.TooOld;
        }

        var deliveryId = DeliveryJob.IdFor(funnel.TikTok.PixelId, conversion);
        if (!await store.ReserveAsync(deliveryId, entry.Id.ToString(), retention))
        {
            metrics.TikTokEvents.WithLabels(funnel.Mark, "duplicate").Inc();
            return "duplicate";
        }

        var resolution = await resolver.ResolveAsync(conversion);
        var due = now;
        var grace = TimeSpan.FromSeconds(all.Worker.GracePeriodSeconds);
        if (resolution.Visitor is null && conversion.WaitsForLateJoin && grace > TimeSpan.Zero)
        {
            // The confirmation redirect often reaches the gateway after the webhook: look again when the grace period ends.
            receipt = receipt with { Status = ReceiptStatus.WaitingForJoin, NoJoinReason = resolution.NoJoinReason };
            due = now + grace;
        }
        else
        {
            receipt = await assembler.AssembleAsync(conversion, resolution, funnel, receipt);
        }

        // Receipt first: once the job is queued, the delivery loop's later updates to the receipt must win.
        await receipts.SaveAsync(receipt, retention);
        await store.EnqueueAsync(new DeliveryJob { Id = deliveryId, Conversion = conversion, Receipt = receipt }, due);
        return receipt.Status;
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Ingest entry {EntryId} names funnel '{Funnel}', which is not configured; acknowledged without a receipt.")]
    private static partial void LogUnknownFunnel(ILogger logger, string entryId, string funnel);
}
