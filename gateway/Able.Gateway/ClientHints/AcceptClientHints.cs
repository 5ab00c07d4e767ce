using System.Text;
using Microsoft.Extensions.Primitives;

namespace Able.Gateway.ClientHints;

/// <summary>
/// The <c>Accept-CH</c> header the gateway adds to the HTML of captured navigations over HTTPS (issue 16): the high-entropy
/// User-Agent client hints TikTok's <c>device</c> object takes, merged with the origin's own <c>Accept-CH</c> (whose tokens
/// all stay; ours are added once, compared ignoring case).
/// </summary>
/// <remarks>
/// <para>
/// No <c>Critical-CH</c>: it makes Chromium, when a listed hint is missing from the request, drop the response and send
/// the navigation again with the hint: a full extra round trip to the origin on every visitor's first page, the ad
/// click's landing page above all. The hints are only recorded for the conversion, never used to build the page, so they
/// are worth no delay: Chromium remembers <c>Accept-CH</c> per origin and sends them from the visitor's second page on,
/// and that page's capture stores them on the visitor, well before a booking is sent to TikTok.
/// </para>
/// <para>
/// No <c>Vary</c> for them either: the page does not change with the hints (<c>Vary</c> is for responses that do), and
/// a page of a captured navigation is already <c>Cache-Control: private</c>. Browsers send hints to secure origins only,
/// so plain HTTP gets nothing added.
/// </para>
/// </remarks>
public static class AcceptClientHints
{
    public const string HeaderName = "Accept-CH";

    /// <summary>The hints asked for, beyond the three Chromium always sends (<c>Sec-CH-UA</c>, <c>-Mobile</c>, <c>-Platform</c>).</summary>
    public static IReadOnlyList<string> Requested { get; } =
        ["Sec-CH-UA-Platform-Version", "Sec-CH-UA-Model", "Sec-CH-UA-Full-Version-List", "Sec-CH-UA-Arch", "Sec-CH-UA-Bitness"];

    /// <summary>The header when the origin sends none: made once.</summary>
    public static string RequestedHeader { get; } = string.Join(", ", Requested);

    /// <summary>
    /// The <c>Accept-CH</c> to send given the origin's (<paramref name="origin"/>, any number of lines): ours alone when it
    /// has none; the origin's unchanged when it already asks for all of ours; else its tokens in its order, then ours
    /// that it lacks, on one line.
    /// </summary>
    public static StringValues Merge(StringValues origin)
    {
        if (IsBlank(origin))
        {
            return RequestedHeader;
        }

        var missing = 0;
        for (var i = 0; i < Requested.Count; i++)
        {
            missing |= Lists(origin, Requested[i]) ? 0 : 1 << i;
        }

        if (missing == 0)
        {
            return origin;
        }

        var merged = new StringBuilder();
        foreach (var line in origin)
        {
            if (line.AsSpan().Trim().Trim(',').Trim() is { IsEmpty: false } value)
            {
                merged.Append(merged.Length == 0 ? "" : ", ").Append(value);
            }
        }

        for (var i = 0; i < Requested.Count; i++)
        {
            if ((missing & (1 << i)) != 0)
            {
                merged.Append(merged.Length == 0 ? "" : ", ").Append(Requested[i]);
            }
        }

        return merged.ToString();
    }

    private static bool IsBlank(StringValues values)
    {
        foreach (var value in values)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether one of the comma-separated tokens of <paramref name="values"/> is <paramref name="token"/>, ignoring case.</summary>
    private static bool Lists(StringValues values, string token)
    {
        foreach (var value in values)
        {
            var rest = value.AsSpan();
            while (!rest.IsEmpty)
            {
                var comma = rest.IndexOf(',');
                var item = (comma < 0 ? rest : rest[..comma]).Trim();
                if (item.Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }

                rest = comma < 0 ? [] : rest[(comma + 1)..];
            }
        }

        return false;
    }
}
