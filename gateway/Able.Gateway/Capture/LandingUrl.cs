using System.Text;

namespace Able.Gateway.Capture;

/// <summary>
/// The URLs stored with a touch (landing URL, referrer), with personal query parameters removed: Calendly's
/// booking-confirmation redirect puts the invitee's email, name, phone and answers in the query, and none
/// of that may be stored raw. Removed: <c>invitee_*</c>, <c>answer_*</c>, <c>guest*</c>,
/// <c>text_reminder_number</c>, <c>email</c>, <c>phone</c>, <c>name</c>, and any parameter whose value holds an '@'.
/// A parameter whose value the gateway would not store on its own (over-long, control characters, undecodable)
/// is not stored inside the URL either.
/// </summary>
public static class LandingUrl
{
    /// <summary>The request's full URL (percent-encoded as received), scrubbed; null if it cannot be stored.</summary>
    public static string? Of(HttpRequest request, string scheme)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsStorableHost(request.Host) || !IsWellFormedText(request.PathBase.Value) || !IsWellFormedText(request.Path.Value))
        {
            return null;
        }

        var baseUrl = $"{scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}{request.Path.ToUriComponent()}";
        var query = ScrubQuery(request.QueryString.HasValue ? request.QueryString.Value![1..] : "");
        var url = query.Length == 0 ? baseUrl : $"{baseUrl}?{query}";
        return Fit(url, baseUrl);
    }

    /// <summary>
    /// Whether the host can be written into a URL as received: a host name, IPv4 or [IPv6] literal with an optional
    /// port. For any other character <see cref="HostString.ToUriComponent"/> runs IDN mapping, which throws on much
    /// of what a client can send (empty or over-long labels, disallowed code points); such a host gives no landing URL.
    /// </summary>
    private static bool IsStorableHost(HostString host) =>
        host.Value is not { } value || value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '[' or ']');

    /// <summary>
    /// No lone surrogate, which <see cref="PathString.ToUriComponent"/> cannot escape (it throws). Kestrel leaves invalid
    /// UTF-8 in a path percent-encoded, so only a path set in code could hold one; it gives no landing URL either.
    /// </summary>
    private static bool IsWellFormedText(string? value)
    {
        for (var i = 0; value is not null && i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }

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

        var kept = new List<string>();
        foreach (var pair in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Decode(pair[(eq + 1)..]);
            if (!IsPersonal(name, value) && CaptureValue.CleanQueryValue(value, CaptureValue.MaxIdLength).Problem == CaptureValueProblem.None
                && CaptureValue.CleanQueryValue(name, CaptureValue.MaxIdLength).Problem == CaptureValueProblem.None)
            {
                kept.Add(pair);
            }
        }

        return string.Join('&', kept);
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

    private static string Decode(string raw)
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

    // Too long with its query: keep the URL without the query rather than a cut-off parameter.
    private static string? Fit(string url, string withoutQuery)
    {
        var (clean, _) = CaptureValue.Clean(url, CaptureValue.MaxUrlLength);
        return clean ?? CaptureValue.Clean(withoutQuery, CaptureValue.MaxUrlLength).Value;
    }
}
