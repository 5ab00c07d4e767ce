using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Able.Attribution.Receipts;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.ConsolePages;

/// <summary><c>/console/conversions</c>: the receipts with filters, paged; <c>/console/conversions/{funnel}/{id}</c>: one receipt.</summary>
public static class ConversionsPage
{
    public const int PageSize = 50;

    private static readonly string[] Statuses =
    [
        ReceiptStatus.Sent, ReceiptStatus.DryRun, ReceiptStatus.Queued, ReceiptStatus.WaitingForJoin, ReceiptStatus.Retrying,
        ReceiptStatus.DeadLettered, ReceiptStatus.Recorded, ReceiptStatus.TooOld, ReceiptStatus.Ignored, ReceiptStatus.Malformed,
    ];

    private static readonly JsonSerializerOptions PrettyJson = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Map(RouteGroupBuilder console)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.MapGet("/conversions", async (HttpContext context, ReceiptQuery receipts, IOptionsMonitor<AbleOptions> options, TimeProvider time,
            string? funnel, string? @event, string? matched, string? status, string? range, string? cursor) =>
        {
            var all = options.CurrentValue;
            var problem = Check(all, funnel, @event, matched, status, range, cursor);
            if (problem is not null)
            {
                return ConsolePage.Problem(context, StatusCodes.Status400BadRequest, "Conversions", problem, ConsoleSection.Conversions);
            }

            var filter = new ReceiptFilter
            {
                Mark = string.IsNullOrEmpty(funnel) ? null : funnel,
                Event = string.IsNullOrEmpty(@event) ? null : @event,
                Matched = matched switch { "yes" => true, "no" => false, _ => null },
                Status = string.IsNullOrEmpty(status) ? null : status,
                From = RangeDays(range) is { } days ? time.GetUtcNow().AddDays(-days) : null,
                Limit = PageSize,
                Cursor = string.IsNullOrEmpty(cursor) ? null : cursor,
            };
            var (page, queryProblem) = await receipts.QueryAsync(filter);
            if (page is null)
            {
                return ConsolePage.Problem(context, StatusCodes.Status400BadRequest, "Conversions", queryProblem ?? "The filters cannot be applied.", ConsoleSection.Conversions);
            }

            var next = page.NextCursor is null ? null
                : ConsoleQuery.Build("/console/conversions", ("funnel", funnel), ("event", @event), ("matched", matched), ("status", status), ("range", range), ("cursor", page.NextCursor));
            var first = string.IsNullOrEmpty(cursor) ? null
                : ConsoleQuery.Build("/console/conversions", ("funnel", funnel), ("event", @event), ("matched", matched), ("status", status), ("range", range));
            return ConsolePage.Render(context, "Conversions", ConsoleSection.Conversions,
                List(all, funnel, @event, matched, status, range, page.Items, first, next));
        });

