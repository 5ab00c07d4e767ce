using System.Text;

namespace Able.Schema.Visitors;

/// <summary>One brand of a <c>Sec-CH-UA</c> or <c>Sec-CH-UA-Full-Version-List</c> header: <c>"Chromium";v="128.0.6613.84"</c>.</summary>
public sealed record BrandVersion(string Brand, string Version);

/// <summary>
/// Reads the values of the User-Agent client hint headers, which are structured fields (RFC 8941): a string
/// (<c>"Windows"</c>), a boolean (<c>?1</c>), or a list of strings with a <c>v</c> parameter (the brand lists). Outside
/// input: anything that is not that shape gives null, never an exception. A string holds printable ASCII only (the
/// format allows nothing else), so no control character or invalid text gets through.
/// </summary>
public static class ClientHintValue
{
    /// <summary>The longest single hint kept (platform, platform version, model, architecture, bitness).</summary>
    public const int MaxLength = 128;

    /// <summary>The longest brand list kept, as received and as stored.</summary>
    public const int MaxBrandListLength = 256;

    /// <summary>
    /// The text of a structured-field string (<c>"Windows"</c> → <c>Windows</c>; <c>""</c>, which desktops send as their
    /// model, → empty); null when it is not one.
    /// </summary>
    public static string? Text(string? header)
    {
        if (header is null || header.Length > MaxLength + 2)
        {
            return null;
        }

        var text = header.AsSpan().Trim(' ');
        var at = 0;
        if (ReadString(text, ref at) is not { } value || at != text.Length)
        {
            return null;
        }

        return value;
    }

    /// <summary>A structured-field boolean: <c>?1</c> → true, <c>?0</c> → false, anything else null.</summary>
    public static bool? Flag(string? header) => header?.Trim(' ') switch
    {
        "?1" => true,
        "?0" => false,
        _ => null,
    };

    /// <summary>
    /// A brand list as compact text, the way the visitor hash keeps it: each brand and its <c>v</c> as a structured-field
    /// string, other parameters left out, joined by <c>,</c> (<c>"Chromium";v="128","Not;A=Brand";v="24"</c>). Never
    /// longer than the header, so the header's cap holds for it. Null when the header is not such a list, is longer than
    /// <see cref="MaxBrandListLength"/> or names no brand.
    /// </summary>
    public static string? CompactBrandList(string? header) =>
        header is null || header.Length > MaxBrandListLength || Brands(header) is not { Count: > 0 } brands ? null : Format(brands);

    /// <summary>The brands of a list (a header or its <see cref="CompactBrandList"/>); null when it is not such a list.</summary>
    public static IReadOnlyList<BrandVersion>? Brands(string? list)
    {
        if (list is null || list.Length > 4 * MaxBrandListLength)
        {
            return null;
        }

        var text = list.AsSpan();
        var brands = new List<BrandVersion>();
        var at = SkipSpaces(text, 0);
        while (at < text.Length)
        {
            if (ReadString(text, ref at) is not { } brand || ReadVersion(text, ref at) is not { } version)
            {
                return null;
            }

            brands.Add(new BrandVersion(brand, version));
            at = SkipSpaces(text, at);
            if (at == text.Length)
            {
                break;
            }

            if (text[at] != ',')
            {
                return null;
            }

            at = SkipSpaces(text, at + 1);
            if (at == text.Length)
            {
                return null; // a list does not end with a comma
            }
        }

        return brands;
    }

    private static string Format(IReadOnlyList<BrandVersion> brands)
    {
        var text = new StringBuilder();
        foreach (var (brand, version) in brands)
        {
            text.Append(text.Length == 0 ? "" : ",");
            AppendString(text, brand).Append(";v=");
            AppendString(text, version);
        }

        return text.ToString();

        static StringBuilder AppendString(StringBuilder text, string value)
        {
            text.Append('"');
            foreach (var c in value)
            {
                text.Append(c is '"' or '\\' ? "\\" : "").Append(c);
            }

            return text.Append('"');
        }
    }

    /// <summary>
    /// The item's parameters: the value of <c>v</c> (a string; the last one wins, as the format says), others skipped.
    /// Null when a parameter is malformed or there is no <c>v</c>.
    /// </summary>
    private static string? ReadVersion(ReadOnlySpan<char> text, ref int at)
    {
        string? version = null;
        while (at < text.Length && text[at] == ';')
        {
            at = SkipSpaces(text, at + 1);
            var keyStart = at;
            while (at < text.Length && (char.IsAsciiLetterLower(text[at]) || char.IsAsciiDigit(text[at]) || text[at] is '_' or '-' or '.' or '*'))
            {
                at++;
            }

            if (at == keyStart || char.IsAsciiDigit(text[keyStart]) || text[keyStart] is '_' or '-' or '.')
            {
                return null;
            }

            var isVersion = text[keyStart..at] is "v";
            if (at == text.Length || text[at] != '=')
            {
                // A parameter without a value is boolean true: not a version.
                version = isVersion ? null : version;
                continue;
            }

            at++;
            if (at < text.Length && text[at] == '"')
            {
                if (ReadString(text, ref at) is not { } value)
                {
                    return null;
                }

                version = isVersion ? value : version;
                continue;
            }

            // A token, number or boolean: skipped (Chromium sends strings only); a version must be a string.
            var valueStart = at;
            while (at < text.Length && text[at] is > ' ' and < '\u007f' and not ';' and not ',' and not '"')
            {
                at++;
            }

            if (at == valueStart)
            {
                return null;
            }

            version = isVersion ? null : version;
        }

        return version;
    }

    /// <summary>A structured-field string at <paramref name="at"/> (moved past it), unescaped; null when there is none.</summary>
    private static string? ReadString(ReadOnlySpan<char> text, ref int at)
    {
        if (at >= text.Length || text[at] != '"')
        {
            return null;
        }

        var value = new StringBuilder();
        for (var i = at + 1; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                at = i + 1;
                return value.ToString();
            }

            if (c == '\\')
            {
                if (i + 1 == text.Length || text[i + 1] is not ('"' or '\\'))
                {
                    return null;
                }

                c = text[++i];
            }
            else if (c is < ' ' or > '~')
            {
                return null;
            }

            value.Append(c);
        }

        return null;
    }

    private static int SkipSpaces(ReadOnlySpan<char> text, int at)
    {
        while (at < text.Length && text[at] is ' ' or '\t')
        {
            at++;
        }

        return at;
    }
}
