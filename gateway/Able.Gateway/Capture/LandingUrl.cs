using System.Buffers;
using Able.Schema.Visitors;

namespace Able.Gateway.Capture;

/// <summary>
/// The landing URL stored with a touch: the request's URL with personal query parameters removed
/// (<see cref="StoredUrl"/>; a referrer goes through <see cref="StoredUrl.Scrub"/>).
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

        var host = request.Host.ToUriComponent();
        var pathBase = request.PathBase.ToUriComponent();
        var path = request.Path.ToUriComponent();
        var query = StoredUrl.ScrubQuery(request.QueryString.HasValue ? request.QueryString.Value![1..] : "");
        if (query.Length == 0)
        {
            var baseUrl = string.Concat([scheme, "://", host, pathBase, path]);
            return StoredUrl.Fit(baseUrl, baseUrl);
        }

        var url = string.Concat([scheme, "://", host, pathBase, path, "?", query]);
        return StoredUrl.Fit(url, withoutQueryLength: url.Length - query.Length - 1);
    }

    /// <summary>
    /// Whether the host can be written into a URL as received: a host name, IPv4 or [IPv6] literal with an optional
    /// port. For any other character <see cref="HostString.ToUriComponent"/> runs IDN mapping, which throws on much
    /// of what a client can send (empty or over-long labels, disallowed code points); such a host gives no landing URL.
    /// </summary>
    private static bool IsStorableHost(HostString host) => host.Value is not { } value || !value.AsSpan().ContainsAnyExcept(HostCharacters);

    private static readonly SearchValues<char> HostCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-:[]");

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
}
