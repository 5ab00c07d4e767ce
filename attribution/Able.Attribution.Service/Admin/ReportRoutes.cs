using System.Globalization;
using Able.Attribution.Reports;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Able.Attribution.Service.Admin;

/// <summary>The campaign report of one funnel as JSON.</summary>
internal sealed record CampaignReport(string Funnel, int Days, TouchModel Model, IReadOnlyList<CampaignRow> Rows);

/// <summary>
/// <c>GET /admin/api/summary?funnel=&amp;days=</c> (every funnel without <c>funnel</c>, one summary each) and
/// <c>GET /admin/api/report?funnel=&amp;days=&amp;model=first|last&amp;format=json|csv</c>, from the counters
/// (<see cref="StatsReader"/>), cached for <c>Able:Admin:ReportCacheSeconds</c>.
/// </summary>
internal static class ReportRoutes
{
    /// <summary>The periods offered: the last day, week and 30 days (today included).</summary>
    public static readonly IReadOnlyList<int> Periods = [1, 7, 30];

    public const int DefaultDays = 7;

    public static void MapReportRoutes(this RouteGroupBuilder admin)
    {
        admin.MapGet("/summary", SummaryAsync)
            .WithSummary("Summary per funnel: ?funnel= (all without), ?days=1|7|30")
            .Produces<List<FunnelSummary>>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapGet("/report", ReportAsync)
            .WithSummary("Campaign report: ?funnel=&days=1|7|30&model=last|first&format=json|csv")
            .Produces<CampaignReport>().Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> SummaryAsync(HttpContext context, IOptionsMonitor<AbleOptions> options, CachedReports reports)
    {
        var query = AdminQuery.Of(context.Request, "funnel", "days");
        var funnel = query.Funnel(options.CurrentValue);
        var days = query.OneOf("days", Periods, DefaultDays);
        if (query.Problem is { } problem)
        {
            return problem;
        }

        var marks = funnel is null ? options.CurrentValue.Funnels.Select(f => f.Mark).ToList() : [funnel.Mark];
        var summaries = new List<FunnelSummary>(marks.Count);
        foreach (var mark in marks)
        {
            summaries.Add(await reports.SummaryAsync(mark, days, context.RequestAborted));
        }

        return AdminJson.Ok(summaries);
    }

    private static async Task<IResult> ReportAsync(HttpContext context, IOptionsMonitor<AbleOptions> options, CachedReports reports)
    {
        var query = AdminQuery.Of(context.Request, "funnel", "days", "model", "format");
        var funnel = query.Funnel(options.CurrentValue);
        var days = query.OneOf("days", Periods, DefaultDays);
        var model = query.Choice("model", ["last", "first"], "last") == "first" ? TouchModel.First : TouchModel.Last;
        var format = query.Choice("format", ["json", "csv"], "json");
        if (funnel is null && query.Problem is null)
        {
            // One funnel configured: it is the report's; with several, which one is the caller's to say.
            if (options.CurrentValue.Funnels is [var only])
            {
                funnel = only;
            }
            else
            {
                query.Fail(AdminProblems.BadParameter("funnel", "funnel is required: more than one funnel is configured"));
            }
        }

        if (query.Problem is { } problem)
        {
            return problem;
        }

        var rows = await reports.CampaignsAsync(funnel!.Mark, days, model, context.RequestAborted);
        if (format == "json")
        {
            return AdminJson.Ok(new CampaignReport(funnel.Mark, days, model, rows));
        }

        var fileName = string.Create(CultureInfo.InvariantCulture, $"able-campaigns-{funnel.Mark}-{days}d-{(model == TouchModel.First ? "first" : "last")}-touch.csv");
        context.Response.Headers[HeaderNames.ContentDisposition] = new ContentDispositionHeaderValue("attachment") { FileName = fileName }.ToString();
        return Results.Text(StatsReader.ToCsv(rows), "text/csv; charset=utf-8");
    }
}
