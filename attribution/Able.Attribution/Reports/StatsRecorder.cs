using Able.Attribution.Conversions;
using Able.Attribution.Receipts;
using Able.Schema.Redis;
using Able.Schema.Stats;
using Able.Schema.Visitors;
using Able.Supervision;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Able.Attribution.Reports;

/// <summary>
/// Keeps the worker's report counters as events happen (README, "Reports"): conversions with their join path, revenue
/// and campaign rows under both touch models, TikTok delivery outcomes, matched conversions and dead letters, in the
/// funnel's hashes of the current UTC day (<see cref="StatsUpdate"/>).
/// <para>
/// <b>Exactly once.</b> Every count is guarded by a once-marker of its receipt (<see cref="RedisKeys.StatsCounted"/>, one
/// hash per receipt, kept for the funnel's retention like the receipt): the script sets the step's field with HSETNX and
/// increments only when it was not set yet, in the same atomic step. The worker runs a step again when an entry is
/// reclaimed or processed twice, or a recorded outcome is written again after a failure; the marker makes that count
/// nothing. The callers count before they store the outcome, so a crash in between leaves the step to run again (and
/// count nothing), never a stored outcome that was not counted. Steps that may happen several times per receipt are
/// counted per occurrence: a retry per attempt, a duplicate per ingest entry, a dead letter per attempt count.
/// </para>
/// <para>
/// A counter Redis refuses (a key of the wrong type, out of memory) is logged and skipped: it never blocks or fails a
/// conversion. Redis being unreachable fails the step as any other write of it does, and the step is run again.
/// </para>
/// </summary>
public sealed partial class StatsRecorder(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time, ILogger<StatsRecorder> logger)
{
    private const string ConversionStep = "conversion";
    private const string MatchedStep = "matched";
    private const string TtclidKey = "ttclid";

    /// <summary>The campaigns a conversion of <paramref name="visitor"/> is credited to: its first and its latest touch (null without a visitor).</summary>
    public static (CampaignKey? First, CampaignKey? Last) Credits(VisitorProfile? visitor) => visitor is null
        ? (null, null)
        : (CampaignKey.Of(visitor.FirstTouch?.Utm, visitor.FirstTouch?.Ttclid), CampaignKey.Of(visitor.LastTouch?.Utm, visitor.LastTouch?.Ttclid));

    /// <summary>
    /// Counts a conversion once its visitor is resolved (or known to be none): Schedule as a booking, Purchase as a purchase
    /// with its value, every conversion under its join path, and bookings, purchases and revenue on the campaign rows of
    /// the receipt's first and latest touch (<see cref="MatchReceipt.FirstTouchCampaign"/>; the unattributed row without a
    /// visitor). <paramref name="outcome"/>, when given, is counted with it (too_old).
    /// </summary>
    public Task ConversionAsync(MatchReceipt receipt, Conversion conversion, TimeSpan retention, string? outcome = null)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        ArgumentNullException.ThrowIfNull(conversion);
        var unit = new StatsUnit { Once = (keys.StatsCounted(receipt.Mark, receipt.Id), ConversionStep) };
        unit.Add(FunnelStatsFields.JoinPathPrefix + (receipt.JoinPath ?? FunnelStatsFields.NoJoinPath));
        var (metric, revenue) = conversion.TikTokEvent switch
        {
            TikTokEventNames.Schedule => (CampaignRows.Bookings, (long?)null),
            TikTokEventNames.Purchase => (CampaignRows.Purchases, Revenue(conversion)),
            _ => ((string?)null, (long?)null),
        };
        if (metric is not null)
        {
            unit.Add(metric == CampaignRows.Bookings ? FunnelStatsFields.Bookings : FunnelStatsFields.Purchases);
            if (revenue is { } micro)
            {
                unit.Add(FunnelStatsFields.RevenuePrefix + conversion.Currency, micro);
            }

            foreach (var (model, row) in Rows(receipt))
            {
                unit.AddToRow(row, model + metric);
                if (revenue is { } microOnRow)
                {
                    unit.AddToRow(row, model + CampaignRows.RevenuePrefix + conversion.Currency, microOnRow);
                }
            }
        }

        List<StatsUnit> units = [unit];
        if (outcome is not null)
        {
            units.Add(OutcomeUnit(receipt.Mark, receipt.Id, outcome, outcome));
        }

