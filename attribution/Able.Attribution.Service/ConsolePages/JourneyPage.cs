using Able.Attribution.Journeys;
using Able.Attribution.Receipts;
using Able.Schema.Configuration;
using Able.Schema.Visitors;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.ConsolePages;

/// <summary><c>/console/journey</c>: by email or phone (POSTed), the person's touches in time order and the conversions credited.</summary>
public static class JourneyPage
{
    public static void Map(RouteGroupBuilder console)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.MapGet("/journey", (HttpContext context, IOptionsMonitor<AbleOptions> options) =>
            ConsolePage.Render(context, "Journey", ConsoleSection.Journey, Form(context, options.CurrentValue, problem: null)));

        console.MapPost("/journey", async (HttpContext context, JourneyLookup journeys, IOptionsMonitor<AbleOptions> options) =>
        {
            var (contact, problem) = ContactForm.Read(context.Request.Form, options.CurrentValue);
            if (contact is null)
            {
                return ConsolePage.Render(context, "Journey", ConsoleSection.Journey, Form(context, options.CurrentValue, problem), StatusCodes.Status400BadRequest);
            }

            var journey = await journeys.FindAsync(contact);
            var html = new HtmlBuilder();
            html.Append(Form(context, options.CurrentValue, problem: null));
            html.Append(Result(journey));
            return ConsolePage.Render(context, "Journey", ConsoleSection.Journey, html.ToFragment());
        });
    }

    private static HtmlFragment Form(HttpContext context, AbleOptions options, string? problem)
    {
        var html = new HtmlBuilder();
        if (problem is not null)
        {
            html.Append($"<p class=\"problem\" role=\"alert\">{problem}</p>");
        }

        return html.Append($"""
            <form method="post" action="/console/journey" id="journey-form">
            {ContactForm.Fields(options, "Email or phone of the person")}
            {ConsolePage.CsrfField(context)}
            <button type="submit">Look up</button>
            <p class="muted">Any case or spacing; it is hashed here and not kept.</p>
            </form>
            """).ToFragment();
    }

    private static HtmlFragment Result(Journey journey)
    {
        var html = new HtmlBuilder();
        html.Append($"<section id=\"journey\" aria-live=\"polite\"><h2>Found by {journey.Contact.Kind}</h2>");
        if (journey.Visitors.Count == 0 && journey.UnmatchedConversions.Count == 0)
        {
            return html.Append($"<p id=\"journey-empty\">Nothing is known about this person (no visitor is linked and no conversion carries this {journey.Contact.Kind}).</p></section>").ToFragment();
        }

        foreach (var visitor in journey.Visitors)
        {
            html.Append($"""
                <h3>Visitor <code>{visitor.VisitorId}</code> <span class="muted">{visitor.Mark}</span></h3>
                <div class="table-scroll"><table class="touches">
                <caption class="muted">Touches, oldest first</caption>
                <thead><tr><th scope="col">When</th><th scope="col">Kind</th><th scope="col">Landing URL</th><th scope="col">UTM</th><th scope="col">TikTok click</th><th scope="col">Referrer</th></tr></thead><tbody>
                """);
            if (visitor.Touches.Count == 0)
            {
                html.Append($"<tr><td colspan=\"6\" class=\"muted\">No touches kept (expired).</td></tr>");
            }

            foreach (var touch in visitor.Touches.OrderBy(t => t.At))
            {
                html.Append($"""
                    <tr><td>{PeopleFormat.UnixMilliseconds(touch.At)}</td><td>{touch.Kind}</td><td><code>{touch.Url ?? "-"}</code></td>
                    <td>{Utm(touch)}</td><td>{(touch.Ttclid is null ? "-" : "yes")}</td><td>{touch.Referrer ?? "-"}</td></tr>
                    """);
            }

            html.Append($"</tbody></table></div>");
            html.Append(Conversions("Conversions credited", visitor.Conversions));
        }

        if (journey.UnmatchedConversions.Count > 0)
        {
            html.Append(Conversions("Conversions not matched to a visitor", journey.UnmatchedConversions));
        }

        return html.Append($"</section>").ToFragment();
    }

    private static string Utm(VisitorTouch touch) =>
        touch.Utm is not { Count: > 0 } utm ? "-" : string.Join(", ", utm.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => $"{u.Key}={u.Value}"));

    private static HtmlFragment Conversions(string caption, IReadOnlyList<MatchReceipt> receipts)
    {
        var html = new HtmlBuilder();
        html.Append($"<h4>{caption}</h4>");
        if (receipts.Count == 0)
        {
            return html.Append($"<p class=\"muted\">None.</p>").ToFragment();
        }

        html.Append($"<ul class=\"conversions\">");
        foreach (var receipt in receipts.OrderBy(r => r.EventTime ?? r.UpdatedAt / 1000))
        {
            html.Append($"<li>{PeopleFormat.UnixSeconds(receipt.EventTime)} <a href=\"{ConversionsPage.Href(receipt)}\">{receipt.TikTokEvent ?? receipt.SourceEvent}</a> <span class=\"status-{receipt.Status}\">{receipt.Status}</span> via {receipt.JoinPath ?? "none"}</li>");
        }

        return html.Append($"</ul>").ToFragment();
    }
}
