using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Able.Attribution.Delivery;
using Able.Hosting;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.Admin;

/// <summary>
/// One dead letter as the admin API shows it: why it failed, TikTok's code and message, the payload (hashed values only)
/// parsed when it is JSON, and of a poison ingest entry the names of its fields (not their values).
/// </summary>
internal sealed record DeadLetterView(
    string Id,
    DateTimeOffset? At,
    string Kind,
    string Funnel,
    string? DeliveryId,
    string? Event,
    string? EventId,
    string Reason,
    long? TikTokCode,
    string? TikTokMessage,
    JsonNode? Payload,
    string? EntryId,
    string? ErrorType,
    string? ErrorMessage,
    long? Deliveries,
    IReadOnlyList<string> EntryFields)
{
    public static DeadLetterView Of(DeadLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        return new DeadLetterView(
            letter.Id,
            DeadLetterRoutes.TryParseId(letter.Id, out var at) ? at : null,
            letter.Kind,
            letter.Mark,
            letter.DeliveryId.Length == 0 ? null : letter.DeliveryId,
            letter.TikTokEvent,
            letter.EventId,
            letter.Reason,
            letter.TikTokCode,
            letter.TikTokMessage,
            ParsePayload(letter.Payload),
            letter.EntryId,
            letter.ErrorType,
            letter.ErrorMessage,
            letter.Deliveries,
            [.. letter.EntryFields.Select(f => f.Name.ToString())]);
    }

    /// <summary>The payload as JSON when it is (a delivery's event), else as the text stored (an unreadable job).</summary>
    private static JsonNode? ParsePayload(string? payload)
    {
        if (string.IsNullOrEmpty(payload))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(payload);
        }
        catch (JsonException)
        {
            return JsonValue.Create(payload);
        }
    }
}

/// <summary>A page of dead letters, oldest first; <see cref="NextCursor"/> is absent on the last page.</summary>
internal sealed record DeadLetterList(IReadOnlyList<DeadLetterView> Items, string? NextCursor);

/// <summary>What replaying every dead letter did: one outcome per dead letter.</summary>
internal sealed record ReplayAllOutcome(int Queued, int NotReplayable, int NotFound, IReadOnlyList<ReplayOutcome> Outcomes);

/// <summary>
/// The dead letters (<see cref="DeadLetterReplay"/>): <c>GET /admin/api/deadletters?funnel=&amp;limit=&amp;cursor=</c>,
/// <c>GET /admin/api/deadletters/{id}</c>, <c>POST /admin/api/deadletters/{id}/replay</c>,
/// <c>POST /admin/api/deadletters/replay?funnel=</c> (all), <c>DELETE /admin/api/deadletters/{id}</c> (discard).
/// </summary>
internal static class DeadLetterRoutes
{
    public const int MaxLimit = 500;
    public const int DefaultLimit = 50;

    public static void MapDeadLetterRoutes(this RouteGroupBuilder admin)
    {
        admin.MapGet("/deadletters", ListAsync)
            .WithSummary("Dead letters, oldest first: ?funnel=&limit=&cursor=")
            .Produces<DeadLetterList>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/deadletters/replay", ReplayAllAsync)
            .WithSummary("Replay every dead letter (?funnel= for one funnel's)").Produces<ReplayAllOutcome>().ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapGet("/deadletters/{id}", GetAsync)
            .WithSummary("One dead letter").Produces<DeadLetterView>().ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/deadletters/{id}/replay", ReplayAsync)
            .WithSummary("Replay one dead letter (sent at most once)").Produces<ReplayOutcome>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapDelete("/deadletters/{id}", DiscardAsync)
            .WithSummary("Discard one dead letter").Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IOptionsMonitor<AbleOptions> options, DeadLetterReplay deadLetters)
    {
        var query = AdminQuery.Of(context.Request, "funnel", "limit", "cursor");
        var funnel = query.Funnel(options.CurrentValue);
        var limit = query.Integer("limit", 1, MaxLimit, DefaultLimit);
        var cursor = query.Text("cursor");
        if (cursor is not null && !DeadLetterReplay.IsStreamId(cursor))
        {
            query.Fail(AdminProblems.BadParameter("cursor", "cursor is not one this API gave out (the id of a dead letter, such as 1764680000000-0)"));
        }

        if (query.Problem is { } problem)
        {
            return problem;
        }

        var page = await deadLetters.ListAsync(funnel?.Mark, limit, cursor);
        if (page.Problem is { } pageProblem)
        {
            return AdminProblems.BadParameter("cursor", $"cursor: {pageProblem}");
        }

        return AdminJson.Ok(new DeadLetterList([.. page.Items.Select(DeadLetterView.Of)], page.NextCursor));
    }

