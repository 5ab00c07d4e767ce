namespace Able.Attribution.Reports;

/// <summary>Which touch of a visitor a conversion is credited to in the campaign report.</summary>
public enum TouchModel
{
    /// <summary>The visitor's first captured touch (how they first came).</summary>
    First,

    /// <summary>The visitor's latest touch before the conversion.</summary>
    Last,
}

/// <summary>One UTC day of a funnel's counters (for the overview's charts).</summary>
public sealed record DailyFigures(
    DateOnly Day,
    long Visits,
    long TikTokClicks,
    long Bookings,
    long Purchases,
    IReadOnlyDictionary<string, decimal> Revenue);

/// <summary>
/// A funnel's numbers over the last <see cref="Days"/> UTC days (today included), read from counters kept as events
/// happen (never by scanning visitor data).
/// </summary>
public sealed record FunnelSummary
{
    public required string Mark { get; init; }

    public required int Days { get; init; }

    /// <summary>Captured visits (every capture the gateway wrote).</summary>
    public long Visits { get; init; }

    /// <summary>Visitors captured for the first time.</summary>
    public long NewVisitors { get; init; }

    /// <summary>Captured visits that carried a TikTok click id.</summary>
    public long TikTokClicks { get; init; }

    /// <summary>Schedule conversions (free bookings).</summary>
    public long Bookings { get; init; }

    /// <summary>Purchase conversions (paid bookings and later sales).</summary>
    public long Purchases { get; init; }

    /// <summary>Purchase value per ISO currency code.</summary>
    public IReadOnlyDictionary<string, decimal> Revenue { get; init; } = new Dictionary<string, decimal>();

    /// <summary>Conversions per join path (the receipt's JoinPath; <c>none</c> for conversions no visitor matched).</summary>
    public IReadOnlyDictionary<string, long> JoinPaths { get; init; } = new Dictionary<string, long>();

    /// <summary>TikTok delivery outcomes (sent, dry_run, dead_lettered, retry, too_old ... as <c>able_tiktok_events_total</c> counts them).</summary>
    public IReadOnlyDictionary<string, long> Delivery { get; init; } = new Dictionary<string, long>();

    /// <summary>Dead letters written in the period.</summary>
    public long DeadLetters { get; init; }

    /// <summary>When the last webhook of this funnel was accepted (any source), null when none is on record.</summary>
    public DateTimeOffset? LastWebhookAt { get; init; }

    /// <summary>calendly or stripe: the source of <see cref="LastWebhookAt"/>.</summary>
    public string? LastWebhookSource { get; init; }

    /// <summary>One entry per day of the period, oldest first (days without events have zeros).</summary>
    public IReadOnlyList<DailyFigures> Daily { get; init; } = [];

    /// <summary>
    /// Share of conversions that a visitor was joined to (<see cref="JoinPaths"/> other than <c>none</c> over all of them), 0
    /// when there are none. Conversions are every event built for TikTok: bookings, purchases, and the conversions API's
    /// other events (Lead...).
    /// </summary>
    public double MatchRate { get; init; }
}

/// <summary>
/// One row of the campaign report: the visitor's <c>utm_source</c> / <c>utm_campaign</c> / <c>utm_content</c> (empty
/// when absent) and whether the credited touch carried a TikTok click id. Conversions no visitor matched are in one row
/// whose <see cref="Unattributed"/> is true.
/// </summary>
public sealed record CampaignRow
{
    public required string Source { get; init; }

    public required string Campaign { get; init; }

    public required string Content { get; init; }

    public bool TikTokClick { get; init; }

    /// <summary>The row of conversions that no visitor matched (no campaign to credit).</summary>
    public bool Unattributed { get; init; }

    /// <summary>
    /// The "(other)" row: visits and conversions of campaigns beyond the day's cap of distinct rows per funnel
    /// (<see cref="Able.Schema.Stats.CampaignRows.MaxRowsPerDay"/>), so a flood of made-up UTM values cannot grow Redis without bound.
    /// </summary>
    public bool Overflow { get; init; }

    public long Visits { get; init; }

    public long Bookings { get; init; }

    public long Purchases { get; init; }

    public IReadOnlyDictionary<string, decimal> Revenue { get; init; } = new Dictionary<string, decimal>();

    /// <summary>Conversions of this row sent to TikTok with the ad's click id (credited to the ad).</summary>
    public long Matched { get; init; }

    /// <summary><see cref="Matched"/> over bookings + purchases; 0 when there are none.</summary>
    public double MatchedShare => Bookings + Purchases == 0 ? 0 : (double)Matched / (Bookings + Purchases);
}
