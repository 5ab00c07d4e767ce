using System.Text.RegularExpressions;

namespace Able.Gateway.Capture;

/// <summary>The Google Analytics client id inside the <c>_ga</c> cookie.</summary>
public static partial class GaClientId
{
    /// <summary>
    /// <c>GA1.1.1234567890.1700000000</c> → <c>1234567890.1700000000</c>. The second number is the cookie's
    /// domain depth (1, 2, 3..., optionally with a path depth such as <c>2-1</c>); any depth is accepted.
    /// Anything else is junk and gives null.
    /// </summary>
    public static string? FromCookie(string? cookie)
    {
        if (cookie is null || cookie.Length > 64)
        {
            return null;
        }

        var match = GaCookiePattern().Match(cookie.Trim());
        return match.Success ? $"{match.Groups["id"].Value}.{match.Groups["ts"].Value}" : null;
    }

    [GeneratedRegex(@"^GA1\.[0-9]{1,2}(-[0-9]{1,2})?\.(?<id>[0-9]{1,20})\.(?<ts>[0-9]{1,20})$", RegexOptions.CultureInvariant)]
    private static partial Regex GaCookiePattern();
}
