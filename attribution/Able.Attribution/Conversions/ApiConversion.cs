using System.Text.Json;
using System.Text.Json.Serialization;
using Able.Attribution.Identity;
using Able.Attribution.Ingest;
using Able.Schema.Identity;
using Able.Schema.Visitors;

namespace Able.Attribution.Conversions;

/// <summary>
/// One <c>POST /v1/conversions</c> item (validated by the ingress) as the worker uses it, read leniently: <c>event</c>,
/// <c>event_id</c>, <c>event_time</c> (Unix seconds), <c>value</c>, <c>currency</c>, <c>visitor_id</c>, and
/// <c>url</c>, <c>content_id</c>, <c>content_name</c>, <c>order_id</c>. Email, phone and external id are held only as
/// their normalised SHA-256. This record is what the ingest stream stores for an item (<see cref="IngestFacts"/>), so
/// its JSON names are a stored format.
/// </summary>
public sealed record ApiConversion
{
    /// <summary>The TikTok event name the caller gave (<c>Purchase</c>, <c>Lead</c>, ...).</summary>
    public string? Event { get; init; }

    public string? EventId { get; init; }

    public DateTimeOffset? EventTime { get; init; }

    public decimal? Value { get; init; }

    /// <summary>Upper case.</summary>
    public string? Currency { get; init; }

    public string? ContentId { get; init; }

    public string? ContentName { get; init; }

    public string? OrderId { get; init; }

    /// <summary>The page URL without personal query parameters or fragment (<see cref="StoredUrl.Scrub"/>).</summary>
    [JsonPropertyName("url")]
    public string? PageUrl { get; init; }

    /// <summary>SHA-256 of the trimmed, lower-case email, or the SHA-256 the caller sent.</summary>
    public string? EmailHash { get; init; }

    /// <summary>SHA-256 of the E.164 phone number (read in the funnel's DefaultPhoneRegion), or the SHA-256 the caller sent.</summary>
    public string? PhoneHash { get; init; }

    /// <summary>SHA-256 of the trimmed external id, or the SHA-256 the caller sent.</summary>
    public string? ExternalIdHash { get; init; }

    public string? VisitorId { get; init; }

    /// <summary>Parses one item, hashing its contact data; null with a reason when it is not JSON.</summary>
    public static ApiConversion? Parse(ReadOnlyMemory<byte> item, string defaultPhoneRegion, out string? error)
    {
        using var document = LenientJson.Parse(item, out error);
        if (document is null)
        {
            return null;
        }

        JsonElement? root = document.RootElement;
        return new ApiConversion
        {
            Event = root.String("event"),
            EventId = root.String("event_id"),
            EventTime = root.Time("event_time"),
            Value = root.Decimal("value"),
            Currency = root.String("currency")?.ToUpperInvariant(),
            ContentId = root.String("content_id"),
            ContentName = root.String("content_name"),
            OrderId = root.String("order_id"),
            // Personal query parameters (email=, invitee_*, any value with an '@') are removed before it is stored or sent.
            PageUrl = StoredUrl.Scrub(root.String("url")),
            EmailHash = ContactHashing.HashEmail(root.String("email")),
            PhoneHash = PhoneHashing.HashPhone(root.String("phone"), defaultPhoneRegion),
            ExternalIdHash = ContactHashing.HashExternalId(root.String("external_id")),
            VisitorId = root.String("visitor_id"),
        };
    }
}
