using Able.Attribution.Erasure;
using Able.Attribution.Journeys;
using Able.Hosting;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.Admin;

/// <summary>
/// A person by email or phone, always in the JSON body (the URL would put the raw value in logs):
/// <c>POST /admin/api/journey</c> (their visitors, touches and conversions) and <c>DELETE /admin/api/people</c> (the
/// GDPR/CCPA erasure, answering what was removed). Both are logged by kind and counts, never by value or hash.
/// </summary>
internal static class PeopleRoutes
{
    public static void MapPeopleRoutes(this RouteGroupBuilder admin)
    {
        admin.MapPost("/journey", JourneyAsync)
            .WithSummary("A person's journey; body {\"email\"} or {\"phone\", \"funnel\"}")
            .Produces<Journey>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        admin.MapDelete("/people", EraseAsync)
            .WithSummary("Erase a person (GDPR/CCPA); body {\"email\"} or {\"phone\", \"funnel\"}")
            .Produces<ErasureReport>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
    }

    private static async Task<IResult> JourneyAsync(
        HttpContext context, IOptionsMonitor<AbleOptions> options, JourneyLookup journeys, ILoggerFactory logs)
    {
        var (contact, problem) = await ReadContactAsync(context, options.CurrentValue);
        if (contact is null)
        {
            return problem!;
        }

        var journey = await journeys.FindAsync(contact);
        var logger = AdminLog.Of(logs);
        var client = ClientAddress.Normalise(context.Connection.RemoteIpAddress);
        var visitors = journey.Visitors.Count;
        var unmatched = journey.UnmatchedConversions.Count;
        AdminLog.JourneyLookedUp(logger, contact.Kind, client, visitors, unmatched);
        return AdminJson.Ok(journey);
    }

    private static async Task<IResult> EraseAsync(
        HttpContext context, IOptionsMonitor<AbleOptions> options, PersonEraser eraser, ILoggerFactory logs)
    {
        var (contact, problem) = await ReadContactAsync(context, options.CurrentValue);
        if (contact is null)
        {
            return problem!;
        }

        var report = await eraser.EraseAsync(contact);
        var logger = AdminLog.Of(logs);
        var client = ClientAddress.Normalise(context.Connection.RemoteIpAddress);
        AdminLog.PersonErased(logger, contact.Kind, client,
            report.Visitors, report.IdentityLinks, report.Receipts, report.DeadLetters, report.PendingDeliveries, report.IngestEntries);
        return AdminJson.Ok(report);
    }

    /// <summary>The person a journey or erasure request names (its JSON body; the routes take no query parameters), or the problem.</summary>
    private static async Task<ContactBody.Result> ReadContactAsync(HttpContext context, AbleOptions options) =>
        AdminQuery.Of(context.Request).Problem is { } queryProblem
            ? new ContactBody.Result(null, queryProblem)
            : await ContactBody.ReadAsync(context, options);
}
