namespace Able.Schema.Visitors;

/// <summary>
/// The ad parameters a touch captures from its landing URL's query (the TikTok click id, the UTMs, other platforms'
/// click ids), read the way the gateway reads them: the first occurrence of a name, '+' as a space, percent-decoded,
/// and cleaned (<see cref="CaptureValue"/>). A stored touch omits them when they can be read back from its stored URL
/// like this, so each value is stored once (<see cref="VisitorTouch.FromJson"/> reads them back).
/// </summary>
public static class TouchParameters
{
    /// <summary>The UTM parameters, in the order they are written and appended to Calendly links.</summary>
    public static readonly IReadOnlyList<string> UtmNames = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];

    /// <summary>Other platforms' click ids, kept for future destinations.</summary>
    public static readonly IReadOnlyList<string> ClickIdNames = ["gclid", "gbraid", "wbraid", "fbclid", "msclkid"];

    /// <summary>The ttclid, UTMs and click ids in <paramref name="url"/>'s query; nulls when it has none. Never throws.</summary>
    public static (string? Ttclid, Dictionary<string, string>? Utm, Dictionary<string, string>? ClickIds) FromUrl(string? url)
    {
        var question = url?.IndexOf('?', StringComparison.Ordinal) ?? -1;
        if (url is null || question < 0)
        {
            return (null, null, null);
        }

        string? ttclid = null;
        Dictionary<string, string>? utm = null;
        Dictionary<string, string>? clickIds = null;
        var seen = 0; // a bit per name of ParameterNames: the first occurrence counts, as for the gateway's query reader
        foreach (var range in QueryPairs.Of(url, question + 1))
        {
            var pair = url.AsSpan(range);
            var eq = pair.IndexOf('=');
            var rawName = eq < 0 ? pair : pair[..eq];
            // A name with nothing to decode is compared as it is, without a string (most names of a query are not ours).
            var index = QueryPairs.IsPlainAscii(rawName) ? IndexOfName(rawName) : IndexOfName(StoredUrl.Decode(rawName.ToString()));
            if (index < 0 || (seen & (1 << index)) != 0)
            {
                continue;
            }

            seen |= 1 << index;
            var name = ParameterNames[index];
            var value = eq < 0 ? "" : StoredUrl.Decode(pair[(eq + 1)..].ToString());
            if (index == 0)
            {
                ttclid = CaptureValue.CleanToken(value, CaptureValue.MaxIdLength).Value;
            }
            else if (index <= UtmNames.Count)
            {
                if (CaptureValue.CleanQueryValue(value, CaptureValue.MaxIdLength).Value is { } utmValue)
                {
                    (utm ??= new(StringComparer.Ordinal))[name] = utmValue;
                }
            }
            else if (CaptureValue.CleanToken(value, CaptureValue.MaxIdLength).Value is { } clickId)
            {
                (clickIds ??= new(StringComparer.Ordinal))[name] = clickId;
            }
        }

        return (ttclid, utm, clickIds);
    }

    /// <summary>ttclid, then <see cref="UtmNames"/>, then <see cref="ClickIdNames"/>.</summary>
    private static readonly string[] ParameterNames = ["ttclid", .. UtmNames, .. ClickIdNames];

    private static int IndexOfName(ReadOnlySpan<char> name)
    {
        for (var i = 0; i < ParameterNames.Length; i++)
        {
            if (name.SequenceEqual(ParameterNames[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Whether <paramref name="touch"/>'s ttclid, UTMs and click ids are exactly what <see cref="FromUrl"/> reads from its URL.</summary>
    public static bool AreInUrl(VisitorTouch touch)
    {
        ArgumentNullException.ThrowIfNull(touch);
        var (ttclid, utm, clickIds) = FromUrl(touch.Url);
        return ttclid == touch.Ttclid && SameEntries(utm, touch.Utm) && SameEntries(clickIds, touch.ClickIds);
    }

    private static bool SameEntries(Dictionary<string, string>? read, Dictionary<string, string>? captured)
    {
        if ((read?.Count ?? 0) != (captured?.Count ?? 0))
        {
            return false;
        }

        foreach (var (name, value) in captured ?? [])
        {
            if (read is null || !read.TryGetValue(name, out var readValue) || readValue != value)
            {
                return false;
            }
        }

        return true;
    }
}
