using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Able.Testing;

/// <summary>One Measurement Protocol request the fake received, with the HTTP status it answered.</summary>
public sealed record FakeGa4Request(string? MeasurementId, string? ApiSecret, JsonObject Body, int Status)
{
    public IReadOnlyList<JsonObject> Events => [.. (Body["events"] as JsonArray ?? []).OfType<JsonObject>()];

    /// <summary>The first event's parameter <paramref name="name"/> as text (null when absent).</summary>
    public string? Parameter(string name) => Events.Count > 0 ? Events[0]["params"]?[name]?.ToString() : null;
}

/// <summary>
/// GA4's Measurement Protocol on real Kestrel (loopback): <c>POST /mp/collect</c> records each request and answers from a
/// script (queued statuses first, then 204, as GA4 does, even for an event it would drop), and <c>POST /debug/mp/collect</c>
/// answers <c>{"validationMessages": [...]}</c> as the validation server does. Both check requests against the documented
/// shape and limits on their own (not with the code under test): what breaks them is kept in <see cref="Violations"/>.
/// </summary>
public sealed partial class FakeGa4 : IAsyncDisposable
{
    private readonly ConcurrentQueue<int> queued = new();
    private readonly ConcurrentQueue<(string FieldPath, string Description, string ValidationCode)> queuedMessages = new();
    private readonly ConcurrentQueue<int> queuedValidationStatuses = new();
    private LoopbackServer? server;

    private FakeGa4()
    {
    }

    public Uri BaseUrl => new(server!.Url + "/");

    /// <summary>Requests to <c>/mp/collect</c>, in arrival order.</summary>
    public ConcurrentQueue<FakeGa4Request> Requests { get; } = new();

    /// <summary>Requests to <c>/debug/mp/collect</c>.</summary>
    public ConcurrentQueue<FakeGa4Request> ValidationRequests { get; } = new();

    public ConcurrentQueue<string> Violations { get; } = new();

    /// <summary>The API secret requests must carry; null accepts any non-empty one.</summary>
    public string? ExpectedApiSecret { get; set; }

    /// <summary>How long each request to <c>/mp/collect</c> takes before it is answered (recorded at once, when it arrives).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Requests GA4 took (answered 2xx).</summary>
    public IReadOnlyList<FakeGa4Request> Accepted => [.. Requests.Where(r => r.Status is >= 200 and <= 299)];

    /// <summary>Accepted requests with an event named <paramref name="eventName"/> for <paramref name="clientId"/>.</summary>
    public int AcceptedCount(string eventName, string clientId) =>
        Accepted.Count(r => r.Events.Any(e => (string?)e["name"] == eventName) && (string?)r.Body["client_id"] == clientId);

