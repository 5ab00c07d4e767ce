using System.Text.Json;
using Able.Attribution.Conversions;
using Able.Attribution.Ga4;
using Able.Attribution.Receipts;

namespace Able.Attribution.Delivery;

/// <summary>
/// One conversion waiting in the durable delivery schedule. The receipt travels with it: its
/// <see cref="MatchReceipt.Payload"/> is the built event (null while a booking waits for a late join).
/// </summary>
public sealed record DeliveryJob
{
    /// <summary>pixel + event + event_id: the dedup ledger key and the schedule member.</summary>
    public required string Id { get; init; }

    public required Conversion Conversion { get; init; }

    public required MatchReceipt Receipt { get; init; }

    public int Attempts { get; init; }

    /// <summary>Unix ms of the first attempt; the retry deadline counts from here.</summary>
    public long? FirstAttemptAt { get; init; }

    /// <summary>
    /// Set on a GA4 delivery: its outcome as last recorded, with the Measurement Protocol body to send
    /// (<see cref="Ga4Outcome.Payload"/>). Null on a TikTok delivery (and on every job stored before GA4 existed); then
    /// <see cref="Receipt"/> is the receipt this job writes. A GA4 job's <see cref="Receipt"/> is a copy it never writes.
    /// </summary>
    public Ga4Outcome? Ga4 { get; init; }

    /// <summary>The dedup key: pixel (or the funnel when it has none) + event + event_id.</summary>
    public static string IdFor(string? pixelId, Conversion conversion)
    {
        ArgumentNullException.ThrowIfNull(conversion);
        var pixel = string.IsNullOrWhiteSpace(pixelId) ? $"funnel-{conversion.Mark}" : pixelId;
        return $"{pixel}:{conversion.TikTokEvent}:{conversion.EventId}";
    }

    /// <summary>The dedup key of a conversion's GA4 delivery: <c>ga4:</c> + measurement id + event + event_id.</summary>
    public static string Ga4IdFor(string measurementId, Conversion conversion)
    {
        ArgumentNullException.ThrowIfNull(conversion);
        return Ga4IdFor(measurementId, conversion.TikTokEvent, conversion.EventId);
    }

    /// <summary><see cref="Ga4IdFor(string, Conversion)"/> from a receipt's event and event_id.</summary>
    public static string Ga4IdFor(string measurementId, string? tikTokEvent, string? eventId) => $"ga4:{measurementId}:{tikTokEvent}:{eventId}";

    public string ToJson() => JsonSerializer.Serialize(this, ReceiptJson.Options);

    /// <summary>
    /// Reads a stored job: true with null <paramref name="job"/> when there is none; false with the
    /// <paramref name="problem"/> when the text is not a job (damaged, or written by a version with another shape).
    /// </summary>
    public static bool TryFromJson(string? json, out DeliveryJob? job, out string? problem)
    {
        job = null;
        problem = null;
        if (string.IsNullOrEmpty(json))
        {
            return true;
        }

        try
        {
            job = JsonSerializer.Deserialize<DeliveryJob>(json, ReceiptJson.Options);
        }
        catch (Exception error) when (error is JsonException or ArgumentException)
        {
            // ArgumentException: text that is not valid UTF-16 (a lone surrogate) cannot even be transcoded.
            problem = error.Message;
            return false;
        }

        if (job is null || job.Conversion is null || job.Receipt is null)
        {
            job = null;
            problem = "not a delivery job object";
            return false;
        }

        return true;
    }
}
