using Able.Schema.Configuration;

namespace Able.Attribution.Service.ConsolePages;

/// <summary>Reads the console's query and form values; each returns the problem instead of throwing on bad input.</summary>
public static class ConsoleQuery
{
    /// <summary>The periods the pages offer, in days (24 h, 7 d, 30 d).</summary>
    public static readonly int[] Periods = [1, 7, 30];

    public const int DefaultDays = 7;

    /// <summary>The named funnel, or the first configured one when none is named.</summary>
    public static (FunnelOptions? Funnel, string? Problem) Funnel(AbleOptions options, string? mark)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Funnels.Length == 0)
        {
            return (null, "No funnel is configured (Able:Funnels).");
        }

        if (string.IsNullOrEmpty(mark))
        {
            return (options.Funnels[0], null);
        }

        var funnel = options.Funnels.FirstOrDefault(f => string.Equals(f.Mark, mark, StringComparison.Ordinal));
        return funnel is null ? (null, $"There is no funnel '{mark}'.") : (funnel, null);
    }

    /// <summary>The period in days: 1, 7 or 30 (default 7).</summary>
    public static (int Days, string? Problem) Days(string? days) => days switch
    {
        null or "" => (DefaultDays, null),
        "1" => (1, null),
        "7" => (7, null),
        "30" => (30, null),
        _ => (0, "The period must be 1, 7 or 30 days."),
    };

    public static string PeriodLabel(int days) => days == 1 ? "24 h" : $"{days} d";

    /// <summary>A query string of the non-empty values, each escaped.</summary>
    public static string Build(string path, params (string Name, string? Value)[] values)
    {
        var query = string.Join('&', values.Where(v => !string.IsNullOrEmpty(v.Value)).Select(v => $"{Uri.EscapeDataString(v.Name)}={Uri.EscapeDataString(v.Value!)}"));
        return query.Length == 0 ? path : $"{path}?{query}";
    }

    /// <summary>A row of links that switch one value (the current one marked).</summary>
    public static HtmlFragment Switch(string label, IEnumerable<(string Text, string Href, bool Current)> options)
    {
        var html = new HtmlBuilder();
        html.Append($"<ul class=\"switch\" aria-label=\"{label}\">");
        foreach (var (text, href, current) in options)
        {
            html.Append(current
                ? HtmlBuilder.Of($"<li><a href=\"{href}\" aria-current=\"true\">{text}</a></li>")
                : HtmlBuilder.Of($"<li><a href=\"{href}\">{text}</a></li>"));
        }

        return html.Append($"</ul>").ToFragment();
    }

    /// <summary><c>&lt;option&gt;</c>s with the current value selected.</summary>
    public static HtmlFragment Options(IEnumerable<(string Value, string Text)> options, string? current)
    {
        var html = new HtmlBuilder();
        foreach (var (value, text) in options)
        {
            html.Append(string.Equals(value, current ?? "", StringComparison.Ordinal)
                ? HtmlBuilder.Of($"<option value=\"{value}\" selected>{text}</option>")
                : HtmlBuilder.Of($"<option value=\"{value}\">{text}</option>"));
        }

        return html.ToFragment();
    }
}
