namespace Able.Schema.Visitors;

/// <summary>
/// URLs as they may be stored (a touch's landing URL and referrer, a conversion's page URL), with personal query
/// parameters removed: Calendly's booking-confirmation redirect puts the invitee's email, name, phone and answers in
/// the query, and a page URL sent to the conversions API may carry the same; none of that may be stored raw. Removed:
/// <c>invitee_*</c>, <c>answer_*</c>, <c>guest*</c>, <c>text_reminder_number</c>, <c>email</c>, <c>phone</c>,
/// <c>name</c>, and any parameter whose name or value holds an '@'. A parameter whose value would not be stored on its
/// own (over-long, control characters, undecodable: <see cref="CaptureValue"/>) is not stored inside the URL either.
/// </summary>
public static class StoredUrl
{
    /// <summary>A referrer (or any absolute URL) scrubbed the same way, fragment dropped; null if unusable.</summary>
    public static string? Scrub(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        var hash = url.IndexOf('#', StringComparison.Ordinal);
        var withoutFragment = hash < 0 ? url : url[..hash];
        var q = withoutFragment.IndexOf('?', StringComparison.Ordinal);
        if (q < 0)
        {
            return Fit(withoutFragment, withoutFragment);
        }

        var baseUrl = withoutFragment[..q];
        var query = ScrubQuery(withoutFragment[(q + 1)..]);
        return Fit(query.Length == 0 ? baseUrl : $"{baseUrl}?{query}", baseUrl);
    }

    /// <summary>The raw query (no '?') without personal parameters; kept pairs stay exactly as received.</summary>
    public static string ScrubQuery(string rawQuery)
    {
        ArgumentNullException.ThrowIfNull(rawQuery);
        if (rawQuery.Length == 0)
        {
            return rawQuery;
        }

        // The usual query (every pair kept, no empty entries) is returned as it is, without a copy.
        List<Range>? kept = null;
        var skipped = false;
        foreach (var pair in QueryPairs.Of(rawQuery))
        {
            if (IsKept(rawQuery.AsSpan(pair)))
            {
                (kept ??= []).Add(pair);
            }
            else
            {
                skipped = true;
            }
        }

        if (!skipped && QueryPairs.HasNoEmptyEntry(rawQuery))
        {
            return rawQuery;
        }

        return kept is null ? "" : string.Join('&', kept.Select(range => rawQuery[range]));
    }

    /// <summary>Whether a raw <c>name=value</c> pair may stay in a stored URL.</summary>
    private static bool IsKept(ReadOnlySpan<char> pair)
    {
        var eq = pair.IndexOf('=');
        var rawName = eq < 0 ? pair : pair[..eq];
        var rawValue = eq < 0 ? [] : pair[(eq + 1)..];
        if (QueryPairs.IsPlainAscii(pair))
        {
            // Nothing to decode and ASCII case rules only: the same decision without a string per name and value.
            return !IsPersonalAscii(rawName, rawValue)
                && CaptureValue.IsStorableQueryText(rawValue, CaptureValue.MaxIdLength)
                && CaptureValue.IsStorableQueryText(rawName, CaptureValue.MaxIdLength);
        }

        var name = Decode(rawName.ToString());
        var value = eq < 0 ? "" : Decode(rawValue.ToString());
        return !IsPersonal(name, value) && CaptureValue.CleanQueryValue(value, CaptureValue.MaxIdLength).Problem == CaptureValueProblem.None
            && CaptureValue.CleanQueryValue(name, CaptureValue.MaxIdLength).Problem == CaptureValueProblem.None;
    }

    /// <summary><see cref="IsPersonal"/> for a name and value of ASCII characters.</summary>
    private static bool IsPersonalAscii(ReadOnlySpan<char> name, ReadOnlySpan<char> value)
    {
        var n = name.Trim();
        return n.StartsWith("invitee_", StringComparison.OrdinalIgnoreCase) || n.StartsWith("answer_", StringComparison.OrdinalIgnoreCase)
            || n.StartsWith("guest", StringComparison.OrdinalIgnoreCase) || n.Equals("text_reminder_number", StringComparison.OrdinalIgnoreCase)
            || n.Equals("email", StringComparison.OrdinalIgnoreCase) || n.Equals("phone", StringComparison.OrdinalIgnoreCase)
            || n.Equals("name", StringComparison.OrdinalIgnoreCase) || value.Contains('@') || name.Contains('@');
    }

    public static bool IsPersonal(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        var n = name.Trim().ToLowerInvariant();
        return n.StartsWith("invitee_", StringComparison.Ordinal) || n.StartsWith("answer_", StringComparison.Ordinal)
            || n.StartsWith("guest", StringComparison.Ordinal) || n is "text_reminder_number" or "email" or "phone" or "name"
            || value.Contains('@', StringComparison.Ordinal) || name.Contains('@', StringComparison.Ordinal);
    }

    /// <summary>A query name or value as the gateway reads it: '+' as a space, percent-decoded; left as it is when undecodable.</summary>
    internal static string Decode(string raw)
    {
        try
        {
            return Uri.UnescapeDataString(raw.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return raw;
        }
    }

    /// <summary>
    /// The URL cleaned for storing (<see cref="CaptureValue.Clean"/>); too long with its query, the URL without the query
    /// rather than a cut-off parameter.
    /// </summary>
    public static string? Fit(string url, string withoutQuery)
    {
        var (clean, _) = CaptureValue.Clean(url, CaptureValue.MaxUrlLength);
        return clean ?? CaptureValue.Clean(withoutQuery, CaptureValue.MaxUrlLength).Value;
    }

    /// <summary><see cref="Fit(string, string)"/> where the URL without its query is <paramref name="url"/>'s first <paramref name="withoutQueryLength"/> characters.</summary>
    public static string? Fit(string url, int withoutQueryLength)
    {
        ArgumentNullException.ThrowIfNull(url);
        var (clean, _) = CaptureValue.Clean(url, CaptureValue.MaxUrlLength);
        return clean ?? CaptureValue.Clean(url[..withoutQueryLength], CaptureValue.MaxUrlLength).Value;
    }
}
