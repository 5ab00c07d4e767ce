using Able.Attribution.Conversions;
using Able.Attribution.Delivery;
using Able.Attribution.Ga4;
using Able.Attribution.Ingest;
using Able.Attribution.Receipts;
using Able.Attribution.Reports;
using Able.Attribution.Visitors;
using Able.Schema;
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
    Ga4Scheduler ga4,
    DeliveryStore store,
    ReceiptStore receipts,
    StatsRecorder stats,
    WorkerMetrics metrics,
    TimeProvider time,
    ILogger<IngestEntryProcessor> logger)
{
    /// <summary>The outcome of an entry whose delivery another entry reserved (a duplicate webhook).</summary>
    public const string Duplicate = "duplicate";

    /// <summary>Processes an entry; returns the receipt status it ended in (or <c>duplicate</c>/<c>unknown_funnel</c>).</summary>
    public Task<string> ProcessAsync(StreamEntry entry) => ProcessAsync(Prepare(entry));

    /// <summary>
    /// The part of processing that touches no Redis: the entry's funnel, its classification and its first receipt. Throws
    /// (as <see cref="ProcessAsync(StreamEntry)"/> would) when the entry's facts cannot be read.
    /// </summary>
    public PreparedEntry Prepare(StreamEntry entry)
    {
        var fields = entry.Values.ToDictionary(v => v.Name.ToString(), v => v.Value, StringComparer.Ordinal);
        var mark = fields.GetValueOrDefault(IngestEntry.Mark).ToString();
        var funnel = options.CurrentValue.FindFunnel(mark);
        if (funnel is null)
        {
            return new PreparedEntry(entry, fields, mark, null, null, null, default);
        }

        var now = time.GetUtcNow();
        var conversion = Classify(entry, fields, funnel, now);
        return new PreparedEntry(entry, fields, mark, funnel, conversion, NewReceipt(entry, conversion, funnel, now), now);
    }

    /// <summary>Stores the outcome of a prepared entry; returns the receipt status it ended in (or <c>duplicate</c>/<c>unknown_funnel</c>).</summary>
    public async Task<string> ProcessAsync(PreparedEntry prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var (entry, fields, mark, funnel, conversion, receipt, now) = prepared;
        if (funnel is null || conversion is null || receipt is null)
        {
            LogUnknownFunnel(logger, entry.Id.ToString(), mark);
            metrics.TikTokEvents.WithLabels(mark, "unknown_funnel").Inc();
            return "unknown_funnel";
        }

        var all = options.CurrentValue;
        var retention = TimeSpan.FromDays(funnel.RetentionDays);
        if (conversion.Decision != ConversionDecision.Send)
        {
            return await RecordAsync(receipt, conversion.Decision, funnel, retention);
        }

        if (now - conversion.EventTime > TimeSpan.FromDays(all.Worker.MaxEventAgeDays))
        {
            // Still a booking or purchase of the funnel: counted under the visitor it resolves to (read only; nothing is linked).
            var resolution = await resolver.ResolveAsync(conversion);
            var (first, last) = StatsRecorder.Credits(resolution.Visitor);
            receipt = receipt with
            {
                Status = ReceiptStatus.TooOld,
                Reason = $"event_time is more than {all.Worker.MaxEventAgeDays} days old",
                VisitorId = resolution.Visitor?.VisitorId,
                JoinPath = resolution.JoinPath,
                NoJoinReason = resolution.NoJoinReason,
                FirstTouchCampaign = first,
                LastTouchCampaign = last,
            };
            await stats.ConversionAsync(receipt, conversion, retention, ReceiptStatus.TooOld);
            // GA4 has its own age limit (Ga4MaxEventAgeHours), which decides there: too old for it as well, or sent.
            await ga4.ScheduleAsync(DeliveryJob.IdFor(funnel.TikTok.PixelId, conversion), conversion, resolution.Visitor, funnel, receipt);
            await receipts.SaveAsync(receipt, retention);
            metrics.TikTokEvents.WithLabels(funnel.Mark, ReceiptStatus.TooOld).Inc();
            return ReceiptStatus.TooOld;
        }

        var deliveryId = DeliveryJob.IdFor(funnel.TikTok.PixelId, conversion);
        // A replayed dead letter reserves as the entry it replays, which may have reserved before it failed.
        var owner = fields.GetValueOrDefault(IngestEntry.ReplayOf) is { IsNullOrEmpty: false } replayed ? replayed.ToString() : entry.Id.ToString();
        if (!await store.ReserveAsync(deliveryId, owner, retention))
        {
            await stats.OutcomeAsync(funnel.Mark, receipt.Id, Duplicate, retention, occurrence: entry.Id.ToString());
            metrics.TikTokEvents.WithLabels(funnel.Mark, "duplicate").Inc();
            return Duplicate;
        }

        return await EnqueueAsync(deliveryId, conversion, receipt, funnel, all.Worker, now);
    }

    /// <summary>The entry's conversion, with an event time (the source's, else when the ingress received it).</summary>
    private static Conversion Classify(StreamEntry entry, Dictionary<string, RedisValue> fields, FunnelOptions funnel, DateTimeOffset now)
    {
        var source = fields.GetValueOrDefault(IngestEntry.Source).ToString();
        var type = fields.GetValueOrDefault(IngestEntry.SourceEvent).ToString();
        Conversion conversion;
        if (fields.TryGetValue(IngestEntry.Facts, out var stored) && !stored.IsNull)
        {
            // Facts this code cannot read (a newer version, or damaged) are not guessed at: the entry fails, stays
            // pending and ends as a poison dead letter that keeps them, to be replayed by a worker that reads them.
            if (!IngestFacts.TryRead((byte[])stored!, out var facts, out var problem))
            {
                throw new InvalidDataException($"Ingest entry {entry.Id}: {problem}.");
            }

            conversion = ConversionClassifier.Classify(source, type, facts, funnel);
        }
        else
        {
            // Written before the ingress stored facts: the raw body, parsed here as the ingress now parses it.
            var body = fields.TryGetValue(IngestEntry.Body, out var raw) && !raw.IsNull ? (byte[])raw! : [];
            conversion = ConversionClassifier.Classify(source, type, body, funnel);
        }

        if (conversion.Decision == ConversionDecision.Malformed)
        {
            conversion = conversion with { ReceiptId = $"malformed:{entry.Id}" };
        }

        var receivedAt = fields.GetValueOrDefault(IngestEntry.ReceivedAt).TryParse(out long ms) ? UnixMilliseconds.ToTime(ms) ?? now : now;
        return conversion with { EventTime = conversion.EventTime ?? receivedAt };
    }

    private static MatchReceipt NewReceipt(StreamEntry entry, Conversion conversion, FunnelOptions funnel, DateTimeOffset now) => new()
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
        EventTime = conversion.EventTime!.Value.ToUnixTimeSeconds(),
        UpdatedAt = now.ToUnixTimeMilliseconds(),
    };

    /// <summary>Stores the receipt of a conversion that is not sent (recorded, ignored or malformed).</summary>
    private async Task<string> RecordAsync(MatchReceipt receipt, ConversionDecision decision, FunnelOptions funnel, TimeSpan retention)
    {
        var status = decision switch
        {
            ConversionDecision.Record => ReceiptStatus.Recorded,
            ConversionDecision.Ignore => ReceiptStatus.Ignored,
            _ => ReceiptStatus.Malformed,
        };
        await stats.OutcomeAsync(funnel.Mark, receipt.Id, status, retention);
        await receipts.SaveAsync(receipt with { Status = status }, retention);
        metrics.TikTokEvents.WithLabels(funnel.Mark, status).Inc();
        return status;
    }

    /// <summary>
    /// Resolves the visitor and queues the reserved delivery: built now, or, for a booking whose visitor is not
    /// known yet, due again when the grace period ends.
    /// </summary>
    private async Task<string> EnqueueAsync(
        string deliveryId, Conversion conversion, MatchReceipt receipt, FunnelOptions funnel, WorkerOptions worker, DateTimeOffset now)
    {
        var retention = TimeSpan.FromDays(funnel.RetentionDays);
        var resolution = await resolver.ResolveAsync(conversion);
        var due = now;
        var grace = TimeSpan.FromSeconds(worker.GracePeriodSeconds);
        if (resolution.Visitor is null && conversion.WaitsForLateJoin && grace > TimeSpan.Zero)
        {
            // The confirmation redirect often reaches the gateway after the webhook: look again when the grace period ends.
            receipt = receipt with { Status = ReceiptStatus.WaitingForJoin, NoJoinReason = resolution.NoJoinReason };
            due = now + grace;
        }
        else
        {
            receipt = await assembler.AssembleAsync(conversion, resolution, funnel, receipt);
            await ga4.ScheduleAsync(deliveryId, conversion, resolution.Visitor, funnel, receipt);
        }

        // Receipt first: once the job is queued, the delivery loop's later updates to the receipt must win.
        await receipts.SaveAsync(receipt, retention);
        await store.EnqueueAsync(new DeliveryJob { Id = deliveryId, Conversion = conversion, Receipt = receipt }, due);
        return receipt.Status;
    }

    [LoggerMessage(EventId = EventIds.IngestFunnelUnknown, Level = LogLevel.Warning, Message = "Ingest entry {EntryId} names funnel '{Funnel}', which is not configured; acknowledged without a receipt.")]
    private static partial void LogUnknownFunnel(ILogger logger, string entryId, string funnel);
}

