using Able.Attribution.Delivery;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.ConsolePages;

/// <summary><c>/console/deadletters</c>: the dead letters with reason and TikTok's answer; replay one or all, discard one.</summary>
public static class DeadLettersPage
{
    public const int PageSize = 50;

    /// <summary>What a finished action says on the list it returns to (a fixed set: nothing from the request is echoed).</summary>
    private static readonly Dictionary<string, string> Notices = new(StringComparer.Ordinal)
    {
        ["replayed"] = "Queued for delivery again; the conversion's receipt shows the outcome.",
        ["replayed-all"] = "Every dead letter that could be sent again is queued; the receipts show the outcomes.",
        ["not-found"] = "That dead letter is gone (replayed, discarded or never there).",
        ["not-replayable"] = "That dead letter holds nothing that can be sent again; discard it.",
        ["discarded"] = "Discarded.",
    };

    public static void Map(RouteGroupBuilder console)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.MapGet("/deadletters", async (HttpContext context, DeadLetterReplay deadLetters, IOptionsMonitor<AbleOptions> options,
            string? funnel, string? cursor, string? notice) =>
        {
            var (selected, problem) = string.IsNullOrEmpty(funnel) ? (null, null) : ConsoleQuery.Funnel(options.CurrentValue, funnel);
            if (problem is not null || cursor is { Length: > 64 })
            {
                return ConsolePage.Problem(context, StatusCodes.Status400BadRequest, "Dead letters", problem ?? "The page cursor is not one this console made.", ConsoleSection.DeadLetters);
            }

            var page = await deadLetters.ListAsync(selected?.Mark, PageSize, string.IsNullOrEmpty(cursor) ? null : cursor);
            if (page.Problem is not null)
            {
                return ConsolePage.Problem(context, StatusCodes.Status400BadRequest, "Dead letters", page.Problem, ConsoleSection.DeadLetters);
            }

            return ConsolePage.Render(context, "Dead letters", ConsoleSection.DeadLetters,
                List(context, options.CurrentValue, selected?.Mark, page, notice is not null && Notices.TryGetValue(notice, out var text) ? text : null));
        });

        console.MapPost("/deadletters/replay", async (HttpContext context, DeadLetterReplay deadLetters, ConsoleAudit audit) =>
        {
            var id = (string?)context.Request.Form["id"];
            if (string.IsNullOrEmpty(id) || id.Length > 64)
            {
                return ConsolePage.Problem(context, StatusCodes.Status400BadRequest, "Dead letters", "Which dead letter? The form has no id.", ConsoleSection.DeadLetters);
            }

            var outcome = await deadLetters.ReplayAsync(id);
            audit.Replayed(id, outcome.Result);
            return ConsolePage.SeeOther("/console/deadletters?notice=" + outcome.Result switch
            {
                ReplayResult.Queued => "replayed",
                ReplayResult.NotFound => "not-found",
                _ => "not-replayable",
            });
        });

        console.MapPost("/deadletters/replay-all", async (HttpContext context, DeadLetterReplay deadLetters, IOptionsMonitor<AbleOptions> options, ConsoleAudit audit) =>
        {
            var funnel = (string?)context.Request.Form["funnel"];
            var (selected, problem) = string.IsNullOrEmpty(funnel) ? (null, null) : ConsoleQuery.Funnel(options.CurrentValue, funnel);
            if (problem is not null)
            {
                return ConsolePage.Problem(context, StatusCodes.Status400BadRequest, "Dead letters", problem, ConsoleSection.DeadLetters);
            }

            foreach (var outcome in await deadLetters.ReplayAllAsync(selected?.Mark))
            {
                audit.Replayed(outcome.DeadLetterId, outcome.Result);
            }

            return ConsolePage.SeeOther("/console/deadletters?notice=replayed-all");
        });

