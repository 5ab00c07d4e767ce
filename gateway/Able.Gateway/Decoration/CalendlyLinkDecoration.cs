using Able.Gateway.Capture;
using Able.Schema.Visitors;
namespace Able.Gateway.Decoration;

/// <summary>
/// What a Calendly scheduling URL gets so that the booking names its visitor: the carrier parameter
/// (default <c>salesforce_uuid=&lt;visitor id&gt;</c>) and the visitor's UTMs, each only when the URL does not
/// already set it. The one place that decides this: tracked links (<c>/go/{link}</c>) and the HTML
/// rewriter both use it.
/// </summary>
public sealed record CalendlyLinkDecoration(string CarrierParam, string VisitorId, IReadOnlyDictionary<string, string> Utms)
{
    /// <summary>
    /// The parameters to append, given the names the URL's query already has. Names and values are
    /// returned unescaped; the caller escapes them for its context.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> ParametersToAdd(IReadOnlyCollection<string> existingNames)
    {
        ArgumentNullException.ThrowIfNull(existingNames);
        var added = new List<KeyValuePair<string, string>>(1 + TouchParameters.UtmNames.Count);
        if (!existingNames.Contains(CarrierParam, StringComparer.Ordinal))
        {
            added.Add(new(CarrierParam, VisitorId));
        }

        foreach (var name in TouchParameters.UtmNames)
        {
            if (name != CarrierParam && Utms.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value)
                && !existingNames.Contains(name, StringComparer.Ordinal))
            {
                added.Add(new(name, value));
            }
        }

        return added;
    }

    /// <summary>True when the URL already carries the carrier parameter (the site's value is kept).</summary>
    public bool IsAlreadyCarried(IReadOnlyCollection<string> existingNames) =>
        existingNames.Contains(CarrierParam, StringComparer.Ordinal);

    /// <summary>
    /// Decorates a plain URL (not HTML- or JSON-escaped): appends <see cref="ParametersToAdd"/> to the query,
    /// keeping the URL's own query and fragment as they are.
    /// </summary>
    public string Decorate(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var insertion = QueryInsertion.Of(url);
        var added = ParametersToAdd(QueryNames(insertion.RawQuery ?? ""));
        return added.Count == 0 ? url : url.Insert(insertion.At, insertion.Text(added, "&"));
    }

    /// <summary>
    /// <c>name=value</c> pairs joined with <paramref name="separator"/> (<c>&amp;</c>, or <c>&amp;amp;</c> / <c>\u0026</c>
    /// where the URL's own query is written that way). Names and values are percent-encoded to unreserved
    /// characters only, so the result is safe inside any attribute, script string or JSON string.
    /// </summary>
    public static string FormatParameters(IEnumerable<KeyValuePair<string, string>> parameters, string separator) =>
        string.Join(separator, parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));

    /// <summary>Decoded parameter names of a query string (without the '?').</summary>
    public static IReadOnlyCollection<string> QueryNames(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var rawName = eq < 0 ? pair : pair[..eq];
            names.Add(Uri.UnescapeDataString(rawName.Replace('+', ' ')));
        }

        return names;
    }

    /// <summary>
    /// True for a Calendly scheduling URL: http(s) on exactly <c>calendly.com</c> or <c>www.calendly.com</c>
    /// (not <c>assets.calendly.com</c>, not look-alikes such as <c>calendly.com.evil.example</c>).
    /// </summary>
    public static bool IsSchedulingUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && (uri.Host.Equals("calendly.com", StringComparison.OrdinalIgnoreCase) || uri.Host.Equals("www.calendly.com", StringComparison.OrdinalIgnoreCase))
        && uri.AbsolutePath.Length > 1;
}
