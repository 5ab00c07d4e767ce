using Able.Attribution.Service.Admin;
using System.Globalization;
using System.Text;
using Able.Attribution.Reports;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.ConsolePages;

/// <summary><c>/console/campaigns</c>: the campaign report, sorted on the server, first or last touch, and as CSV.</summary>
public static class CampaignsPage
{
    /// <summary>The sortable columns: query value, header, key.</summary>
    private static readonly (string Name, string Header, bool Numeric, Func<CampaignRow, IComparable> Key)[] Columns =
    [
        ("source", "Source", false, r => r.Source),
        ("campaign", "Campaign", false, r => r.Campaign),
        ("content", "Content", false, r => r.Content),
        ("ttclid", "TikTok click", false, r => r.TikTokClick),
        ("visits", "Visits", true, r => r.Visits),
        ("bookings", "Bookings", true, r => r.Bookings),
        ("purchases", "Purchases", true, r => r.Purchases),
        ("revenue", "Revenue", true, r => r.Revenue.Values.Sum()),
        ("matched", "Matched share", true, r => r.MatchedShare),
    ];

    public static void Map(RouteGroupBuilder console)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.MapGet("/campaigns", async (HttpContext context, CachedReports reports, IOptionsMonitor<AbleOptions> options,
            string? funnel, string? days, string? model, string? sort, string? dir) =>
        {
            var request = Read(options.CurrentValue, funnel, days, model, sort, dir);
            if (request.Problem is not null)
            {
                return ConsolePage.Problem(context, StatusCodes.Status400BadRequest, "Campaigns", request.Problem, ConsoleSection.Campaigns);
            }

            var rows = await reports.CampaignsAsync(request.Funnel!.Mark, request.Days, request.Model, context.RequestAborted);
            return ConsolePage.Render(context, "Campaigns", ConsoleSection.Campaigns, Body(options.CurrentValue, request, Sorted(rows, request)));
        });

