using Able.Schema.Configuration;

namespace Able.Gateway.Capture;

/// <summary>The GA4 session id inside a stream's session cookie <c>_ga_&lt;measurement id without G-&gt;</c>.</summary>
public static class GaSessionId
{
    /// <summary>
    /// The session cookie's name for the funnel's GA4 stream (<c>G-ABC123</c> → <c>_ga_ABC123</c>); null when the funnel has
    /// no GA4 measurement id (then no session id is captured).
    /// </summary>
    public static string? CookieName(FunnelOptions funnel)
    {
        ArgumentNullException.ThrowIfNull(funnel);
        return funnel.Ga4?.MeasurementId is { Length: > 2 } id && id.StartsWith("G-", StringComparison.Ordinal) ? "_ga_" + id[2..] : null;
    }

    /// <summary>
    /// The session id (the session's start, Unix seconds, as digits) of <c>GS1.1.1700000000.5.1.1700000500.0.0.0</c> (the
    /// third dot part) or <c>GS2.1.s1700000000$o1$g0$t1700000500$j60$l0$h0</c> (the digits after <c>s</c> in the third
    /// dot part's first <c>$</c> item); the second part is the cookie's domain depth, any number. Anything else: null.
    /// </summary>
    public static string? FromCookie(string? cookie)
    {
        if (cookie is null || cookie.Length > 256)
        {
            return null;
        }

        var text = cookie.AsSpan().Trim();
        var version = NextPart(ref text, '.');
        if (!IsDigits(NextPart(ref text, '.'), 4))
        {
            return null;
        }

        var id = NextPart(ref text, '.');
        if (version is "GS2" && id.StartsWith('s'))
        {
            id = id[1..];
            id = NextPart(ref id, '$');
        }
        else if (version is not "GS1")
        {
            return null;
        }

        return IsDigits(id, 20) ? id.ToString() : null;
    }

    /// <summary>The text before the next <paramref name="separator"/> (all of it when there is none); <paramref name="text"/> keeps the rest.</summary>
    private static ReadOnlySpan<char> NextPart(ref ReadOnlySpan<char> text, char separator)
    {
        var end = text.IndexOf(separator);
        var part = end < 0 ? text : text[..end];
        text = end < 0 ? [] : text[(end + 1)..];
        return part;
    }

    private static bool IsDigits(ReadOnlySpan<char> text, int maxLength) =>
        text.Length is > 0 && text.Length <= maxLength && !text.ContainsAnyExceptInRange('0', '9');
}
