namespace Able.Attribution.Service.ConsolePages;

/// <summary>Where the login form may send the browser back to: a console path on this host, nothing else (no open redirect).</summary>
public static class ConsoleReturnUrl
{
    public const string Default = "/console";

    /// <summary>The return URL when it is a local console URL; <see cref="Default"/> otherwise.</summary>
    public static string SafeOrDefault(string? returnUrl) => IsLocalConsoleUrl(returnUrl) ? returnUrl! : Default;

    public static bool IsLocalConsoleUrl(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl) || returnUrl.Length > 2048 || !returnUrl.StartsWith(Default, StringComparison.Ordinal))
        {
            return false;
        }

        // "/console" exactly, or followed by a path, query or fragment ("/consolex" and "/console.evil" are not the console).
        if (returnUrl.Length > Default.Length && returnUrl[Default.Length] is not ('/' or '?' or '#'))
        {
            return false;
        }

        // Backslashes and control characters are read as "//" or dropped by some browsers; the login page itself loops.
        return !returnUrl.Any(c => c == '\\' || char.IsControl(c))
            && !returnUrl.Contains("//", StringComparison.Ordinal)
            // Dot segments would leave the console once the browser resolves them ("/console/../metrics").
            && !returnUrl.Contains("/.", StringComparison.Ordinal)
            && !returnUrl.Contains("%2e", StringComparison.OrdinalIgnoreCase)
            && !returnUrl.StartsWith("/console/login", StringComparison.Ordinal)
            && Uri.IsWellFormedUriString(returnUrl, UriKind.Relative);
    }
}