    /// <summary>Answers the next requests to <c>/mp/collect</c> with these HTTP statuses.</summary>
    public void Enqueue(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            queued.Enqueue(status);
        }
    }

    /// <summary>
    /// Adds a message to the next answer of <c>/debug/mp/collect</c> (after those of its own checks), as GA4 reports what its
    /// validation finds that the fake does not check.
    /// </summary>
    public void EnqueueValidationMessage(string fieldPath, string description, string validationCode) =>
        queuedMessages.Enqueue((fieldPath, description, validationCode));

    /// <summary>Answers the next requests to <c>/debug/mp/collect</c> with these HTTP statuses and a body that is not JSON.</summary>
    public void EnqueueValidationStatus(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            queuedValidationStatuses.Enqueue(status);
        }
    }

    public static async Task<FakeGa4> StartAsync()
    {
        var fake = new FakeGa4();
        fake.server = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/mp/collect", (Delegate)fake.CollectAsync);
            app.MapPost("/debug/mp/collect", (Delegate)fake.ValidateAsync);
            app.MapFallback((HttpContext context) =>
            {
                fake.Violations.Enqueue($"unexpected {context.Request.Method} {context.Request.Path}");
                return Results.NotFound();
            });
        });
        return fake;
    }

    private async Task<IResult> CollectAsync(HttpContext context)
    {
        var (body, problems, measurementId, secret) = await ReadAsync(context);
        foreach (var problem in problems)
        {
            Violations.Enqueue(problem);
        }

        var status = queued.TryDequeue(out var next) ? next : StatusCodes.Status204NoContent;
        Requests.Enqueue(new FakeGa4Request(measurementId, secret, body, status));
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay);
        }

        return Results.StatusCode(status);
    }

    private async Task<IResult> ValidateAsync(HttpContext context)
    {
        var (body, problems, measurementId, secret) = await ReadAsync(context);
        if (queuedValidationStatuses.TryDequeue(out var status))
        {
            ValidationRequests.Enqueue(new FakeGa4Request(measurementId, secret, body, status));
            return Results.Text("not a validation answer", "text/plain", statusCode: status);
        }

        ValidationRequests.Enqueue(new FakeGa4Request(measurementId, secret, body, 200));
        var messages = problems.Select(p => (FieldPath: p.Split(':')[0], Description: p, ValidationCode: "VALUE_INVALID")).ToList();
        while (queuedMessages.TryDequeue(out var queuedMessage))
        {
            messages.Add(queuedMessage);
        }

        return Results.Json(new
        {
            validationMessages = messages.Select(m => new { fieldPath = m.FieldPath, description = m.Description, validationCode = m.ValidationCode }),
        });
    }

    private async Task<(JsonObject Body, List<string> Problems, string? MeasurementId, string? Secret)> ReadAsync(HttpContext context)
    {
        var problems = new List<string>();
        string? measurementId = context.Request.Query["measurement_id"];
        string? secret = context.Request.Query["api_secret"];
        if (string.IsNullOrEmpty(measurementId) || !MeasurementIdPattern().IsMatch(measurementId))
        {
            problems.Add($"measurement_id: '{measurementId}' is not a measurement id");
        }

        if (string.IsNullOrEmpty(secret) || (ExpectedApiSecret is not null && secret != ExpectedApiSecret))
        {
            problems.Add("api_secret: missing or wrong");
        }

        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            problems.Add($"Content-Type: {context.Request.ContentType}");
        }

        JsonObject? body = null;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            problems.Add("body: not JSON");
        }

        if (body is not null)
        {
            problems.AddRange(Check(body));
        }

        return (body ?? [], problems, measurementId, secret);
    }

    /// <summary>The documented shape and limits: client_id; 1-25 events; names; at most 25 parameters; values of at most 100 characters.</summary>
    private static IEnumerable<string> Check(JsonObject body)
    {
        if (body["client_id"] is not JsonValue client || !client.TryGetValue<string>(out var clientId) || clientId.Length == 0)
        {
            yield return "client_id: required";
        }

        if (body["timestamp_micros"] is { } micros && (micros is not JsonValue value || !value.TryGetValue<long>(out _)))
        {
            yield return "timestamp_micros: must be an integer";
        }

        if (body["events"] is not JsonArray events || events.Count is 0 or > 25)
        {
            yield return "events: 1 to 25 events";
            yield break;
        }

        foreach (var node in events)
        {
            var name = node?["name"]?.ToString() ?? "";
            if (name.Length > 40 || !EventNamePattern().IsMatch(name))
            {
                yield return $"events.name: '{name}' is not a valid event name";
            }

            if (node?["params"] is not JsonObject parameters)
            {
                continue;
            }

            if (parameters.Count > 25)
            {
                yield return $"events.params: {parameters.Count} parameters";
            }

            foreach (var (key, parameter) in parameters)
            {
                if (parameter is JsonValue text && text.TryGetValue<string>(out var s) && s.Length > 100)
                {
                    yield return $"events.params.{key}: longer than 100 characters";
                }
            }

            if (name == "purchase" && parameters["transaction_id"] is null)
            {
                yield return "events.params.transaction_id: a purchase needs one";
            }

            if (parameters["value"] is not null && parameters["currency"] is null)
            {
                yield return "events.params.currency: required with value";
            }
        }
    }

    [GeneratedRegex(@"^G-[A-Z0-9]+$")]
    private static partial Regex MeasurementIdPattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex EventNamePattern();

    public ValueTask DisposeAsync() => server!.DisposeAsync();
}
