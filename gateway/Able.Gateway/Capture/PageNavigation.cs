using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Able.Gateway.Capture;

/// <summary>
/// Decides whether a request is a person's page navigation, the only kind of request that is captured:
/// GET (a browser never navigates with HEAD; monitors, link checkers and floods do), <c>Accept</c> naming
/// <c>text/html</c>, not a prefetch, not a crawler or link-preview agent, not a static asset. Everything else
/// is proxied untouched.
/// </summary>
public static partial class PageNavigation
{
    private static readonly HashSet<string> StaticExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".js", ".mjs", ".css", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp", ".avif", ".bmp",
        ".woff", ".woff2", ".ttf", ".otf", ".eot", ".mp4", ".webm", ".mp3", ".ogg", ".wav", ".pdf", ".zip", ".gz",
        ".json", ".xml", ".txt", ".wasm", ".webmanifest",
    };

    public static bool IsNavigation(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return HttpMethods.IsGet(request.Method)
            && AcceptsHtml(request.Headers.Accept)
            && !IsPrefetch(request.Headers)
            && !IsNonNavigationFetch(request.Headers["Sec-Fetch-Mode"])
            && !IsCrawler(request.Headers.UserAgent)
            && !IsStaticAsset(request.Path);
    }

    /// <summary>True when an <c>Accept</c> header lists <c>text/html</c> (browsers do on navigations).</summary>
    public static bool AcceptsHtml(string? accept) =>
        accept is not null && accept.Contains("text/html", StringComparison.OrdinalIgnoreCase);

    /// <summary>Speculative loads: <c>Sec-Purpose: prefetch</c>, <c>Purpose: prefetch</c>, <c>X-Moz: prefetch</c>, <c>X-Purpose: preview</c>.</summary>
    public static bool IsPrefetch(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return Mentions(headers["Sec-Purpose"], "prefetch") || Mentions(headers["Purpose"], "prefetch")
            || Mentions(headers["X-Moz"], "prefetch") || Mentions(headers["X-Purpose"], "preview");

        static bool Mentions(string? value, string word) => value is not null && value.Contains(word, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A <c>Sec-Fetch-Mode</c> other than <c>navigate</c> is a script's fetch, not a page view.</summary>
    public static bool IsNonNavigationFetch(string? secFetchMode) =>
        !string.IsNullOrEmpty(secFetchMode) && !secFetchMode.Equals("navigate", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Known crawlers, link-preview fetchers (chat apps, social cards) and scraping libraries. A missing
    /// User-Agent counts as a crawler: browsers always send one. In-app browsers (TikTok, Instagram) are people,
    /// and so is curl (it asks for <c>*/*</c>, not HTML, unless someone tries a page by hand).
    /// </summary>
    public static bool IsCrawler(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return true;
        }

        // The same test as CrawlerPattern without running the regex on the usual (ASCII) User-Agent: a vectorised search
        // for the words, then the "bot" rules by hand. Elsewhere the regex decides (its case rules go beyond ASCII).
        if (!Ascii.IsValid(userAgent))
        {
            return CrawlerPattern().IsMatch(userAgent);
        }

        return userAgent.AsSpan().ContainsAny(CrawlerWords) || HasBotWord(userAgent);
    }

    /// <summary>The crawler pattern's words other than its "bot" rules, matched ignoring ASCII case.</summary>
    private static readonly SearchValues<string> CrawlerWords = SearchValues.Create(
        [
            "crawl", "spider", "slurp", "facebookexternalhit", "facebookcatalog", "meta-externalagent", "embedly", "preview",
            "whatsapp/", "skypeuri", "vkshare", "qwantify", "headlesschrome", "lighthouse", "pingdom", "uptimerobot", "ahrefs",
            "semrush", "mj12", "petalbot", "bytespider", "python-", "go-http-client", "okhttp", "java/", "libwww", "httpclient",
            "node-fetch", "axios", "scrapy", "phantomjs",
        ],
        StringComparison.OrdinalIgnoreCase);

    /// <summary><c>(?&lt;!cu)bot\b|bot[/_-]</c> on an ASCII User-Agent.</summary>
    private static bool HasBotWord(string userAgent)
    {
        var text = userAgent.AsSpan();
        for (var at = text.IndexOf("bot", StringComparison.OrdinalIgnoreCase); at >= 0; at = NextBot(text, at + 1))
        {
            var after = at + 3 < text.Length ? text[at + 3] : '\0';
            if (after is '/' or '_' or '-')
            {
                return true;
            }

            var endsWord = at + 3 == text.Length || !(char.IsAsciiLetterOrDigit(after) || after == '_');
            var afterCu = at >= 2 && text.Slice(at - 2, 2).Equals("cu", StringComparison.OrdinalIgnoreCase);
            if (endsWord && !afterCu)
            {
                return true;
            }
        }

        return false;

        static int NextBot(ReadOnlySpan<char> text, int from) =>
            text[from..].IndexOf("bot", StringComparison.OrdinalIgnoreCase) is var found and >= 0 ? from + found : -1;
    }

    /// <summary>Paths whose extension names a file that is not a page (scripts, styles, images, fonts, feeds).</summary>
    public static bool IsStaticAsset(PathString path)
    {
        var value = path.Value;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var lastSegment = value[(value.LastIndexOf('/') + 1)..];
        var dot = lastSegment.LastIndexOf('.');
        return dot >= 0 && StaticExtensions.Contains(lastSegment[dot..]);
    }

    // "bot" as a word or name suffix (Googlebot, bingbot, AdsBot-Google, Twitterbot, LinkedInBot, Pinterestbot,
    // Slackbot, Discordbot, TelegramBot), but not the Cubot phone brand. App names alone (LinkedIn, Pinterest,
    // Telegram) are not listed: their in-app browsers carry real visitors.
    [GeneratedRegex(
        @"(?<!cu)bot\b|bot[/_-]|crawl|spider|slurp|facebookexternalhit|facebookcatalog|meta-externalagent|embedly|preview|" +
        @"whatsapp/|skypeuri|vkshare|qwantify|headlesschrome|lighthouse|pingdom|uptimerobot|ahrefs|semrush|mj12|petalbot|" +
        @"bytespider|python-|go-http-client|okhttp|java/|libwww|httpclient|node-fetch|axios|scrapy|phantomjs",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex CrawlerPattern();
}