/// <summary>
/// An ingest entry read and classified (<see cref="IngestEntryProcessor.Prepare"/>), its outcome not stored yet.
/// <see cref="Funnel"/>, <see cref="Conversion"/> and <see cref="Receipt"/> are null when the entry names no configured funnel.
/// </summary>
public sealed record PreparedEntry(
    StreamEntry Entry,
    Dictionary<string, RedisValue> Fields,
    string Mark,
    FunnelOptions? Funnel,
    Conversion? Conversion,
    MatchReceipt? Receipt,
    DateTimeOffset Now)
{
    /// <summary>
    /// What processing this entry reads or writes that another entry's processing may read or write too: its receipt,
    /// its delivery (event id), its booking (invitee), its contact hashes and carried visitor (the links visitor
    /// resolution follows and records). Two entries that share a key are processed in stream order, one after the other.
    /// </summary>
    public IEnumerable<string> ConflictKeys()
    {
        if (Conversion is not { } conversion)
        {
            yield break;
        }

        // The funnel's own spelling of the mark, as receipts are stored (an entry's mark is matched ignoring case).
        yield return $"receipt:{Funnel?.Mark ?? Mark}:{conversion.ReceiptId}";
        if (conversion.EventId is { } eventId)
        {
            yield return $"event:{eventId}";
        }

        if (conversion.InviteeUuid is { } invitee)
        {
            yield return $"invitee:{invitee}";
        }

        if (conversion.CarriedVisitorId is { } visitor)
        {
            yield return $"visitor:{visitor}";
        }

        foreach (var hash in conversion.EmailHashes)
        {
            yield return $"email:{hash}";
        }

        foreach (var hash in conversion.PhoneHashes)
        {
            yield return $"phone:{hash}";
        }
    }
}