        return ApplyAsync(receipt.Mark, units, retention);
    }

    /// <summary>
    /// Counts a delivery outcome of a receipt (recorded, ignored, malformed, too_old, duplicate, retry...).
    /// <paramref name="occurrence"/> tells occurrences of a step that may happen more than once apart (the attempt of a
    /// retry, the entry of a duplicate); null for a step that happens once per receipt.
    /// </summary>
    public Task OutcomeAsync(string mark, string receiptId, string outcome, TimeSpan retention, string? occurrence = null) =>
        ApplyAsync(mark, [OutcomeUnit(mark, receiptId, outcome, occurrence is null ? outcome : $"{outcome}:{occurrence}")], retention);

    /// <summary>Counts a dead-lettered delivery (the outcome and a dead letter), once per attempt count it was given up at.</summary>
    public Task DeadLetteredAsync(string mark, string receiptId, int attempts, TimeSpan retention) =>
        ApplyAsync(mark, [OutcomeUnit(mark, receiptId, ReceiptStatus.DeadLettered, $"{ReceiptStatus.DeadLettered}:{attempts}").Add(FunnelStatsFields.DeadLetters)], retention);

    /// <summary>Counts an ingest entry given up on (a dead letter), once per entry.</summary>
    public Task PoisonAsync(string mark, string entryId, TimeSpan retention) =>
        ApplyAsync(mark, [new StatsUnit { Once = (keys.StatsCounted(mark, $"entry:{entryId}"), "poison") }.Add(FunnelStatsFields.DeadLetters)], retention);

    /// <summary>
    /// Counts receipts delivered as <paramref name="outcome"/> (sent or dry_run), and, for bookings and purchases sent with
    /// the ad's click id, a matched conversion on their campaign rows. One script per funnel for the whole batch.
    /// </summary>
    public async Task DeliveredAsync(IReadOnlyList<(MatchReceipt Receipt, TimeSpan Retention)> delivered, string outcome)
    {
        ArgumentNullException.ThrowIfNull(delivered);
        foreach (var funnel in delivered.GroupBy(d => d.Receipt.Mark, StringComparer.Ordinal))
        {
            var units = new List<StatsUnit>();
            foreach (var (receipt, _) in funnel)
            {
                units.Add(OutcomeUnit(funnel.Key, receipt.Id, outcome, outcome));
                if (receipt.TikTokEvent is TikTokEventNames.Schedule or TikTokEventNames.Purchase && receipt.KeysSent.Contains(TtclidKey))
                {
                    var matched = new StatsUnit { Once = (keys.StatsCounted(funnel.Key, receipt.Id), MatchedStep) };
                    foreach (var (model, row) in Rows(receipt))
                    {
                        matched.AddToRow(row, model + CampaignRows.Matched);
                    }

                    units.Add(matched);
                }
            }

            await ApplyAsync(funnel.Key, units, funnel.Max(d => d.Retention));
        }
    }

    private StatsUnit OutcomeUnit(string mark, string receiptId, string outcome, string step) =>
        new StatsUnit { Once = (keys.StatsCounted(mark, receiptId), step) }.Add(FunnelStatsFields.DeliveryPrefix + outcome);

    /// <summary>The campaign rows of a receipt per touch model: the unattributed row without a visitor; none for a receipt written before rows were kept.</summary>
    private static IEnumerable<(string Model, string Row)> Rows(MatchReceipt receipt)
    {
        if (receipt.VisitorId is null)
        {
            yield return (CampaignRows.FirstTouch, CampaignRows.UnattributedRow);
            yield return (CampaignRows.LastTouch, CampaignRows.UnattributedRow);
            yield break;
        }

        if (receipt.FirstTouchCampaign is { } first)
        {
            yield return (CampaignRows.FirstTouch, CampaignRows.Encode(first));
        }

        if (receipt.LastTouchCampaign is { } last)
        {
            yield return (CampaignRows.LastTouch, CampaignRows.Encode(last));
        }
    }

    private static long? Revenue(Conversion conversion) =>
        conversion.Value is { } value && CurrencyCodes.IsKnown(conversion.Currency) ? FunnelStatsFields.MicroUnits(value) : null;

    private async Task ApplyAsync(string mark, IReadOnlyList<StatsUnit> units, TimeSpan retention)
    {
        try
        {
            await StatsUpdate.ApplyAsync(redis.GetDatabase(), keys, mark, StatsUpdate.Day(time.GetUtcNow()), units, retention);
        }
        catch (RedisException error) when (!TransientFailure.IsUnavailable(error))
        {
            // Redis refused the counters themselves: the report misses them, the conversion goes on.
            LogCountersRefused(logger, mark, error.GetType().Name, error.Message);
        }
    }

    [LoggerMessage(EventId = EventIds.StatsCountersRefused, Level = LogLevel.Warning,
        Message = "Redis refused the report counters of funnel {Funnel} ({ErrorType}: {Message}); the conversion goes on, the report misses it")]
    private static partial void LogCountersRefused(ILogger logger, string funnel, string errorType, string message);
}
