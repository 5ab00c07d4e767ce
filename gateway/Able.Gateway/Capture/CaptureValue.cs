namespace Able.Gateway.Capture;

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
    /// <summary>Click ids, UTMs, cookie values.</summary>
    public const int MaxIdLength = 256;

    /// <summary>Landing URL and referrer.</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>User-Agent.</summary>
    public const int MaxUserAgentLength = 512;

    /// <summary>Accept-Language.</summary>
    public const int MaxLanguageLength = 128;

    /// <summary>The cleaned value (null when absent or empty after trimming), or the problem that rejected it.</summary>
    public static (string? Value, CaptureValueProblem Problem) Clean(string? raw, int maxLength)
    {
        var value = raw?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return (null, CaptureValueProblem.None);
        }

        if (value.Length > maxLength)
        {
            return (null, CaptureValueProblem.TooLong);
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c))
            {
                return (null, CaptureValueProblem.ControlCharacter);
            }

            // U+FFFD is what a decoder leaves for invalid UTF-8; a lone surrogate is not text either.
            if (c == '\uFFFD' || (char.IsHighSurrogate(c) && (i + 1 == value.Length || !char.IsLowSurrogate(value[i + 1])))
                || (char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(value[i - 1]))))
            {
                return (null, CaptureValueProblem.InvalidText);
            }
        }

        return (value, CaptureValueProblem.None);
    }
}
