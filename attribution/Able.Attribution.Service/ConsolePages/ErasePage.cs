using System.Text.RegularExpressions;
using Able.Attribution.Erasure;
using Able.Attribution.Identity;
using Able.Attribution.Journeys;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.ConsolePages;

/// <summary>
/// <c>/console/erase</c>: the GDPR/CCPA erasure of one person. The form posts the email or phone; the confirm step
/// shows what is known and carries only its hash on; the last post erases and shows the <see cref="ErasureReport"/>.
/// </summary>
public static partial class ErasePage
{
    public static void Map(RouteGroupBuilder console)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.MapGet("/erase", (HttpContext context, IOptionsMonitor<AbleOptions> options) =>
            ConsolePage.Render(context, "Erase a person", ConsoleSection.Erase, Form(context, options.CurrentValue, problem: null)));

        console.MapPost("/erase/confirm", async (HttpContext context, JourneyLookup journeys, IOptionsMonitor<AbleOptions> options) =>
        {
            var (contact, problem) = ContactForm.Read(context.Request.Form, options.CurrentValue);
            if (contact is null)
            {
                return ConsolePage.Render(context, "Erase a person", ConsoleSection.Erase, Form(context, options.CurrentValue, problem), StatusCodes.Status400BadRequest);
            }

            var journey = await journeys.FindAsync(contact);
            return ConsolePage.Render(context, "Erase a person: confirm", ConsoleSection.Erase, Confirm(context, journey));
        });

        console.MapPost("/erase", async (HttpContext context, PersonEraser eraser, ConsoleAudit audit) =>
        {
            var form = context.Request.Form;
            var kind = (string?)form["kind"];
            var hash = (string?)form["hash"];
            if (kind is not (ContactKey.EmailKind or ContactKey.PhoneKind) || hash is null || !Sha256Hex().IsMatch(hash))
            {
                return ConsolePage.Problem(context, StatusCodes.Status400BadRequest, "Erase a person",
                    "The confirmation is not one this console made: start again from the erase form.", ConsoleSection.Erase);
            }

            var report = await eraser.EraseAsync(new ContactKey(kind, hash));
            audit.Erased(kind, context.Connection.RemoteIpAddress,
                report.Visitors, report.IdentityLinks, report.Receipts, report.DeadLetters, report.PendingDeliveries, report.IngestEntries);
            return ConsolePage.Render(context, "Erased", ConsoleSection.Erase, Report(report));
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
            <p>Removes everything kept about one person (a GDPR or CCPA request): the identity links of their email or phone,
            the visitors linked to them with their touches, their conversions' receipts, dead letters and pending deliveries.
            A later booking by them starts as a new, unmatched person. You confirm on the next step.</p>
            <form method="post" action="/console/erase/confirm" id="erase-form">
            {ContactForm.Fields(options, "Email or phone of the person")}
            {ConsolePage.CsrfField(context)}
            <button type="submit">Continue</button>
            </form>
            """).ToFragment();
    }

    private static HtmlFragment Confirm(HttpContext context, Journey journey)
    {
        var conversions = journey.Visitors.Sum(v => v.Conversions.Count) + journey.UnmatchedConversions.Count;
        var touches = journey.Visitors.Sum(v => v.Touches.Count);
        return HtmlBuilder.Of($"""
            <div class="problem" id="erase-preview">
            <p><strong>This cannot be undone.</strong> For the person with this {journey.Contact.Kind} it removes:</p>
            <ul>
            <li><data value="{journey.Visitors.Count}">{journey.Visitors.Count}</data> visitor(s) with <data value="{touches}">{touches}</data> touch(es)</li>
            <li><data value="{conversions}">{conversions}</data> conversion receipt(s), their dead letters and pending deliveries</li>
            <li>the identity links of this {journey.Contact.Kind}</li>
            </ul>
            </div>
            <form method="post" action="/console/erase" class="actions">
            <input type="hidden" name="kind" value="{journey.Contact.Kind}"><input type="hidden" name="hash" value="{journey.Contact.Sha256}">
            {ConsolePage.CsrfField(context)}
            <button type="submit" class="danger" id="erase-confirm">Erase this person</button>
            <a class="button secondary" href="/console/erase">Cancel</a>
            </form>
            """);
    }

    private static HtmlFragment Report(ErasureReport report) => HtmlBuilder.Of($"""
        <p class="notice" role="status">{(report.RemovedAnything ? "The person is erased. This is what was removed:" : "Nothing was kept about this person; nothing was removed.")}</p>
        <dl class="facts" id="erasure-report">
        <dt>Visitors</dt><dd>{PeopleFormat.Number(report.Visitors, "erased-visitors")}</dd>
        <dt>Identity links</dt><dd>{PeopleFormat.Number(report.IdentityLinks, "erased-identity-links")}</dd>
        <dt>Receipts</dt><dd>{PeopleFormat.Number(report.Receipts, "erased-receipts")}</dd>
        <dt>Dead letters</dt><dd>{PeopleFormat.Number(report.DeadLetters, "erased-dead-letters")}</dd>
        <dt>Pending deliveries</dt><dd>{PeopleFormat.Number(report.PendingDeliveries, "erased-pending-deliveries")}</dd>
        <dt>Ingest entries</dt><dd>{PeopleFormat.Number(report.IngestEntries, "erased-ingest-entries")}</dd>
        </dl>
        <p><a href="/console/erase">Erase another person</a></p>
        """);

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();
}
