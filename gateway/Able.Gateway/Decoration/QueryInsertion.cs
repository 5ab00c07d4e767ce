namespace Able.Gateway.Decoration;

/// <summary>
/// Where parameters appended to a URL go and what joins them to its query: the one rule that both
/// <see cref="CalendlyLinkDecoration.Decorate"/> (plain URLs of tracked links) and <see cref="CalendlyUrlRewriter"/>
/// (URLs as written in HTML, JavaScript or JSON) follow. Parameters go at the end of the query, before the
/// fragment; they are led by <c>?</c> when the URL has no query, by nothing when the query is empty or already
/// ends with a separator, and by the separator otherwise.
/// </summary>
internal readonly record struct QueryInsertion
{
    private QueryInsertion(int at, string? rawQuery)
    {
        At = at;
        RawQuery = rawQuery;
    }

    /// <summary>Where the parameters go: the end of the URL before its fragment.</summary>
    public int At { get; }

    /// <summary>The query as written (without the <c>?</c>), or null when the URL has none.</summary>
    public string? RawQuery { get; }

    /// <summary>Splits <paramref name="url"/> as written: the first <c>#</c> starts the fragment, the first <c>?</c> before it the query.</summary>
    public static QueryInsertion Of(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return Of(url, url.IndexOf('#', StringComparison.Ordinal));
    }

    /// <summary>Splits <paramref name="url"/> whose fragment starts at <paramref name="fragmentAt"/> (-1: none), the first <c>?</c> before it starting the query.</summary>
    public static QueryInsertion Of(string url, int fragmentAt)
    {
        ArgumentNullException.ThrowIfNull(url);
        var at = fragmentAt < 0 ? url.Length : fragmentAt;
        var queryAt = url.IndexOf('?', 0, at);
        return new QueryInsertion(at, queryAt < 0 ? null : url[(queryAt + 1)..at]);
    }

    /// <summary>
    /// The text to insert at <see cref="At"/>: the lead and <paramref name="parameters"/> joined with
    /// <paramref name="separator"/> (see <see cref="CalendlyLinkDecoration.FormatParameters"/>).
    /// <paramref name="decodedQuery"/> is <see cref="RawQuery"/> as a browser reads it (so an escaped trailing
    /// separator such as <c>&amp;amp;</c> counts); null when the raw query is already plain.
    /// </summary>
    public string Text(IEnumerable<KeyValuePair<string, string>> parameters, string separator, string? decodedQuery = null)
    {
        ArgumentNullException.ThrowIfNull(separator);
        var query = decodedQuery ?? RawQuery ?? "";
        var lead = RawQuery is null ? "?" : query.Length == 0 || query.EndsWith('&') ? "" : separator;
        return lead + CalendlyLinkDecoration.FormatParameters(parameters, separator);
    }
}
