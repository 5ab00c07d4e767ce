using System.Globalization;
using Able.Schema.Redis;
using StackExchange.Redis;

namespace Able.Schema.Visitors;

/// <summary>A visitor as the worker reads it from the visitor hash and touches list the gateway writes (<see cref="VisitorFields"/>).</summary>
public sealed record VisitorProfile
{
    public required string VisitorId { get; init; }

    public VisitorTouch? FirstTouch { get; init; }

    public VisitorTouch? LastTouch { get; init; }

    public string? ClickTtclid { get; init; }

    public DateTimeOffset? ClickAt { get; init; }

    public string? ClickUrl { get; init; }

    public string? ClickReferrer { get; init; }

    public string? Ttp { get; init; }

    /// <summary>GA client id from the <c>_ga</c> cookie.</summary>
    public string? GaClientId { get; init; }

    /// <summary>
    /// GA4 session id from the funnel's session cookie <c>_ga_&lt;container&gt;</c> (<c>GS1.1.1700000000...</c> or
    /// <c>GS2.1.s1700000000$o1...</c> → <c>1700000000</c>), when the funnel has a GA4 measurement id and the cookie was sent.
    /// </summary>
    public string? GaSessionId { get; init; }

    /// <summary>The funnel mark of the latest capture.</summary>
    public string? Mark { get; init; }

    /// <summary>The Calendly invitee uuid a booking confirmation linked.</summary>
    public string? InviteeUuid { get; init; }

    public string? Ip { get; init; }

    public string? UserAgent { get; init; }

    public string? AcceptLanguage { get; init; }

    /// <summary>The browser's latest User-Agent client hints; null when it never sent any.</summary>
    public DeviceHints? Device { get; init; }

    public IReadOnlyList<string> EmailHashes { get; init; } = [];

    public IReadOnlyList<string> PhoneHashes { get; init; } = [];

    /// <summary>
    /// Reads the visitor hash and the head of its touches list (one round trip: both are sent before either reply is
    /// awaited); null when the visitor is unknown (never captured or expired).
    /// </summary>
    public static async Task<VisitorProfile?> ReadAsync(IDatabaseAsync redis, RedisKeys keys, string visitorId)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(keys);
        var hash = redis.HashGetAllAsync(keys.Visitor(visitorId));
        var newest = redis.ListGetByIndexAsync(keys.VisitorTouches(visitorId), 0);
        await Task.WhenAll(hash, newest);
        var entries = await hash;
        var newestTouch = SafeTouch(await newest);
        return entries.Length == 0 ? null : FromFields(visitorId, entries, newestTouch);
    }

    /// <summary>
    /// The profile from the visitor hash's <paramref name="entries"/> and the newest later touch (the touches list's
    /// head, null when the visitor has only its first touch).
    /// </summary>
    public static VisitorProfile FromFields(string visitorId, HashEntry[] entries, VisitorTouch? newestLaterTouch)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var fields = new Dictionary<string, string>(entries.Length, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            fields[entry.Name.ToString()] = entry.Value.ToString();
        }

        string? Field(string name) => fields.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;
        var first = SafeTouch(Field(VisitorFields.FirstTouch));
        // A later click has its own fields; a click on the first touch is the first touch's.
        var laterClick = Field(VisitorFields.ClickTtclid);
        DateTimeOffset? clickAt = laterClick is null
            ? (first?.Ttclid is null ? null : UnixMilliseconds.ToTime(first.At))
            : long.TryParse(Field(VisitorFields.ClickAt), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
                ? UnixMilliseconds.ToTime(ms)
                : null;
        return new VisitorProfile
        {
            VisitorId = visitorId,
            FirstTouch = first,
            LastTouch = newestLaterTouch ?? SafeTouch(Field(VisitorFields.LegacyLastTouch)) ?? first,
            ClickTtclid = laterClick ?? first?.Ttclid,
            ClickAt = clickAt,
            ClickUrl = laterClick is null ? first?.Ttclid is null ? null : first.Url : Field(VisitorFields.ClickUrl),
            ClickReferrer = laterClick is null ? first?.Ttclid is null ? null : first.Referrer : Field(VisitorFields.ClickReferrer),
            Ttp = Field(VisitorFields.Ttp),
            GaClientId = Field(VisitorFields.GaClientId),
            GaSessionId = Field(VisitorFields.GaSessionId),
            Ip = Field(VisitorFields.Ip),
            UserAgent = Field(VisitorFields.UserAgent),
            AcceptLanguage = Field(VisitorFields.AcceptLanguage),
            Device = DeviceHints.FromFields(Field),
            Mark = Field(VisitorFields.Mark),
            InviteeUuid = Field(VisitorFields.InviteeUuid),
            EmailHashes = SplitHashes(Field(VisitorFields.EmailHashes)),
            PhoneHashes = SplitHashes(Field(VisitorFields.PhoneHashes)),
        };
    }

    public static string[] SplitHashes(string? value) =>
        string.IsNullOrEmpty(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static VisitorTouch? SafeTouch(RedisValue json) => json.IsNullOrEmpty ? null : SafeTouch(json.ToString());

    private static VisitorTouch? SafeTouch(string? json)
    {
        try
        {
            return VisitorTouch.FromJson(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
