using System.Text.Json;
using System.Text.Json.Serialization;

namespace Able.Schema.Visitors;

/// <summary>
/// One captured visit (a page view, a tracked link, or a booking confirmation). Stored in the visitor hash
/// (<c>first</c>) and the capped touches list without the values the hash keeps once per visitor (ip, user agent,
/// language, cookies: those are null in a stored touch). Written by the gateway, read by the worker. Only capped,
/// validated values; never a raw email or phone.
/// </summary>
public sealed record VisitorTouch
{
    /// <summary>pageview, link, or confirmation.</summary>
    public required string Kind { get; init; }

    /// <summary>The funnel's mark (stored as <c>funnel</c>).</summary>
    [JsonPropertyName("funnel")]
    public required string Mark { get; init; }

    /// <summary>Unix milliseconds, UTC.</summary>
    public required long At { get; init; }

    public string? Url { get; init; }

    public string? Referrer { get; init; }

    public string? Ip { get; init; }

    public string? UserAgent { get; init; }

    public string? AcceptLanguage { get; init; }

    public string? Ttclid { get; init; }

    /// <summary>Value of the TikTok pixel's <c>_ttp</c> cookie, if the site runs the pixel.</summary>
    public string? Ttp { get; init; }

    /// <summary>GA client id from <c>_ga</c> (<c>GA1.1.123.456</c> → <c>123.456</c>).</summary>
    public string? GaClientId { get; init; }

    /// <summary>utm_source, utm_medium, utm_campaign, utm_term, utm_content when present.</summary>
    public Dictionary<string, string>? Utm { get; init; }

    /// <summary>Other click ids (gclid, gbraid, wbraid, fbclid, msclkid), kept for future destinations.</summary>
    public Dictionary<string, string>? ClickIds { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, VisitorJsonContext.Default.VisitorTouch);

    /// <summary>The same JSON as UTF-8 bytes, as Redis stores it (no intermediate string).</summary>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, VisitorJsonContext.Default.VisitorTouch);

    public static VisitorTouch? FromJson(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize(json, VisitorJsonContext.Default.VisitorTouch);
}

/// <summary>
/// Field names of the visitor hash <c>{prefix}{v:&lt;vid&gt;}</c> (keys: <see cref="Redis.RedisKeys"/>). Each value is
/// stored once: the first touch here, later touches (newest first) in the touches list, the visitor's latest ip, user
/// agent, language and cookies as fields, and the newest click only when a touch after the first brought it.
/// Read it through <see cref="VisitorProfile"/>, which puts the pieces together.
/// </summary>
public static class VisitorFields
{
    /// <summary>JSON <see cref="VisitorTouch"/> of the first visit; written once (HSETNX).</summary>
    public const string FirstTouch = "first";

    /// <summary>
    /// The latest visit as JSON, in the layout before one-script captures; no longer written (the latest visit is the
    /// head of the touches list, or the first touch). Read while such visitors remain, deleted at their next capture.
    /// </summary>
    public const string LegacyLastTouch = "last";

    /// <summary>
    /// The newest TikTok click id, its time (unix ms), landing URL and referrer, when a touch after the first brought
    /// it; a click on the first touch is read from <see cref="FirstTouch"/>.
    /// </summary>
    public const string ClickTtclid = "click_ttclid";

    public const string ClickAt = "click_at";

    /// <summary>Landing URL and referrer of the visit that carried the newest click.</summary>
    public const string ClickUrl = "click_url";

    public const string ClickReferrer = "click_referrer";

    public const string Ttp = "ttp";

    public const string GaClientId = "ga";

    public const string Ip = "ip";

    public const string UserAgent = "ua";

    public const string AcceptLanguage = "lang";

    public const string Mark = "funnel";

    /// <summary>Comma-separated SHA-256 hex of normalised emails / E.164 phones linked to this visitor.</summary>
    public const string EmailHashes = "em";

    public const string PhoneHashes = "ph";

    /// <summary>Calendly invitee uuid linked by the booking-confirmation capture.</summary>
    public const string InviteeUuid = "inv";
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(VisitorTouch))]
internal sealed partial class VisitorJsonContext : JsonSerializerContext;
