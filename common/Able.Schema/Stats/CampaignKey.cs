using System.Text;

namespace Able.Schema.Stats;

/// <summary>
/// The campaign a visit or a conversion is credited to: the touch's <c>utm_source</c>, <c>utm_campaign</c> and
/// <c>utm_content</c> (empty when absent, cut to <see cref="CampaignRows.MaxValueLength"/> characters) and whether the
/// touch carried a TikTok click id.
/// </summary>
public sealed record CampaignKey(string Source, string Campaign, string Content, bool TikTokClick)
{
    /// <summary>The key of a touch's UTMs (<c>utm_source</c>, <c>utm_campaign</c>, <c>utm_content</c>) and click id.</summary>
    public static CampaignKey Of(IReadOnlyDictionary<string, string>? utm, string? ttclid) => new(
        CampaignRows.Cut(utm?.GetValueOrDefault("utm_source")),
        CampaignRows.Cut(utm?.GetValueOrDefault("utm_campaign")),
        CampaignRows.Cut(utm?.GetValueOrDefault("utm_content")),
        !string.IsNullOrEmpty(ttclid));
}

/// <summary>What kind of row a stored campaign row is.</summary>
public enum CampaignRowKind
{
    /// <summary>A campaign (<see cref="CampaignKey"/>).</summary>
    Campaign,

    /// <summary>Conversions no visitor matched.</summary>
    Unattributed,

    /// <summary>Everything past the day's cap of distinct campaigns (<see cref="CampaignRows.MaxRowsPerDay"/>).</summary>
    Other,
}

/// <summary>
/// How campaign rows are kept in a funnel's daily campaigns hash (<see cref="Redis.RedisKeys.CampaignStats"/>): each field is
/// <c>&lt;metric&gt;|&lt;row&gt;</c>, a row is <c>&lt;0|1 ttclid&gt;|&lt;source&gt;|&lt;campaign&gt;|&lt;content&gt;</c> with
/// <c>%</c> and <c>|</c> inside a value written <c>%25</c> and <c>%7C</c> (so any text round-trips), or one of the
/// reserved rows <see cref="UnattributedRow"/> and <see cref="OtherRow"/> (a real row never starts with <c>~</c>).
/// UTM values are attacker-controlled text: reading never throws, and the number of distinct rows per funnel and day
/// is capped inside Redis (<see cref="StatsScript"/>).
/// </summary>
public static class CampaignRows
{
    /// <summary>Distinct campaign rows per funnel per day; visits and conversions of further rows go to <see cref="OtherRow"/>.</summary>
    public const int MaxRowsPerDay = 5000;

    /// <summary>UTM values are cut to this many characters in the report (they may be 512 when captured).</summary>
    public const int MaxValueLength = 100;

    /// <summary>The row of conversions that no visitor matched.</summary>
    public const string UnattributedRow = "~unattributed";

    /// <summary>The row that takes everything beyond <see cref="MaxRowsPerDay"/> distinct rows of a day.</summary>
    public const string OtherRow = "~other";

    /// <summary>Field of the campaigns hash counting its distinct rows (the cap's counter; has no <c>|</c>, so it is no row field).</summary>
    public const string RowCountField = "rows";

    /// <summary>Captured visits of the row (every row has this field: it also registers the row).</summary>
    public const string Visits = "v";

    /// <summary>Prefix of the metrics credited to a visitor's first touch.</summary>
    public const string FirstTouch = "f";

    /// <summary>Prefix of the metrics credited to a visitor's latest touch.</summary>
    public const string LastTouch = "l";

    /// <summary>Bookings (Schedule), after a touch prefix.</summary>
    public const string Bookings = "b";

    /// <summary>Purchases, after a touch prefix.</summary>
    public const string Purchases = "p";

    /// <summary>Conversions sent (or built in a dry run) with the ad's click id, after a touch prefix.</summary>
    public const string Matched = "m";

    /// <summary>Revenue in micro-units, after a touch prefix and followed by the ISO currency (<c>fr:EUR</c>).</summary>
    public const string RevenuePrefix = "r:";

    private const char Separator = '|';

    /// <summary>A UTM value as the report keeps it: empty when absent, at most <see cref="MaxValueLength"/> characters (never half a surrogate pair).</summary>
    public static string Cut(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value.Length <= MaxValueLength)
        {
            return value;
        }

        var length = char.IsHighSurrogate(value[MaxValueLength - 1]) ? MaxValueLength - 1 : MaxValueLength;
        return value[..length];
    }

    /// <summary>The stored form of a campaign row (values already cut, see <see cref="CampaignKey.Of"/>).</summary>
    public static string Encode(CampaignKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var text = new StringBuilder(8 + key.Source.Length + key.Campaign.Length + key.Content.Length);
        text.Append(key.TikTokClick ? '1' : '0');
        foreach (var value in (ReadOnlySpan<string>)[key.Source, key.Campaign, key.Content])
        {
            text.Append(Separator);
            foreach (var c in value)
            {
                _ = c switch
                {
                    '%' => text.Append("%25"),
                    Separator => text.Append("%7C"),
                    _ => text.Append(c),
                };
            }
        }

        return text.ToString();
    }

    /// <summary>The field of <paramref name="metric"/> for <paramref name="row"/> (an encoded or reserved row).</summary>
    public static string Field(string metric, string row) => string.Concat(metric, "|", row);

    /// <summary>
    /// Reads a field of the campaigns hash: its metric and row. False (never an exception) for anything this layout did
    /// not write: the row counter, a field without a metric, a row with the wrong number of parts or a broken escape.
    /// </summary>
    public static bool TryReadField(string? field, out string metric, out CampaignRowKind kind, out CampaignKey? key)
    {
        metric = "";
        kind = CampaignRowKind.Campaign;
        key = null;
        var separator = field?.IndexOf(Separator, StringComparison.Ordinal) ?? -1;
        if (field is null || separator <= 0)
        {
            return false;
        }

        metric = field[..separator];
        return TryDecode(field[(separator + 1)..], out kind, out key);
    }

    /// <summary>Reads a stored row; false (never an exception) when it is not one this layout writes.</summary>
    public static bool TryDecode(string? row, out CampaignRowKind kind, out CampaignKey? key)
    {
        kind = CampaignRowKind.Campaign;
        key = null;
        switch (row)
        {
            case null:
                return false;
            case UnattributedRow:
                kind = CampaignRowKind.Unattributed;
                return true;
            case OtherRow:
                kind = CampaignRowKind.Other;
                return true;
        }

        var parts = row.Split(Separator);
        if (parts.Length != 4 || parts[0] is not ("0" or "1"))
        {
            return false;
        }

        if (!TryUnescape(parts[1], out var source) || !TryUnescape(parts[2], out var campaign) || !TryUnescape(parts[3], out var content))
        {
            return false;
        }

        key = new CampaignKey(source, campaign, content, parts[0] == "1");
        return true;
    }

    private static bool TryUnescape(string value, out string text)
    {
        text = value;
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return true;
        }

        var result = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '%')
            {
                result.Append(value[i]);
                continue;
            }

            if (i + 2 >= value.Length)
            {
                return false;
            }

            var escape = value.AsSpan(i + 1, 2);
            if (escape.SequenceEqual("25"))
            {
                result.Append('%');
            }
            else if (escape.SequenceEqual("7C"))
            {
                result.Append(Separator);
            }
            else
            {
                return false;
            }

            i += 2;
        }

        text = result.ToString();
        return true;
    }
}
