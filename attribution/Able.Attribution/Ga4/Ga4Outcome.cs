using System.Text.Json;
using System.Text.Json.Nodes;

namespace Able.Attribution.Ga4;

/// <summary>The GA4 side of a conversion as its receipt shows it (<c>receipt.ga4</c>).</summary>
public static class Ga4Status
{
    /// <summary>In the delivery schedule, not sent yet.</summary>
    public const string Queued = "queued";

    public const string Sent = "sent";

    public const string Retrying = "retrying";

    public const string DeadLettered = "dead_lettered";

    /// <summary>Not sent: nothing GA4 could credit it to (no GA client id captured for the visitor, or no visitor).</summary>
    public const string Skipped = "skipped";

    /// <summary>Not sent: older than <c>Able:Worker:Ga4MaxEventAgeHours</c>, which GA4 would drop.</summary>
    public const string TooOld = "too_old";
}

/// <summary>
/// What happened to a conversion at GA4, kept beside its receipt (<see cref="Able.Schema.Redis.RedisKeys.Ga4Receipt"/>) and
/// shown in it as <c>ga4</c>. Written only by the GA4 side, so it and the TikTok side never overwrite each other's outcome.
/// Holds pseudonymous ids only (the GA client id, session id, the visitor id as user_id when configured), never contact data.
/// </summary>
public sealed record Ga4Outcome
{
    public required string Status { get; init; }

    /// <summary>Why it was skipped, is retrying or was dead-lettered.</summary>
    public string? Reason { get; init; }

    /// <summary>The GA4 event name sent (<c>generate_lead</c>, <c>purchase</c>, ...).</summary>
    public string? EventName { get; init; }

    /// <summary>The Measurement Protocol request body as sent (or to be sent).</summary>
    public JsonObject? Payload { get; init; }

    /// <summary>What the payload carries: client_id, session_id, user_id, value, currency, transaction_id, items.</summary>
    public IReadOnlyList<string> KeysSent { get; init; } = [];

    public int Attempts { get; init; }

    /// <summary>GA4's HTTP status of the last attempt.</summary>
    public int? HttpStatus { get; init; }

    /// <summary>Unix milliseconds of the last change.</summary>
    public long UpdatedAt { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, Receipts.ReceiptJson.Options);

    /// <summary>A stored outcome, or null when the text is missing or not an outcome (never throws on stored text).</summary>
    public static Ga4Outcome? TryRead(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            var outcome = JsonSerializer.Deserialize<Ga4Outcome>(json, Receipts.ReceiptJson.Options);
            return outcome?.Status is null ? null : outcome;
        }
        catch (Exception error) when (error is JsonException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }
}
