using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Able.Schema.Stats;
using Able.Schema.Visitors;

namespace Able.Attribution.Receipts;

/// <summary>Delivery status of a conversion as its receipt shows it.</summary>
public static class ReceiptStatus
{
    /// <summary>Queued for delivery (or waiting for the next flush).</summary>
    public const string Queued = "queued";

    /// <summary>An unmatched booking waiting the grace period for a late join.</summary>
    public const string WaitingForJoin = "waiting_for_join";

    public const string Sent = "sent";

    /// <summary>The funnel has no TikTok access token: built and kept, not sent.</summary>
    public const string DryRun = "dry_run";

    public const string Retrying = "retrying";

    public const string DeadLettered = "dead_lettered";

    /// <summary>Cancellation, no-show, reschedule, refund: recorded, nothing sent.</summary>
    public const string Recorded = "recorded";

    /// <summary>Older than Able:Worker:MaxEventAgeDays: recorded, not sent.</summary>
    public const string TooOld = "too_old";

    /// <summary>Not for this funnel (event type filter) or not a conversion.</summary>
    public const string Ignored = "ignored";

    public const string Malformed = "malformed";
}

/// <summary>
/// Why a conversion was or was not attributed and what was sent, the last step for every conversion (README,
/// "Conversions to TikTok"). Holds hashed values
/// only: the payload is exactly the event sent to TikTok.
/// </summary>
public sealed record MatchReceipt
{
    public required string Id { get; init; }

    [JsonPropertyName("funnel")]
    public required string Mark { get; init; }

    public required string Source { get; init; }

    [JsonPropertyName("source_type")]
    public required string SourceEvent { get; init; }

    /// <summary>The ingest stream entry this conversion came from.</summary>
    public string? EntryId { get; init; }

    public required string Status { get; init; }

    /// <summary>Why it was recorded, ignored, dead-lettered or is retrying.</summary>
    public string? Reason { get; init; }

    [JsonPropertyName("event")]
    public string? TikTokEvent { get; init; }

    public string? EventId { get; init; }

    /// <summary>Unix seconds from the source.</summary>
    public long? EventTime { get; init; }

    public string? VisitorId { get; init; }

    /// <summary>carrier:salesforce_uuid, invitee_link, email, phone, visitor_id; null when no join matched.</summary>
    public string? JoinPath { get; init; }

    public string? NoJoinReason { get; init; }

    public IReadOnlyList<string> KeysAvailable { get; init; } = [];

    public IReadOnlyList<string> KeysSent { get; init; } = [];

    public long? ClickAgeSeconds { get; init; }

    /// <summary>The campaign of the visitor's first touch this conversion is credited to in the report (null without a visitor).</summary>
    public CampaignKey? FirstTouchCampaign { get; init; }

    /// <summary>The campaign of the visitor's latest touch this conversion is credited to in the report (null without a visitor).</summary>
    public CampaignKey? LastTouchCampaign { get; init; }

    /// <summary>The TikTok event as built (hashed values only).</summary>
    public JsonObject? Payload { get; init; }

    public int Attempts { get; init; }

    public long? TikTokCode { get; init; }

    public string? TikTokMessage { get; init; }

    public string? TikTokRequestId { get; init; }

    /// <summary>Unix milliseconds of the last change.</summary>
    public long UpdatedAt { get; init; }

    /// <summary>
    /// The GA4 side, when the funnel sends to GA4: stored apart (<see cref="Able.Schema.Redis.RedisKeys.Ga4Receipt"/>) and
    /// filled in when receipts are read through <see cref="ReceiptStore"/>; never stored in the receipt's own value.
    /// </summary>
    public Ga4.Ga4Outcome? Ga4 { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, ReceiptJson.Options);

    public static MatchReceipt? FromJson(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<MatchReceipt>(json, ReceiptJson.Options);
}

internal static class ReceiptJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
