using System.Globalization;

namespace Able.Attribution.Service.ConsolePages;

/// <summary>Small charts drawn as inline SVG on the server (no chart library, no inline style: the CSP allows none).</summary>
public static class ConsoleCharts
{
    private const int Width = 300;
    private const int BarsHeight = 110;
    private const int LabelHeight = 16;

    /// <summary>One bar per UTC day; each bar's title tells its day and value.</summary>
    public static HtmlFragment DailyBars(string id, string caption, IReadOnlyList<(DateOnly Day, decimal Value)> days, string unit, string barClass = "bar")
    {
        ArgumentNullException.ThrowIfNull(days);
        var max = days.Count == 0 ? 0 : days.Max(d => d.Value);
        var total = days.Sum(d => d.Value);
        var html = new HtmlBuilder();
        html.Append($"""
            <figure class="chart" id="{id}"><figcaption id="{id}-caption">{caption}</figcaption>
            <svg viewBox="0 0 {Width} {BarsHeight + LabelHeight}" role="img" aria-labelledby="{id}-caption" aria-describedby="{id}-summary" preserveAspectRatio="xMidYMid meet">
            <desc id="{id}-summary">{Number(total)} {unit} over {days.Count} days; most in one day: {Number(max)}.</desc>
            <line class="axis" x1="0" y1="{BarsHeight}" x2="{Width}" y2="{BarsHeight}"/>

            """);
        if (days.Count > 0)
        {
            var slot = (double)Width / days.Count;
            var barWidth = Math.Max(1, slot * 0.7);
            for (var i = 0; i < days.Count; i++)
            {
                var (day, value) = days[i];
                var height = max <= 0 ? 0 : (double)(value / max) * (BarsHeight - 14);
                var x = (i * slot) + ((slot - barWidth) / 2);
                html.Append($"<rect class=\"{barClass}\" x=\"{Coordinate(x)}\" y=\"{Coordinate(BarsHeight - height)}\" width=\"{Coordinate(barWidth)}\" height=\"{Coordinate(height)}\"><title>{Day(day)}: {Number(value)} {unit}</title></rect>");
            }

            html.Append($"<text x=\"0\" y=\"{BarsHeight + LabelHeight - 3}\">{Day(days[0].Day)}</text>");
            if (days.Count > 1)
            {
                html.Append($"<text x=\"{Width}\" y=\"{BarsHeight + LabelHeight - 3}\" text-anchor=\"end\">{Day(days[^1].Day)}</text>");
            }

            html.Append($"<text x=\"0\" y=\"10\">max {Number(max)}</text>");
        }

        return html.Append($"</svg></figure>").ToFragment();
    }

    /// <summary>One horizontal bar per item, its length its share of the total, with the count and share beside it.</summary>
    public static HtmlFragment ShareBars(string id, string caption, IReadOnlyList<(string Label, long Count, string BarClass)> items, string emptyText)
    {
        ArgumentNullException.ThrowIfNull(items);
        var total = items.Sum(i => i.Count);
        const int Row = 32;
        var height = Math.Max(1, items.Count) * Row;
        var html = new HtmlBuilder();
        html.Append($"""
            <figure class="chart" id="{id}"><figcaption id="{id}-caption">{caption}</figcaption>
            <svg viewBox="0 0 {Width} {height}" role="img" aria-labelledby="{id}-caption" preserveAspectRatio="xMidYMid meet">

            """);
        if (items.Count == 0 || total == 0)
        {
            html.Append($"<text x=\"0\" y=\"16\">{emptyText}</text>");
        }
        else
        {
            for (var i = 0; i < items.Count; i++)
            {
                var (label, count, barClass) = items[i];
                var share = (double)count / total;
                var y = i * Row;
                html.Append($"""
                    <text x="0" y="{y + 11}">{label}</text>
                    <text x="{Width}" y="{y + 11}" text-anchor="end">{count} · {Percent(share)}</text>
                    <rect class="track" x="0" y="{y + 15}" width="{Width}" height="12"/>
                    <rect class="{barClass}" x="0" y="{y + 15}" width="{Coordinate(share * Width)}" height="12"><title>{label}: {count} ({Percent(share)})</title></rect>

                    """);
            }
        }

        return html.Append($"</svg></figure>").ToFragment();
    }

    private static string Coordinate(double value) => Math.Round(value, 1).ToString(CultureInfo.InvariantCulture);

    private static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Percent(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";

    private static string Day(DateOnly day) => day.ToString("MMM d", CultureInfo.InvariantCulture);
}
