namespace Able.Schema.Stats;

/// <summary>
/// Fields of a funnel's daily numbers hash (<see cref="Redis.RedisKeys.FunnelStats"/>): counters kept as events happen,
/// by the gateway (visits) and the attribution worker (conversions and deliveries). No personal data.
/// </summary>
public static class FunnelStatsFields
{
    /// <summary>Captures written (every visit the gateway recorded).</summary>
    public const string Visits = "visits";

    /// <summary>Captures that were a visitor's first.</summary>
    public const string NewVisitors = "new_visitors";

    /// <summary>Captures whose touch carried a TikTok click id.</summary>
    public const string TikTokClicks = "tiktok_clicks";

    /// <summary>Schedule conversions.</summary>
    public const string Bookings = "bookings";

    /// <summary>Purchase conversions.</summary>
    public const string Purchases = "purchases";

    /// <summary>Purchase value in micro-units, followed by the ISO currency (<c>revenue:EUR</c>).</summary>
    public const string RevenuePrefix = "revenue:";

    /// <summary>Conversions by the receipt's join path, followed by it (<c>join:email</c>; <c>join:none</c> when no visitor matched).</summary>
    public const string JoinPathPrefix = "join:";

    /// <summary>The join path of a conversion no visitor matched.</summary>
    public const string NoJoinPath = "none";

    /// <summary>TikTok delivery outcomes, followed by the outcome (<c>delivery:sent</c>), as <c>able_tiktok_events_total</c> labels them.</summary>
    public const string DeliveryPrefix = "delivery:";

    /// <summary>Dead letters written (failed deliveries and ingest entries given up on).</summary>
    public const string DeadLetters = "dead_letters";

    /// <summary>Revenue is counted in millionths of the currency's unit, as integers (HINCRBY, never floats).</summary>
    public const decimal MicroUnitsPerUnit = 1_000_000m;

    /// <summary>Values beyond this (in major units) are not counted as revenue: their micro-units would not fit a 64-bit counter.</summary>
    public const decimal MaxCountedValue = 9_000_000_000_000m;

    /// <summary>
    /// The micro-units of <paramref name="value"/>, rounded to the nearest; null when it is too large to count
    /// (<see cref="MaxCountedValue"/>).
    /// </summary>
    public static long? MicroUnits(decimal value) =>
        Math.Abs(value) > MaxCountedValue ? null : (long)decimal.Round(value * MicroUnitsPerUnit, MidpointRounding.AwayFromZero);
}

/// <summary>The ingress sources whose last delivery is noted (<see cref="Redis.RedisKeys.LastDelivery"/>), as the ingest stream names them.</summary>
public static class LastDeliverySources
{
    public const string Calendly = "calendly";
    public const string Stripe = "stripe";
    public const string ConversionsApi = "api";

    public static readonly IReadOnlyList<string> All = [Calendly, Stripe, ConversionsApi];
}