        console.MapGet("/campaigns.csv", async (HttpContext context, CachedReports reports, IOptionsMonitor<AbleOptions> options,
            string? funnel, string? days, string? model, string? sort, string? dir) =>
        {
            var request = Read(options.CurrentValue, funnel, days, model, sort, dir);
            if (request.Problem is not null)
            {
                return ConsolePage.Problem(context, StatusCodes.Status400BadRequest, "Campaigns", request.Problem, ConsoleSection.Campaigns);
            }

            var rows = await reports.CampaignsAsync(request.Funnel!.Mark, request.Days, request.Model, context.RequestAborted);
            var name = $"campaigns-{request.Funnel.Mark}-{request.Days}d-{request.ModelName}-touch.csv";
            return Results.File(Encoding.UTF8.GetBytes(StatsReader.ToCsv(Sorted(rows, request))), "text/csv; charset=utf-8", name);
        });
    }

    private sealed record CampaignsRequest(FunnelOptions? Funnel, int Days, TouchModel Model, string Sort, bool Descending, string? Problem)
    {
        public string ModelName => Model == TouchModel.First ? "first" : "last";

        public string Query(string path, string? sort = null, bool? descending = null, TouchModel? model = null, int? days = null) =>
            ConsoleQuery.Build(path, ("funnel", Funnel!.Mark), ("days", (days ?? Days).ToString(CultureInfo.InvariantCulture)),
                ("model", (model ?? Model) == TouchModel.First ? "first" : "last"), ("sort", sort ?? Sort), ("dir", descending ?? Descending ? "desc" : "asc"));
    }

    private static CampaignsRequest Read(AbleOptions options, string? funnel, string? days, string? model, string? sort, string? dir)
    {
        var (selected, funnelProblem) = ConsoleQuery.Funnel(options, funnel);
        var (period, daysProblem) = ConsoleQuery.Days(days);
        TouchModel? touch = model switch { null or "" or "last" => TouchModel.Last, "first" => TouchModel.First, _ => null };
        var column = string.IsNullOrEmpty(sort) ? "bookings" : sort;
        bool? descending = dir switch { null or "" or "desc" => true, "asc" => false, _ => null };
        var problem = funnelProblem ?? daysProblem
            ?? (touch is null ? "The model must be first or last (touch)." : null)
            ?? (Columns.Any(c => c.Name == column) ? null : $"Sort by one of: {string.Join(", ", Columns.Select(c => c.Name))}.")
            ?? (descending is null ? "The direction must be asc or desc." : null);
        return new CampaignsRequest(selected, period, touch ?? TouchModel.Last, column, descending ?? true, problem);
    }

    private static List<CampaignRow> Sorted(IReadOnlyList<CampaignRow> rows, CampaignsRequest request)
    {
        var key = Columns.First(c => c.Name == request.Sort).Key;
        // The unattributed row stays last whatever the order: it is not a campaign.
        var ordered = request.Descending ? rows.OrderBy(r => r.Unattributed).ThenByDescending(key) : rows.OrderBy(r => r.Unattributed).ThenBy(key);
        return [.. ordered.ThenBy(r => r.Source, StringComparer.Ordinal).ThenBy(r => r.Campaign, StringComparer.Ordinal).ThenBy(r => r.Content, StringComparer.Ordinal)];
    }

    private static HtmlFragment Body(AbleOptions options, CampaignsRequest request, List<CampaignRow> rows)
    {
        var html = new HtmlBuilder();
        if (options.Funnels.Length > 1)
        {
            html.Append(ConsoleQuery.Switch("Funnel", options.Funnels.Select(f =>
                (f.Mark, (request with { Funnel = f }).Query("/console/campaigns"), f.Mark == request.Funnel!.Mark))));
        }

        html.Append(ConsoleQuery.Switch("Period", ConsoleQuery.Periods.Select(p =>
            ("Last " + ConsoleQuery.PeriodLabel(p), request.Query("/console/campaigns", days: p), p == request.Days))));
        html.Append(ConsoleQuery.Switch("Credited touch", [
            ("Last touch", request.Query("/console/campaigns", model: TouchModel.Last), request.Model == TouchModel.Last),
            ("First touch", request.Query("/console/campaigns", model: TouchModel.First), request.Model == TouchModel.First),
        ]));
        html.Append($"""
            <div class="actions"><a class="button secondary" id="csv" href="{request.Query("/console/campaigns.csv")}" download>Download CSV</a></div>
            <div class="table-scroll"><table id="campaigns">
            <caption class="muted">Conversions credited to the visitor's {(request.Model == TouchModel.First ? "first" : "last")} touch, last {ConsoleQuery.PeriodLabel(request.Days)}. Select a heading to sort.</caption>
            <thead><tr>
            """);
        foreach (var (name, header, numeric, _) in Columns)
        {
            var current = name == request.Sort;
            // A click on the current column turns the order round; on another, it sorts that one (numbers descending first).
            var descending = current ? !request.Descending : numeric;
            var sortState = current ? (request.Descending ? "descending" : "ascending") : "none";
            var arrow = current ? (request.Descending ? " ▼" : " ▲") : "";
            html.Append($"<th scope=\"col\" class=\"{(numeric ? "num" : "")}\" aria-sort=\"{sortState}\"><a href=\"{request.Query("/console/campaigns", sort: name, descending: descending)}\">{header}{arrow}</a></th>");
        }

        html.Append($"</tr></thead><tbody>");
        if (rows.Count == 0)
        {
            html.Append($"<tr><td colspan=\"{Columns.Length}\" class=\"muted\">No visits or conversions in this period.</td></tr>");
        }

        foreach (var row in rows)
        {
            if (row.Unattributed)
            {
                html.Append($"<tr class=\"unattributed\"><td colspan=\"4\"><em>Not matched to a visitor</em></td>");
            }
            else
            {
                html.Append($"<tr><td>{Cell(row.Source)}</td><td>{Cell(row.Campaign)}</td><td>{Cell(row.Content)}</td><td>{(row.TikTokClick ? "yes" : "no")}</td>");
            }

            html.Append($"""
                <td class="num">{PeopleFormat.Number(row.Visits)}</td><td class="num">{PeopleFormat.Number(row.Bookings)}</td><td class="num">{PeopleFormat.Number(row.Purchases)}</td>
                <td class="num">{PeopleFormat.Revenue(row.Revenue)}</td><td class="num">{PeopleFormat.Percent(row.MatchedShare)}</td></tr>
                """);
        }

        return html.Append($"</tbody></table></div>").ToFragment();
    }

    private static HtmlFragment Cell(string value) => value.Length == 0 ? HtmlBuilder.Of($"<span class=\"muted\">(none)</span>") : HtmlBuilder.Of($"{value}");
}