        console.MapGet("/conversions/{funnel}/{id}", async (HttpContext context, ReceiptStore store, IOptionsMonitor<AbleOptions> options, string funnel, string id) =>
        {
            if (!options.CurrentValue.Funnels.Any(f => f.Mark == funnel))
            {
                return ConsolePage.Problem(context, StatusCodes.Status404NotFound, "Conversion", $"There is no funnel '{funnel}'.", ConsoleSection.Conversions);
            }

            MatchReceipt? receipt;
            try
            {
                receipt = id.Length <= 512 ? await store.GetAsync(funnel, id) : null;
            }
            catch (JsonException)
            {
                return ConsolePage.Problem(context, StatusCodes.Status404NotFound, "Conversion", "This receipt is stored in a form that cannot be read.", ConsoleSection.Conversions);
            }

            return receipt is null
                ? ConsolePage.Problem(context, StatusCodes.Status404NotFound, "Conversion", "No such conversion (its receipt may have expired or been erased).", ConsoleSection.Conversions)
                : ConsolePage.Render(context, "Conversion", ConsoleSection.Conversions, Receipt(receipt));
        });
    }

    /// <summary>The receipt's page address.</summary>
    public static string Href(MatchReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return $"/console/conversions/{Uri.EscapeDataString(receipt.Mark)}/{Uri.EscapeDataString(receipt.Id)}";
    }

    private static string? Check(AbleOptions options, string? funnel, string? @event, string? matched, string? status, string? range, string? cursor)
    {
        if (!string.IsNullOrEmpty(funnel) && !options.Funnels.Any(f => f.Mark == funnel))
        {
            return $"There is no funnel '{funnel}'.";
        }

        return @event is not (null or "" or "Schedule" or "Purchase") ? "The event must be Schedule or Purchase."
            : matched is not (null or "" or "yes" or "no") ? "Matched must be yes or no."
            : !string.IsNullOrEmpty(status) && !Statuses.Contains(status) ? $"The status must be one of: {string.Join(", ", Statuses)}."
            : range is not (null or "" or "1" or "7" or "30" or "all") ? "The time range must be 1, 7, 30 (days) or all."
            : cursor is { Length: > 512 } ? "The page cursor is not one this console made."
            : null;
    }

    private static int? RangeDays(string? range) => range switch { "1" => 1, "7" => 7, "30" => 30, _ => null };

    private static HtmlFragment List(AbleOptions options, string? funnel, string? @event, string? matched, string? status, string? range,
        IReadOnlyList<MatchReceipt> items, string? first, string? next)
    {
        var html = new HtmlBuilder();
        html.Append($"""
            <form class="filters" method="get" action="/console/conversions" id="filters">
            <div class="field"><label for="f-funnel">Funnel</label><select id="f-funnel" name="funnel">{ConsoleQuery.Options([("", "All"), .. options.Funnels.Select(f => (f.Mark, f.Mark))], funnel)}</select></div>
            <div class="field"><label for="f-event">Event</label><select id="f-event" name="event">{ConsoleQuery.Options([("", "Any"), ("Schedule", "Schedule"), ("Purchase", "Purchase")], @event)}</select></div>
            <div class="field"><label for="f-matched">Matched</label><select id="f-matched" name="matched">{ConsoleQuery.Options([("", "Any"), ("yes", "Matched"), ("no", "Not matched")], matched)}</select></div>
            <div class="field"><label for="f-status">Status</label><select id="f-status" name="status">{ConsoleQuery.Options([("", "Any"), .. Statuses.Select(s => (s, s))], status)}</select></div>
            <div class="field"><label for="f-range">Time</label><select id="f-range" name="range">{ConsoleQuery.Options([("", "All time"), ("1", "Last 24 h"), ("7", "Last 7 days"), ("30", "Last 30 days")], range)}</select></div>
            <div class="field"><button type="submit">Filter</button></div>
            </form>
            <div class="table-scroll"><table id="conversions">
            <caption class="muted">Newest first. Select a conversion to see its receipt.</caption>
            <thead><tr><th scope="col">Updated</th><th scope="col">Conversion</th><th scope="col">Funnel</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Join path</th><th scope="col" class="num">Click age</th></tr></thead>
            <tbody>
            """);
        if (items.Count == 0)
        {
            html.Append($"<tr><td colspan=\"7\" class=\"muted\">No conversions match these filters.</td></tr>");
        }

        foreach (var receipt in items)
        {
            html.Append($"""
                <tr><td>{PeopleFormat.UnixMilliseconds(receipt.UpdatedAt)}</td><td><a href="{Href(receipt)}">{receipt.Id}</a></td><td>{receipt.Mark}</td>
                <td>{receipt.TikTokEvent ?? "-"}</td><td class="status-{receipt.Status}">{receipt.Status}</td><td>{receipt.JoinPath ?? "none"}</td>
                <td class="num">{(receipt.ClickAgeSeconds is { } age ? PeopleFormat.Duration(age) : "-")}</td></tr>
                """);
        }

        html.Append($"</tbody></table></div><nav class=\"pager\" aria-label=\"Pages\">");
        if (first is not null)
        {
            html.Append($"<a class=\"button secondary\" href=\"{first}\">First page</a>");
        }

        if (next is not null)
        {
            html.Append($"<a class=\"button secondary\" id=\"next-page\" href=\"{next}\" rel=\"next\">Next page</a>");
        }

        return html.Append($"</nav>").ToFragment();
    }

    private static HtmlFragment Receipt(MatchReceipt receipt)
    {
        var html = new HtmlBuilder();
        html.Append($"""
            <p><a href="/console/conversions">← All conversions</a></p>
            <dl class="facts" id="receipt">
            <dt>Conversion</dt><dd><code>{receipt.Id}</code></dd>
            <dt>Funnel</dt><dd>{receipt.Mark}</dd>
            <dt>Source</dt><dd>{receipt.Source} · {receipt.SourceEvent}</dd>
            <dt>TikTok event</dt><dd>{receipt.TikTokEvent ?? "-"} <span class="muted">{receipt.EventId}</span></dd>
            <dt>Event time</dt><dd>{PeopleFormat.UnixSeconds(receipt.EventTime)}</dd>
            <dt>Status</dt><dd class="status-{receipt.Status}" id="receipt-status">{receipt.Status}</dd>
            <dt>Reason</dt><dd>{receipt.Reason ?? "-"}</dd>
            <dt>Join path</dt><dd id="join-path">{receipt.JoinPath ?? "none"}{(receipt.NoJoinReason is null ? "" : $" ({receipt.NoJoinReason})")}</dd>
            <dt>Visitor</dt><dd><code>{receipt.VisitorId ?? "-"}</code></dd>
            <dt>Keys available</dt><dd id="keys-available">{Keys(receipt.KeysAvailable)}</dd>
            <dt>Keys sent</dt><dd id="keys-sent">{Keys(receipt.KeysSent)}</dd>
            <dt>Click age</dt><dd>{(receipt.ClickAgeSeconds is { } age ? PeopleFormat.Duration(age) : "no click")}</dd>
            <dt>Attempts</dt><dd>{receipt.Attempts}</dd>
            <dt>Last update</dt><dd>{PeopleFormat.UnixMilliseconds(receipt.UpdatedAt)}</dd>
            </dl>
            <h2>TikTok's answer</h2>
            <dl class="facts" id="tiktok-answer">
            <dt>Code</dt><dd id="tiktok-code">{(receipt.TikTokCode is { } code ? code.ToString(CultureInfo.InvariantCulture) : "-")}</dd>
            <dt>Message</dt><dd id="tiktok-message">{receipt.TikTokMessage ?? "-"}</dd>
            <dt>Request id</dt><dd><code>{receipt.TikTokRequestId ?? "-"}</code></dd>
            </dl>
            <h2>Payload sent (hashed values only)</h2>
            """);
        html.Append(receipt.Payload is null
            ? HtmlBuilder.Of($"<p class=\"muted\">No payload was built for this conversion.</p>")
            : HtmlBuilder.Of($"<pre id=\"payload\"><code>{receipt.Payload.ToJsonString(PrettyJson)}</code></pre>"));
        if (receipt.Ga4 is { } ga4)
        {
            html.Append($"""
                <h2>Google Analytics 4</h2>
                <dl class="facts" id="ga4">
                <dt>Status</dt><dd class="status-{ga4.Status}" id="ga4-status">{ga4.Status}</dd>
                <dt>Reason</dt><dd id="ga4-reason">{ga4.Reason ?? "-"}</dd>
                <dt>Event</dt><dd>{ga4.EventName ?? "-"}</dd>
                <dt>Keys sent</dt><dd>{Keys(ga4.KeysSent)}</dd>
                <dt>Attempts</dt><dd>{ga4.Attempts}</dd>
                <dt>HTTP status</dt><dd>{(ga4.HttpStatus is { } status ? status.ToString(CultureInfo.InvariantCulture) : "-")}</dd>
                <dt>Last update</dt><dd>{PeopleFormat.UnixMilliseconds(ga4.UpdatedAt)}</dd>
                </dl>
                """);
            if (ga4.Payload is { } body)
            {
                html.Append($"<pre id=\"ga4-payload\"><code>{body.ToJsonString(PrettyJson)}</code></pre>");
            }
        }

        return html.ToFragment();
    }

    private static string Keys(IReadOnlyList<string> keys) => keys.Count == 0 ? "none" : string.Join(", ", keys);
}
