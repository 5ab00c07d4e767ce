using System.Globalization;
using System.Text.Json;
using Able.Attribution.Ingest;

namespace Able.Attribution.Conversions;

/// <summary>
/// Reading source payloads leniently: a field that is missing, null or of an unexpected type reads as
/// absent instead of throwing, so new or changed fields in Calendly's or Stripe's bodies never break parsing. A
/// string whose escapes or bytes are not valid Unicode (a lone <c>\ud800</c>, a stray 0xFF) reads as absent too.
/// </summary>
internal static class LenientJson
{
    /// <summary>Parses a body; null with <c>body is not JSON</c> when it does not parse.</summary>
    public static JsonDocument? Parse(ReadOnlyMemory<byte> body, out string? error)
    {
        try
        {
            error = null;
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            error = "body is not JSON";
            return null;
        }
    }

    public static JsonElement? Get(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static JsonElement? Get(this JsonElement? element, string name) => element is { } e ? e.Get(name) : null;

    public static string? String(this JsonElement? element) => element switch
    {
        { ValueKind: JsonValueKind.String } e => NullIfEmpty(JsonBody.DecodeOrNull(e)),
        { ValueKind: JsonValueKind.Number } e => e.GetRawText(),
        _ => null,
    };

    public static string? String(this JsonElement element, string name) => element.Get(name).String();

    public static string? String(this JsonElement? element, string name) => element.Get(name).String();

    public static bool Bool(this JsonElement? element, string name) => element.Get(name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.String } e => bool.TryParse(JsonBody.DecodeOrNull(e), out var b) && b,
        _ => false,
    };

    public static decimal? Decimal(this JsonElement? element, string name) => element.Get(name) switch
    {
        { ValueKind: JsonValueKind.Number } e when e.TryGetDecimal(out var d) => d,
        { ValueKind: JsonValueKind.String } e when decimal.TryParse(JsonBody.DecodeOrNull(e), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    public static long? Long(this JsonElement? element, string name) => element.Get(name) switch
    {
        { ValueKind: JsonValueKind.Number } e when e.TryGetInt64(out var l) => l,
        { ValueKind: JsonValueKind.String } e when long.TryParse(JsonBody.DecodeOrNull(e), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        _ => null,
    };

    /// <summary>An ISO 8601 timestamp, or Unix seconds as a number.</summary>
    public static DateTimeOffset? Time(this JsonElement? element, string name) => element.Get(name) switch
    {
        { ValueKind: JsonValueKind.String } e when DateTimeOffset.TryParse(JsonBody.DecodeOrNull(e), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) => t,
        { ValueKind: JsonValueKind.Number } e when e.TryGetInt64(out var seconds) && seconds is > 0 and < 100_000_000_000 => DateTimeOffset.FromUnixTimeSeconds(seconds),
        _ => null,
    };

    public static IEnumerable<JsonElement> Items(this JsonElement? element, string name) =>
        element.Get(name) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    /// <summary>The last path segment of a URI such as <c>https://api.calendly.com/.../invitees/{uuid}</c>.</summary>
    public static string? LastSegment(string? uri)
    {
        if (string.IsNullOrEmpty(uri))
        {
            return null;
        }

        var trimmed = uri.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return NullIfEmpty(slash < 0 ? trimmed : trimmed[(slash + 1)..]);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
