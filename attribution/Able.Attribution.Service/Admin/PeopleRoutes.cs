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
        var query = AdminQuery.Of(context.Request);
        if (query.Problem is { } problem)
        {
            return problem;
        }

        var (contact, bodyProblem) = await ContactBody.ReadAsync(context, options.CurrentValue);
        if (contact is null)
        {
            return bodyProblem!;
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
        var query = AdminQuery.Of(context.Request);
        if (query.Problem is { } problem)
        {
            return problem;
        }

        var (contact, bodyProblem) = await ContactBody.ReadAsync(context, options.CurrentValue);
        if (contact is null)
        {
            return bodyProblem!;
        }

        var report = await eraser.EraseAsync(contact);
        var logger = AdminLog.Of(logs);
        var client = ClientAddress.Normalise(context.Connection.RemoteIpAddress);
        AdminLog.PersonErased(logger, contact.Kind, client,
            report.Visitors, report.IdentityLinks, report.Receipts, report.DeadLetters, report.PendingDeliveries, report.IngestEntries);
        return AdminJson.Ok(report);
    }
}
