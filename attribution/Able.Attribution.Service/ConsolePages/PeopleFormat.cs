using System.Globalization;

namespace Able.Attribution.Service.ConsolePages;

/// <summary>
/// Times and numbers as machine-readable elements with a readable UTC / invariant fallback; the console's script
/// rewrites them in the browser's locale and time zone (<c>Intl</c>).
/// </summary>
public static class PeopleFormat
{
    public static HtmlFragment Time(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return HtmlBuilder.Of($"<time datetime=\"{utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}\">{utc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC</time>");
    }

    public static HtmlFragment UnixMilliseconds(long milliseconds) =>
        milliseconds is <= 0 or > 253_402_300_799_999 ? HtmlBuilder.Of($"-") : Time(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds));

    public static HtmlFragment UnixSeconds(long? seconds) =>
        seconds is null or <= 0 or > 253_402_300_799 ? HtmlBuilder.Of($"-") : Time(DateTimeOffset.FromUnixTimeSeconds(seconds.Value));

    /// <summary>A UTC day (the counters' day), shown as a date without a time zone shift.</summary>
    public static HtmlFragment Day(DateOnly day) =>
        HtmlBuilder.Of($"<time datetime=\"{day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}\" data-day>{day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}</time>");

    public static HtmlFragment Number(long value, string? id = null) =>
        id is null
            ? HtmlBuilder.Of($"<data value=\"{value}\">{value}</data>")
            : HtmlBuilder.Of($"<data id=\"{id}\" value=\"{value}\">{value}</data>");

    public static HtmlFragment Money(decimal value, string currency) =>
        HtmlBuilder.Of($"<data value=\"{value}\" data-currency=\"{currency}\">{currency} {value.ToString("0.00", CultureInfo.InvariantCulture)}</data>");

    /// <summary>Revenue per currency, one after the other; a dash when there is none.</summary>
    public static HtmlFragment Revenue(IReadOnlyDictionary<string, decimal> revenue, string? id = null)
    {
        var html = new HtmlBuilder();
        html.Append(id is null ? HtmlBuilder.Of($"<span class=\"money\">") : HtmlBuilder.Of($"<span class=\"money\" id=\"{id}\">"));
        if (revenue.Count == 0)
        {
            html.Append($"-");
        }

        var first = true;
        foreach (var (currency, value) in revenue.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal))
        {
            html.Append(first ? HtmlFragment.Empty : HtmlBuilder.Of($"<br>"));
            html.Append(Money(value, currency));
            first = false;
        }

        return html.Append($"</span>").ToFragment();
    }

    /// <summary>A share 0-1, shown as a percentage.</summary>
    public static HtmlFragment Percent(double share, string? id = null)
    {
        var value = double.IsFinite(share) ? Math.Round(share, 4) : 0;
        var text = (value * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";
        return id is null
            ? HtmlBuilder.Of($"<data value=\"{value}\" data-format=\"percent\">{text}</data>")
            : HtmlBuilder.Of($"<data id=\"{id}\" value=\"{value}\" data-format=\"percent\">{text}</data>");
    }

    /// <summary>A duration in words (click age): "3 d 4 h", "2 h 5 min", "40 s".</summary>
    public static string Duration(long seconds)
    {
        if (seconds < 0)
        {
            return "-";
        }

        var span = TimeSpan.FromSeconds(seconds);
        return span.TotalDays >= 1 ? $"{(int)span.TotalDays} d {span.Hours} h"
            : span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min"
            : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s"
            : $"{span.Seconds} s";
    }
}
