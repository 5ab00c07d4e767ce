namespace Able.Schema.Visitors;

/// <summary>The browser's language as Able keeps it: the first tag of Accept-Language, all TikTok's <c>locale</c> takes.</summary>
public static class AcceptLanguage
{
    /// <summary>
    /// <c>en-US</c> of <c>en-US,en;q=0.9</c>; null for none, an empty first entry or <c>*</c>. Never throws: it only cuts
    /// and trims what the header already holds.
    /// </summary>
    public static string? Primary(string? header)
    {
        if (header is null)
        {
            return null;
        }

        var span = header.AsSpan();
        var end = span.IndexOfAny(',', ';');
        var first = (end < 0 ? span : span[..end]).Trim();
        return first.IsEmpty || first is "*" ? null : first.Length == header.Length ? header : first.ToString();
    }
}
