using Able.Attribution.Service.Admin;
using Able.Attribution.Reports;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.ConsolePages;

/// <summary><c>/console</c>: a funnel's numbers for 24 h / 7 d / 30 d, small charts, the Calendly subscription.</summary>
public static class OverviewPage
{
    public static void Map(RouteGroupBuilder console)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.MapGet("/", async (HttpContext context, CachedReports reports, CalendlyConnectionState calendly, IOptionsMonitor<AbleOptions> options,
            string? funnel, string? days) =>
        {
            var all = options.CurrentValue;
            var (selected, funnelProblem) = ConsoleQuery.Funnel(all, funnel);
            var (period, daysProblem) = ConsoleQuery.Days(days);
            if (selected is null || daysProblem is not null)
            {
                return ConsolePage.Problem(context, selected is null && funnelProblem is not null && all.Funnels.Length > 0 ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest,
                    "Overview", funnelProblem ?? daysProblem!, ConsoleSection.Overview);
            }

            var summaryTask = reports.SummaryAsync(selected.Mark, period, context.RequestAborted);
            var subscriptionTask = calendly.ReadAsync(selected, context.RequestAborted);
            var summary = await summaryTask;
            var subscription = await subscriptionTask;
            return ConsolePage.Render(context, "Overview", ConsoleSection.Overview, Body(all, selected, period, summary, subscription));
        });
    }

    private static HtmlFragment Body(AbleOptions all, FunnelOptions funnel, int days, FunnelSummary summary, CalendlySubscriptionState? subscription)
    {
        var html = new HtmlBuilder();
        if (all.Funnels.Length > 1)
        {
            html.Append(ConsoleQuery.Switch("Funnel", all.Funnels.Select(f =>
                (f.Mark, ConsoleQuery.Build("/console", ("funnel", f.Mark), ("days", days.ToString(System.Globalization.CultureInfo.InvariantCulture))), f.Mark == funnel.Mark))));
        }

        html.Append(ConsoleQuery.Switch("Period", ConsoleQuery.Periods.Select(p =>
            ("Last " + ConsoleQuery.PeriodLabel(p), ConsoleQuery.Build("/console", ("funnel", funnel.Mark), ("days", p.ToString(System.Globalization.CultureInfo.InvariantCulture))), p == days))));

        html.Append($"""
            <p class="muted">Funnel <strong>{funnel.Mark}</strong>, the last {ConsoleQuery.PeriodLabel(days)} (UTC days, today included), from the counters kept as events happen.</p>
            <dl class="cards" id="summary">
            <div class="card"><dt>Visits</dt><dd>{PeopleFormat.Number(summary.Visits, "visits")}</dd></div>
            <div class="card"><dt>New visitors</dt><dd>{PeopleFormat.Number(summary.NewVisitors, "new-visitors")}</dd></div>
            <div class="card"><dt>TikTok clicks</dt><dd>{PeopleFormat.Number(summary.TikTokClicks, "tiktok-clicks")}</dd></div>
            <div class="card"><dt>Bookings</dt><dd>{PeopleFormat.Number(summary.Bookings, "bookings")}</dd></div>
            <div class="card"><dt>Purchases</dt><dd>{PeopleFormat.Number(summary.Purchases, "purchases")}</dd></div>
            <div class="card"><dt>Revenue</dt><dd>{PeopleFormat.Revenue(summary.Revenue, "revenue")}</dd></div>
            <div class="card"><dt>Match rate</dt><dd>{PeopleFormat.Percent(summary.MatchRate, "match-rate")}</dd></div>
            <div class="card"><dt>Dead letters</dt><dd>{PeopleFormat.Number(summary.DeadLetters, "dead-letters")}</dd></div>
            <div class="card"><dt>Last webhook</dt><dd class="when" id="last-webhook">{LastWebhook(summary)}</dd></div>
            </dl>
            <h2>Charts</h2>
            <div class="charts">
            {ConsoleCharts.DailyBars("bookings-chart", "Bookings per day", [.. summary.Daily.Select(d => (d.Day, (decimal)d.Bookings))], "bookings")}
            {RevenueChart(summary)}
            {ConsoleCharts.ShareBars("join-paths-chart", "Conversions by join path (match rate)",
                [.. summary.JoinPaths.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value, p.Key == "none" ? "bar bad" : "bar"))], "No conversions in this period.")}
            {ConsoleCharts.ShareBars("delivery-chart", "TikTok delivery outcomes",
                [.. summary.Delivery.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value, p.Key is "sent" ? "bar alt" : p.Key is "dead_lettered" ? "bar bad" : "bar"))], "Nothing delivered in this period.")}
            </div>
            """);
        html.Append(Subscription(subscription));
        return html.ToFragment();
    }

    private static HtmlFragment LastWebhook(FunnelSummary summary) => summary.LastWebhookAt is { } at
        ? HtmlBuilder.Of($"{PeopleFormat.Time(at)} <span class=\"muted\">{summary.LastWebhookSource}</span>")
        : HtmlBuilder.Of($"none on record");

    /// <summary>Revenue per day in the currency with the most revenue (others are in the card above).</summary>
    private static HtmlFragment RevenueChart(FunnelSummary summary)
    {
        var currency = summary.Revenue.OrderByDescending(r => r.Value).Select(r => r.Key).FirstOrDefault();
        if (currency is null)
        {
            return ConsoleCharts.DailyBars("revenue-chart", "Revenue per day", [.. summary.Daily.Select(d => (d.Day, 0m))], "revenue", "bar alt");
        }

        return ConsoleCharts.DailyBars("revenue-chart", $"Revenue per day ({currency})",
            [.. summary.Daily.Select(d => (d.Day, d.Revenue.TryGetValue(currency, out var value) ? value : 0m))], currency, "bar alt");
    }

    private static HtmlFragment Subscription(CalendlySubscriptionState? state)
    {
        var html = new HtmlBuilder();
        html.Append($"<h2>Calendly subscription</h2><div id=\"calendly\">");
        if (state is null)
        {
            return html.Append($"<p class=\"muted\">Not connected (no Calendly API token): <code>./able calendly connect</code> creates the webhook subscription.</p></div>").ToFragment();
        }

        html.Append($"<p>Webhooks to <code>{state.WebhookUrl}</code>; last webhook seen: ");
        html.Append(state.LastDelivery is { } last ? PeopleFormat.Time(last) : HtmlBuilder.Of($"none"));
        html.Append($".</p>");
        if (state.Problem is not null)
        {
            html.Append($"<p class=\"problem\">{state.Problem}</p>");
        }
        else if (state.Subscriptions.Count == 0)
        {
            html.Append($"<p class=\"problem\">No subscription posts to this URL: run <code>./able calendly connect</code>.</p>");
        }
        else
        {
            html.Append($"<ul>");
            foreach (var subscription in state.Subscriptions)
            {
                html.Append($"<li><span class=\"{(subscription.IsActive ? "status-sent" : "status-dead_lettered")}\">{subscription.State}</span> <code>{subscription.Uri}</code>");
                if (subscription.RetryStartedAt is { } retry)
                {
                    html.Append($", failing deliveries since {PeopleFormat.Time(retry)}");
                }

                html.Append($"</li>");
            }

            html.Append($"</ul>");
        }

        return html.Append($"</div>").ToFragment();
    }
}