    private static async Task<IResult> GetAsync(HttpContext context, string? id, DeadLetterReplay deadLetters)
    {
        if (Check(context, id) is { } problem)
        {
            return problem;
        }

        var letter = await deadLetters.GetAsync(id!);
        return letter is null ? NotFound(id!) : AdminJson.Ok(DeadLetterView.Of(letter));
    }

    private static async Task<IResult> ReplayAsync(HttpContext context, string? id, DeadLetterReplay deadLetters, ILoggerFactory logs)
    {
        if (Check(context, id) is { } problem)
        {
            return problem;
        }

        var outcome = await deadLetters.ReplayAsync(id!);
        var logger = AdminLog.Of(logs);
        var client = ClientAddress.Normalise(context.Connection.RemoteIpAddress);
        var result = outcome.Result.ToString();
        AdminLog.DeadLetterReplayed(logger, id!, client, result);
        return outcome.Result switch
        {
            ReplayResult.NotFound => NotFound(id!),
            ReplayResult.NotReplayable => AdminProblems.Conflict($"dead letter {id} cannot be sent again: {outcome.Detail ?? "it holds nothing to send"}"),
            _ => AdminJson.Ok(outcome),
        };
    }

    private static async Task<IResult> ReplayAllAsync(HttpContext context, IOptionsMonitor<AbleOptions> options, DeadLetterReplay deadLetters, ILoggerFactory logs)
    {
        var query = AdminQuery.Of(context.Request, "funnel");
        var funnel = query.Funnel(options.CurrentValue);
        if (query.Problem is { } problem)
        {
            return problem;
        }

        var outcomes = await deadLetters.ReplayAllAsync(funnel?.Mark);
        var result = new ReplayAllOutcome(
            outcomes.Count(o => o.Result == ReplayResult.Queued),
            outcomes.Count(o => o.Result == ReplayResult.NotReplayable),
            outcomes.Count(o => o.Result == ReplayResult.NotFound),
            outcomes);
        var logger = AdminLog.Of(logs);
        var client = ClientAddress.Normalise(context.Connection.RemoteIpAddress);
        var funnels = funnel?.Mark ?? "every funnel";
        AdminLog.DeadLettersReplayed(logger, funnels, client, result.Queued, result.NotReplayable, result.NotFound);
        return AdminJson.Ok(result);
    }

    private static async Task<IResult> DiscardAsync(HttpContext context, string? id, DeadLetterReplay deadLetters, ILoggerFactory logs)
    {
        if (Check(context, id) is { } problem)
        {
            return problem;
        }

        if (!await deadLetters.DiscardAsync(id!))
        {
            return NotFound(id!);
        }

        var logger = AdminLog.Of(logs);
        var client = ClientAddress.Normalise(context.Connection.RemoteIpAddress);
        AdminLog.DeadLetterDiscarded(logger, id!, client);
        return Results.NoContent();
    }

    /// <summary>A stream id, <c>&lt;unix ms&gt;-&lt;sequence&gt;</c>, and the time it names (false past the year 9999).</summary>
    internal static bool TryParseId(string? id, out DateTimeOffset at)
    {
        at = default;
        var dash = id?.IndexOf('-', StringComparison.Ordinal) ?? -1;
        if (id is null || dash is < 1 or > 15 || dash == id.Length - 1 || id.Length - dash - 1 > 19
            || id.AsSpan(0, dash).ContainsAnyExceptInRange('0', '9') || id.AsSpan(dash + 1).ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        var milliseconds = long.Parse(id.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture);
        if (milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        at = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        return true;
    }

    private static IResult? Check(HttpContext context, string? id)
    {
        var query = AdminQuery.Of(context.Request);
        if (query.Problem is { } problem)
        {
            return problem;
        }

        return DeadLetterReplay.IsStreamId(id) ? null : AdminProblems.BadParameter("id", "id must be a dead-letter id (a stream id such as 1764680000000-0)");
    }

    private static IResult NotFound(string id) =>
        AdminProblems.NotFound($"no dead letter {id} (never was, discarded, or already replayed)");
}
