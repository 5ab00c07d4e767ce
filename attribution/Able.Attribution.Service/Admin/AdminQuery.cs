using System.Globalization;
using Able.Schema.Configuration;

namespace Able.Attribution.Service.Admin;

/// <summary>
/// Reads one admin request's query string. Each reader returns the value (or the default when the parameter is absent)
/// and never throws: the first bad value is kept in <see cref="Problem"/> (400 naming the parameter; 404 for a funnel
/// that is not configured), and the handler answers that instead. A parameter the route does not take, or one given
/// twice, is a problem too, so a typo (<c>?day=30</c>) is not silently ignored.
/// </summary>
internal sealed class AdminQuery
{
    /// <summary>Longest value of a free-text parameter (an event name).</summary>
    public const int MaxTextLength = 200;

    /// <summary>Longest cursor: a receipts cursor holds every funnel's position, and a request line holds at most 8 KB.</summary>
    public const int MaxCursorLength = 8192;

    private readonly IQueryCollection query;

    private AdminQuery(IQueryCollection query) => this.query = query;

    /// <summary>The first problem found, or null.</summary>
    public IResult? Problem { get; private set; }

    /// <summary>A reader of <paramref name="request"/>'s query, which may hold only <paramref name="parameters"/>, each once.</summary>
    public static AdminQuery Of(HttpRequest request, params string[] parameters)
    {
        ArgumentNullException.ThrowIfNull(request);
        var reader = new AdminQuery(request.Query);
        foreach (var (name, values) in request.Query)
        {
            if (!parameters.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                var expected = parameters.Length == 0 ? "this route takes no query parameters" : "this route takes " + string.Join(", ", parameters);
                reader.Fail(AdminProblems.BadParameter(name, $"{name} is not a parameter of this route ({expected})"));
            }
            else if (values.Count > 1)
            {
                reader.Fail(AdminProblems.BadParameter(name, $"{name} is given {values.Count} times; give it once"));
            }
        }

        return reader;
    }

    /// <summary>The configured funnel <c>funnel</c> names (any case), or null when absent; 404 when none has that mark.</summary>
    public FunnelOptions? Funnel(AbleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string name = "funnel";
        if (Raw(name) is not { } mark)
        {
            return null;
        }

        var funnel = options.FindFunnel(mark);
        if (funnel is null)
        {
            Fail(AdminProblems.UnknownFunnel(name, Shorten(mark)));
        }

        return funnel;
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int Integer(string name, int min, int max, int fallback)
    {
        if (Raw(name) is not { } text)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Fail(AdminProblems.BadParameter(name, $"{name} must be a whole number from {min} to {max}"));
        return fallback;
    }

    /// <summary>One of <paramref name="allowed"/> (integers such as <c>days=1|7|30</c>).</summary>
    public int OneOf(string name, IReadOnlyList<int> allowed, int fallback)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        if (Raw(name) is not { } text)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && allowed.Contains(value))
        {
            return value;
        }

        Fail(AdminProblems.BadParameter(name, $"{name} must be one of {string.Join(", ", allowed)}"));
        return fallback;
    }

    /// <summary>One of <paramref name="allowed"/> (any case), returned as written in <paramref name="allowed"/>.</summary>
    public string Choice(string name, IReadOnlyList<string> allowed, string fallback)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        if (Raw(name) is not { } text)
        {
            return fallback;
        }

        foreach (var option in allowed)
        {
            if (string.Equals(option, text, StringComparison.OrdinalIgnoreCase))
            {
                return option;
            }
        }

        Fail(AdminProblems.BadParameter(name, $"{name} must be one of {string.Join(", ", allowed)}"));
        return fallback;
    }

    /// <summary><c>true</c> or <c>false</c>; null when absent.</summary>
    public bool? Boolean(string name)
    {
        if (Raw(name) is not { } text)
        {
            return null;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        Fail(AdminProblems.BadParameter(name, $"{name} must be true or false"));
        return null;
    }

    /// <summary>An ISO 8601 time (UTC unless it names an offset) or Unix milliseconds; null when absent.</summary>
    public DateTimeOffset? Time(string name)
    {
        if (Raw(name) is not { } text)
        {
            return null;
        }

        if (TryParseTime(text, out var time))
        {
            return time;
        }

        Fail(AdminProblems.BadParameter(name, $"{name} must be an ISO 8601 time (2026-03-04T15:00:00Z) or Unix milliseconds"));
        return null;
    }

    /// <summary>Free text of at most <paramref name="maxLength"/> printable ASCII characters without spaces; null when absent.</summary>
    public string? Text(string name, int maxLength = MaxTextLength)
    {
        if (Raw(name) is not { } text)
        {
            return null;
        }

        if (text.Length <= maxLength && text.All(c => c is > ' ' and < '\u007f'))
        {
            return text;
        }

        Fail(AdminProblems.BadParameter(name, $"{name} must be at most {maxLength} printable ASCII characters without spaces"));
        return null;
    }

    /// <summary>Records a problem found by the caller (the first one wins).</summary>
    public void Fail(IResult problem) => Problem ??= problem;

    internal static bool TryParseTime(string text, out DateTimeOffset time)
    {
        if (text.Length is > 0 and <= 15 && text.All(char.IsAsciiDigit))
        {
            var milliseconds = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
            if (milliseconds <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            {
                time = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
                return true;
            }
        }

        // ISO 8601 only (a date, or a date and time): not the culture's formats, nor "next Tuesday".
        if (text.Length >= 10 && char.IsAsciiDigit(text[0]) && text[4] == '-'
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time))
        {
            return true;
        }

        time = default;
        return false;
    }

    /// <summary>The value when present and not empty (<c>?funnel=</c> counts as absent).</summary>
    private string? Raw(string name) => query.TryGetValue(name, out var values) && values.Count == 1 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    /// <summary>A value quoted back in a problem, cut short.</summary>
    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
