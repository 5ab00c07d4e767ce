using System.Text.Json.Serialization;

namespace Able.Attribution.Conversions;

/// <summary>What the classifier decided about one ingest entry.</summary>
public enum ConversionDecision
{
    /// <summary>A conversion to send to TikTok.</summary>
    Send,

    /// <summary>Kept in a receipt, not sent: a cancellation, no-show, reschedule, refund, unpaid checkout.</summary>
    Record,

    /// <summary>Not for this funnel (event type filter) or not a type the worker knows.</summary>
    Ignore,

    /// <summary>The body cannot be read; recorded with the reason.</summary>
    Malformed,
}

/// <summary>
/// One classified ingest entry: the TikTok event to send (if any) and everything needed to find the
/// visitor. Contact data is only held hashed.
/// </summary>
public sealed record Conversion
{
    [JsonPropertyName("funnel")]
    public required string Mark { get; init; }

    /// <summary>calendly, stripe or api.</summary>
    public required string Source { get; init; }

    /// <summary>The source's event type (<c>invitee.created</c>, <c>invoice.paid</c>, ...).</summary>
    [JsonPropertyName("source_type")]
    public required string SourceEvent { get; init; }

    public required ConversionDecision Decision { get; init; }

    /// <summary>Why it is recorded, ignored or malformed (<c>canceled</c>, <c>rescheduled</c>, ...).</summary>
    public string? Reason { get; init; }

    /// <summary>Stable id of this conversion's receipt: the event_id when sent, else e.g. <c>canceled:{uuid}</c>.</summary>
    public required string ReceiptId { get; init; }

    /// <summary>TikTok standard event name: <c>Schedule</c>, <c>Purchase</c>, ... (null unless sent).</summary>
    [JsonPropertyName("event")]
    public string? TikTokEvent { get; init; }

    public string? EventId { get; init; }

    public DateTimeOffset? EventTime { get; init; }

    public decimal? Value { get; init; }

    public string? Currency { get; init; }

    public string? ContentId { get; init; }

    public string? ContentName { get; init; }

    public string? OrderId { get; init; }

    /// <summary>Page URL given by the source (conversions API), used when no landing touch is known.</summary>
    public string? PageUrl { get; init; }

    public IReadOnlyList<string> EmailHashes { get; init; } = [];

    public IReadOnlyList<string> PhoneHashes { get; init; } = [];

    /// <summary>Hashed external ids the source gave (conversions API <c>external_id</c>), sent beside the hashed visitor id.</summary>
    public IReadOnlyList<string> ExternalIdHashes { get; init; } = [];

    /// <summary>A visitor id the source carried (Calendly carrier parameter, Stripe client_reference_id, API visitor_id).</summary>
    public string? CarriedVisitorId { get; init; }

    /// <summary>Where <see cref="CarriedVisitorId"/> came from, for the receipt's join path.</summary>
    public string? CarrierName { get; init; }

    public string? InviteeUuid { get; init; }

    /// <summary>True for bookings: when no visitor is found they wait the grace period for a late join.</summary>
    public bool WaitsForLateJoin { get; init; }
}
