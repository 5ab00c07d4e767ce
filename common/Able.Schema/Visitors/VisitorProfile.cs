using System.Globalization;
using Able.Schema.Redis;
using StackExchange.Redis;

namespace Able.Schema.Visitors;

/// <summary>A visitor as the worker reads it from the visitor hash written by the gateway (<see cref="VisitorFields"/>).</summary>
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

    public string? Ip { get; init; }

    public string? UserAgent { get; init; }

    public string? AcceptLanguage { get; init; }

    public IReadOnlyList<string> EmailHashes { get; init; } = [];

    public IReadOnlyList<string> PhoneHashes { get; init; } = [];

    /// <summary>Reads the visitor hash; null when the visitor is unknown (never captured or expired).</summary>
    public static async Task<VisitorProfile?> ReadAsync(IDatabaseAsync redis, RedisKeys keys, string visitorId)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(keys);
        var entries = await redis.HashGetAllAsync(keys.Visitor(visitorId));
        if (entries.Length == 0)
        {
            return null;
        }

        var fields = entries.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
        string? Field(string name) => fields.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;
        DateTimeOffset? clickAt = long.TryParse(Field(VisitorFields.ClickAt), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
        return new VisitorProfile
        {
            VisitorId = visitorId,
            FirstTouch = SafeTouch(Field(VisitorFields.FirstTouch)),
            LastTouch = SafeTouch(Field(VisitorFields.LastTouch)),
            ClickTtclid = Field(VisitorFields.ClickTtclid),
            ClickAt = clickAt,
            ClickUrl = Field(VisitorFields.ClickUrl),
            ClickReferrer = Field(VisitorFields.ClickReferrer),
            Ttp = Field(VisitorFields.Ttp),
            Ip = Field(VisitorFields.Ip),
            UserAgent = Field(VisitorFields.UserAgent),
            AcceptLanguage = Field(VisitorFields.AcceptLanguage),
            EmailHashes = SplitHashes(Field(VisitorFields.EmailHashes)),
            PhoneHashes = SplitHashes(Field(VisitorFields.PhoneHashes)),
        };
    }

    public static string[] SplitHashes(string? value) =>
        string.IsNullOrEmpty(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

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
