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
    /// <summary>pageview (the default), link, or confirmation.</summary>
    [JsonIgnore]
    public string Kind { get; init; } = PageView;

    /// <summary>The most common kind, which a stored touch leaves out (<see cref="StoredKind"/>).</summary>
    public const string PageView = "pageview";

    /// <summary><see cref="Kind"/> as stored: omitted for a page view, the most common kind, to keep visitor hashes small.</summary>
    [JsonInclude]
    [JsonPropertyName("kind")]
    internal string? StoredKind
    {
        get => Kind == PageView ? null : Kind;
        init => Kind = value ?? PageView;
    }

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

    public string ToJson() => JsonSerializer.Serialize(this, StoredJson.VisitorTouch);

    /// <summary>The same JSON as UTF-8 bytes, as Redis stores it (no intermediate string).</summary>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, StoredJson.VisitorTouch);

    /// <summary>
    /// The touch as the visitor hash and touches list keep it, each value once: without the values the hash holds per
    /// visitor (ip, user agent, language, cookies), and without the ttclid, UTMs and click ids when they can be read
    /// back from the stored URL (<see cref="TouchParameters"/>); when they cannot, they stay, and a touch that captured
    /// none of them while its URL shows some keeps an empty <see cref="Utm"/> so that nothing is read back.
    /// </summary>
    public VisitorTouch ForStorage()
    {
        var perVisitorValuesOmitted = this with { Ip = null, UserAgent = null, AcceptLanguage = null, Ttp = null, GaClientId = null };
        if (TouchParameters.AreInUrl(this))
        {
            return perVisitorValuesOmitted with { Ttclid = null, Utm = null, ClickIds = null };
        }

        return Ttclid is null && Utm is null && ClickIds is null ? perVisitorValuesOmitted with { Utm = [] } : perVisitorValuesOmitted;
    }

    /// <summary>
    /// Reads a touch as stored; a touch stored without its ttclid, UTMs and click ids gets them back from its URL
    /// (<see cref="ForStorage"/>). Throws <see cref="JsonException"/> for JSON that is not a touch.
    /// </summary>
    public static VisitorTouch? FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json) || JsonSerializer.Deserialize(json, StoredJson.VisitorTouch) is not { } touch)
        {
            return null;
        }

        if (touch.Ttclid is null && touch.Utm is null && touch.ClickIds is null)
        {
            var (ttclid, utm, clickIds) = TouchParameters.FromUrl(touch.Url);
            return touch with { Ttclid = ttclid, Utm = utm, ClickIds = clickIds };
        }

        return touch.Utm is { Count: 0 } ? touch with { Utm = null } : touch;
    }

    /// <summary>
    /// Stored JSON escapes only what JSON requires ('&amp;' in a URL stays '&amp;', not <c>\u0026</c>): it is kept in
    /// Redis and never written into HTML; the management API encodes it again as any string it returns.
    /// </summary>
    private static readonly VisitorJsonContext StoredJson = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

/// <summary>
/// Field names of the visitor hash <c>{prefix}{v:&lt;vid&gt;}</c> (keys: <see cref="Redis.RedisKeys"/>). Each value is
/// stored once: the first touch here, later touches (newest first) in the touches list, the visitor's latest ip, user
/// agent, language, cookies and client hints as fields, and the newest click only when a touch after the first brought it.
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

    /// <summary>The latest GA4 session id (<see cref="VisitorProfile.GaSessionId"/>).</summary>
    public const string GaSessionId = "gas";

    public const string Ip = "ip";

    public const string UserAgent = "ua";

    public const string AcceptLanguage = "lang";

    public const string Mark = "funnel";

    /// <summary>Comma-separated SHA-256 hex of normalised emails / E.164 phones linked to this visitor.</summary>
    public const string EmailHashes = "em";

    public const string PhoneHashes = "ph";

    /// <summary>Calendly invitee uuid linked by the booking-confirmation capture.</summary>
    public const string InviteeUuid = "inv";

    /// <summary>
    /// The latest User-Agent client hints (<see cref="DeviceHints"/>), each kept until a later capture brings a new value:
    /// <c>Sec-CH-UA</c>, <c>-Mobile</c> (1 or 0), <c>-Platform</c>, <c>-Platform-Version</c>, <c>-Model</c>, <c>-Arch</c>,
    /// <c>-Bitness</c>, <c>-Full-Version-List</c>.
    /// </summary>
    public const string HintBrands = "ch_ua";

    public const string HintMobile = "ch_mob";

    public const string HintPlatform = "ch_plat";

    public const string HintPlatformVersion = "ch_platv";

    public const string HintModel = "ch_model";

    public const string HintArchitecture = "ch_arch";

    public const string HintBitness = "ch_bits";

    public const string HintFullVersionList = "ch_fvl";
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(VisitorTouch))]
internal sealed partial class VisitorJsonContext : JsonSerializerContext;