        console.MapPost("/deadletters/discard", async (HttpContext context, DeadLetterReplay deadLetters, ConsoleAudit audit) =>
        {
            var id = (string?)context.Request.Form["id"];
            if (string.IsNullOrEmpty(id) || id.Length > 64)
            {
                return ConsolePage.Problem(context, StatusCodes.Status400BadRequest, "Dead letters", "Which dead letter? The form has no id.", ConsoleSection.DeadLetters);
            }

            var found = await deadLetters.DiscardAsync(id);
            audit.Discarded(id, found);
            return ConsolePage.SeeOther("/console/deadletters?notice=" + (found ? "discarded" : "not-found"));
        });
    }

    private static HtmlFragment List(HttpContext context, AbleOptions options, string? mark, DeadLetterPage page, string? notice)
    {
        var csrf = ConsolePage.CsrfField(context);
        var html = new HtmlBuilder();
        if (notice is not null)
        {
            html.Append($"<p class=\"notice\" role=\"status\" id=\"notice\">{notice}</p>");
        }

        if (options.Funnels.Length > 1)
        {
            html.Append(ConsoleQuery.Switch("Funnel", [("All", "/console/deadletters", mark is null),
                .. options.Funnels.Select(f => (f.Mark, ConsoleQuery.Build("/console/deadletters", ("funnel", f.Mark)), f.Mark == mark))]));
        }

        if (page.Items.Count > 0)
        {
            html.Append($"""
                <form method="post" action="/console/deadletters/replay-all" class="actions">{csrf}<input type="hidden" name="funnel" value="{mark ?? ""}">
                <button type="submit" id="replay-all">Replay all{(mark is null ? "" : $" of {mark}")}</button></form>
                """);
        }

        html.Append($"""
            <div class="table-scroll"><table id="deadletters">
            <caption class="muted">Oldest first. A replay sends each conversion at most once.</caption>
            <thead><tr><th scope="col">Dead letter</th><th scope="col">Funnel</th><th scope="col">Event</th><th scope="col">Reason</th><th scope="col">TikTok code</th><th scope="col">TikTok message</th><th scope="col">Actions</th></tr></thead><tbody>
            """);
        if (page.Items.Count == 0)
        {
            html.Append($"<tr><td colspan=\"7\" class=\"muted\" id=\"no-deadletters\">No dead letters.</td></tr>");
        }

        foreach (var letter in page.Items)
        {
            html.Append($"""
                <tr data-id="{letter.Id}"><td><code>{letter.Id}</code><br><span class="muted">{(letter.Kind == DeadLetters.DeliveryKind ? $"{letter.Kind} to {letter.Destination}" : letter.Kind)}</span></td><td>{letter.Mark}</td>
                <td>{letter.TikTokEvent ?? "-"}<br><span class="muted">{letter.EventId ?? letter.EntryId}</span></td>
                <td>{letter.Reason}{(letter.ErrorMessage is null ? "" : $": {letter.ErrorMessage}")}</td>
                <td>{letter.TikTokCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}</td><td>{letter.TikTokMessage ?? "-"}</td>
                <td><form method="post" action="/console/deadletters/replay">{csrf}<input type="hidden" name="id" value="{letter.Id}"><button type="submit" aria-label="Replay dead letter {letter.Id}">Replay</button></form>
                <form method="post" action="/console/deadletters/discard">{csrf}<input type="hidden" name="id" value="{letter.Id}"><button type="submit" class="secondary" aria-label="Discard dead letter {letter.Id}">Discard</button></form></td></tr>
                """);
        }

        html.Append($"</tbody></table></div>");
        if (page.NextCursor is not null)
        {
            html.Append($"<nav class=\"pager\" aria-label=\"Pages\"><a class=\"button secondary\" rel=\"next\" href=\"{ConsoleQuery.Build("/console/deadletters", ("funnel", mark), ("cursor", page.NextCursor))}\">Next page</a></nav>");
        }

        return html.ToFragment();
    }
}
