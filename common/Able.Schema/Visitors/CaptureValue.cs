using System.Buffers;

namespace Able.Schema.Visitors;

/// <summary>Why a captured value was not kept.</summary>
public enum CaptureValueProblem
{
    None,
    TooLong,
    ControlCharacter,
    InvalidText,
}

/// <summary>
/// Cleans one value from a query parameter, cookie or header before it is stored: trimmed, length-capped,
/// no control characters, no undecodable text. A bad value is rejected whole (never truncated or stored raw).
/// </summary>
public static class CaptureValue
{
    /// <summary>Click ids, UTMs, cookie values, and any query value kept inside a stored URL.</summary>
    public const int MaxIdLength = 512;

    /// <summary>Landing URL and referrer.</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>User-Agent.</summary>
    public const int MaxUserAgentLength = 1024;

    /// <summary>Accept-Language.</summary>
    public const int MaxLanguageLength = 256;

    /// <summary>The cleaned value (null when absent or empty after trimming), or the problem that rejected it.</summary>
    public static (string? Value, CaptureValueProblem Problem) Clean(string? raw, int maxLength)
    {
        var value = raw?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return (null, CaptureValueProblem.None);
        }

        var problem = ProblemOf(value, maxLength);
        return problem == CaptureValueProblem.None ? (value, problem) : (null, problem);
    }

    /// <summary>What rejects a trimmed, non-empty value, or <see cref="CaptureValueProblem.None"/>.</summary>
    private static CaptureValueProblem ProblemOf(ReadOnlySpan<char> value, int maxLength)
    {
        if (value.Length > maxLength)
        {
            return CaptureValueProblem.TooLong;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c))
            {
                return CaptureValueProblem.ControlCharacter;
            }

            // U+FFFD is what a decoder leaves for invalid UTF-8; a lone surrogate is not text either.
            if (c == '\uFFFD' || (char.IsHighSurrogate(c) && (i + 1 == value.Length || !char.IsLowSurrogate(value[i + 1])))
                || (char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(value[i - 1]))))
            {
                return CaptureValueProblem.InvalidText;
            }
        }

        return CaptureValueProblem.None;
    }

    /// <summary>
    /// A decoded query value: <see cref="Clean"/>, and no percent escape left over (the query decoder leaves
    /// escapes of invalid UTF-8, such as <c>%FF</c>, as they were).
    /// </summary>
    public static (string? Value, CaptureValueProblem Problem) CleanQueryValue(string? decoded, int maxLength)
    {
        var (value, problem) = Clean(decoded, maxLength);
        if (value is not null && HasEscape(value))
        {
            return (null, CaptureValueProblem.InvalidText);
        }

        return (value, problem);
    }

    /// <summary>The <c>_ttp</c> cookie (the TikTok pixel's browser id, about 30 characters).</summary>
    public const int MaxCookieIdLength = 128;

    /// <summary>
    /// An opaque id (ttclid, gclid, fbclid, <c>_ttp</c>...): made only of the characters ad platforms use
    /// (letters, digits, <c>. _ - ~ + / =</c>).
    /// </summary>
    public static (string? Value, CaptureValueProblem Problem) CleanToken(string? decoded, int maxLength)
    {
        var (value, problem) = CleanQueryValue(decoded, maxLength);
        if (value is not null && value.AsSpan().ContainsAnyExcept(TokenCharacters))
        {
            return (null, CaptureValueProblem.InvalidText);
        }

        return (value, problem);
    }

    /// <summary>The characters of an opaque id.</summary>
    private static readonly SearchValues<char> TokenCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-~+/=");

    /// <summary>
    /// Whether <see cref="CleanQueryValue"/> accepts <paramref name="decoded"/> (it may still clean it to nothing), without
    /// making a string of it.
    /// </summary>
    public static bool IsStorableQueryText(ReadOnlySpan<char> decoded, int maxLength)
    {
        var value = decoded.Trim();
        return value.IsEmpty || (ProblemOf(value, maxLength) == CaptureValueProblem.None && !HasEscape(value));
    }

    private static bool HasEscape(ReadOnlySpan<char> value)
    {
        for (var i = value.IndexOf('%'); i >= 0 && i + 2 < value.Length; i = NextPercent(value, i + 1))
        {
            if (char.IsAsciiHexDigit(value[i + 1]) && char.IsAsciiHexDigit(value[i + 2]))
            {
                return true;
            }
        }

        return false;

        static int NextPercent(ReadOnlySpan<char> value, int from) => value[from..].IndexOf('%') is var at and >= 0 ? from + at : -1;
    }
}
