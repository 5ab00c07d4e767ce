using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Able.Schema.Configuration;
using Able.Schema.Visitors;
using Microsoft.Extensions.Primitives;

namespace Able.Gateway.Capture;

/// <summary>
/// The two first-party cookies the gateway sets itself: the visitor id (<c>able_vid</c> by default) and the
/// UTMs of the landing visit (<c><see cref="UtmCookieName"/></c>), so later pages without UTMs still decorate
/// Calendly links with them while the request path never reads Redis. Both are
/// <c>HttpOnly; Secure; SameSite=Lax; Path=/</c> with the funnel's domain and max-age.
/// </summary>
public static class VisitorCookies
{
    public const string UtmCookieName = "able_utm";

    /// <summary>Longest <see cref="UtmCookieName"/> value read or written.</summary>
    public const int MaxUtmCookieLength = 1536;

    /// <summary>The visitor id from a well-formed cookie, or null (absent or malformed: a new id is issued).</summary>
    public static string? ReadVisitorId(HttpRequest request, VisitorCookieOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var value = request.Cookies[options.Name];
        return value is not null && VisitorId.IsWellFormed(value) ? value : null;
    }

    /// <summary>The <c>Set-Cookie</c> header value for a visitor id.</summary>
    public static string VisitorCookieHeader(string visitorId, VisitorCookieOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Header(options.Name, visitorId, options);
    }

    /// <summary>UTMs remembered from the landing visit; values that fail validation are left out.</summary>
    public static Dictionary<string, string> ReadUtms(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return DecodeUtms(request.Cookies[UtmCookieName]);
    }

    /// <summary>The <c>Set-Cookie</c> header value remembering these UTMs, or null if they do not fit.</summary>
    public static string? UtmCookieHeader(IReadOnlyDictionary<string, string> utms, VisitorCookieOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = EncodeUtms(utms);
        return value.Length is 0 or > MaxUtmCookieLength ? null : Header(UtmCookieName, value, options);
    }

    /// <summary>base64url of <c>utm_source=...&amp;utm_campaign=...</c> (values percent-encoded): cookie-safe and unambiguous.</summary>
    public static string EncodeUtms(IReadOnlyDictionary<string, string> utms)
    {
        ArgumentNullException.ThrowIfNull(utms);
        var text = new StringBuilder(256);
        foreach (var name in TouchParameters.UtmNames)
        {
            if (utms.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value))
            {
                text.Append(text.Length == 0 ? "" : "&").Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        if (text.Length == 0)
        {
            return "";
        }

        var utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(text.ToString(), utf8);
            return Base64Url.EncodeToString(utf8.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    public static Dictionary<string, string> DecodeUtms(string? cookie)
    {
        var utms = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(cookie) || cookie.Length > MaxUtmCookieLength)
        {
            return utms;
        }

        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true)
                .GetString(Base64Url.DecodeFromChars(cookie));
        }
        catch (Exception error) when (error is FormatException or ArgumentException)
        {
            return utms;
        }

        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var name = pair[..eq];
            if (!TouchParameters.UtmNames.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }

            var (value, _) = CaptureValue.Clean(Uri.UnescapeDataString(pair[(eq + 1)..]), CaptureValue.MaxIdLength);
            if (value is not null)
            {
                utms[name] = value;
            }
        }

        return utms;
    }

    private static string Header(string name, string value, VisitorCookieOptions options) =>
        string.Concat(name, "=", value, Attributes(options));

    /// <summary>The attributes after the value, made once per options instance (a configuration reload makes a new one).</summary>
    private static string Attributes(VisitorCookieOptions options)
    {
        if (lastAttributes is { } last && ReferenceEquals(last.Options, options))
        {
            return last.Text;
        }

        var maxAge = ((long)options.MaxAgeDays * 86_400).ToString(CultureInfo.InvariantCulture);
        var domain = string.IsNullOrWhiteSpace(options.Domain) ? "" : $"; Domain={options.Domain}";
        var text = $"; Max-Age={maxAge}{domain}; Path=/; Secure; HttpOnly; SameSite=Lax";
        lastAttributes = new CookieAttributes(options, text);
        return text;
    }

    private static volatile CookieAttributes? lastAttributes;

    private sealed record CookieAttributes(VisitorCookieOptions Options, string Text);

    /// <summary>
    /// The origin's Cache-Control with <c>private</c> made unconditional and <c>public</c> dropped, so a shared
    /// cache never hands one visitor's id to another; other directives (no-store, max-age...) are kept.
    /// </summary>
    internal static string PrivateCacheControl(StringValues originCacheControl)
    {
        if (StringValues.IsNullOrEmpty(originCacheControl))
        {
            return "private";
        }

        var kept = originCacheControl
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Where(d => !d.Equals("public", StringComparison.OrdinalIgnoreCase)
                && !d.StartsWith("private", StringComparison.OrdinalIgnoreCase))
            .ToList();
        kept.Insert(0, "private");
        return string.Join(", ", kept);
    }
}
