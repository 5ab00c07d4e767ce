using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Able.Testing;

/// <summary>How the fake answers one request.</summary>
/// <remarks>
/// <see cref="Hang"/>: answers only after the client gave up (not accepted). <see cref="Delay"/>: TikTok takes that long
/// and then answers as scripted, whether or not the client still waits (an accepted request stays accepted).
/// </remarks>
public sealed record FakeReply(int HttpStatus = 200, long? Code = 0, string Message = "OK", TimeSpan Hang = default, TimeSpan Delay = default)
{
    public static FakeReply Ok { get; } = new();

    public static FakeReply TooManyRequests { get; } = new(Code: 40100, Message: "Too many requests");

    public static FakeReply TokenInvalid { get; } = new(Code: 40105, Message: "Access token is invalid");

    public static FakeReply ServerError { get; } = new(HttpStatus: 500, Code: null, Message: "internal error");

    /// <summary>What TikTok answers a token that may not send to the pixel (another advertiser's pixel, or no such pixel).</summary>
    public static FakeReply NoPermission { get; } = new(Code: 40001, Message: "No permission to operate pixel code");

    /// <summary>What TikTok answers a pixel code it does not know, naming the field.</summary>
    public static FakeReply InvalidPixel(string pixelId) => new(Code: 40002, Message: $"Invalid value for event_source_id: {pixelId}");

    public static FakeReply HangFor(TimeSpan hang) => new(Hang: hang);

    public static FakeReply OkAfter(TimeSpan delay) => new(Delay: delay);

    public static FakeReply InvalidEvent(string eventId) => new(Code: 40002, Message: $"Invalid parameter: data.event_id {eventId} is invalid");
}

/// <summary>One request the fake received.</summary>
public sealed record FakeRequest(string? AccessToken, JsonObject Body, FakeReply Reply)
{
    public IReadOnlyList<JsonObject> Events => [.. Body["data"]!.AsArray().Select(e => e!.AsObject())];
}

/// <summary>
/// A TikTok Events API on real Kestrel (loopback). It checks every request against the reference
/// (path, <c>Access-Token</c>, JSON body shape, hashed values as 64 lower-case hex, at most 1000 events)
/// and answers from a script: queued replies first, then <see cref="Responder"/> (default: code 0).
/// A reference violation is recorded and answered 40002.
/// </summary>
public sealed partial class FakeTikTok : IAsyncDisposable
{
    private static readonly HashSet<string> StandardEvents = ["Schedule", "Purchase", "Lead", "CompleteRegistration", "ViewContent", "Contact", "SubmitApplication"];
    private readonly ConcurrentQueue<FakeReply> queued = new();
    private LoopbackServer? server;

    private FakeTikTok()
    {
    }

    public Uri BaseUrl => new(server!.Url + "/");

    public ConcurrentQueue<FakeRequest> Requests { get; } = new();

    public ConcurrentQueue<string> Violations { get; } = new();

    /// <summary>Answers requests when no reply is queued. Default: accept.</summary>
    public Func<IReadOnlyList<JsonObject>, FakeReply> Responder { get; set; } = _ => FakeReply.Ok;

    /// <summary>Events in requests answered with code 0: what TikTok accepted.</summary>
    public IReadOnlyList<JsonObject> Accepted =>
        [.. Requests.Where(r => r.Reply.Code == 0 && r.Reply.HttpStatus == 200 && r.Reply.Hang == TimeSpan.Zero).SelectMany(r => r.Events)];

    public int AcceptedCount(string eventId) => Accepted.Count(e => (string?)e["event_id"] == eventId);

    public void Enqueue(params FakeReply[] replies)
    {
        foreach (var reply in replies)
        {
            queued.Enqueue(reply);
        }
    }

    public static async Task<FakeTikTok> StartAsync()
    {
        var fake = new FakeTikTok();
        fake.server = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/open_api/v1.3/event/track/", (Delegate)fake.HandleAsync);
            app.MapFallback((HttpContext context) =>
            {
                fake.Violations.Enqueue($"unexpected {context.Request.Method} {context.Request.Path}");
                return Results.NotFound();
            });
        });
        return fake;
    }

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        var token = context.Request.Headers["Access-Token"].ToString();
        JsonObject? body = null;
        var problems = new List<string>();
        if (string.IsNullOrEmpty(token))
        {
            problems.Add("Access-Token header missing");
        }

        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            problems.Add($"Content-Type is {context.Request.ContentType}");
        }

        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            problems.Add("body is not JSON");
        }

        if (body is not null)
        {
            problems.AddRange(Validate(body));
        }

        if (problems.Count > 0 || body is null)
        {
            foreach (var problem in problems)
            {
                Violations.Enqueue(problem);
            }

            var invalid = FakeReply.InvalidEvent(string.Join("; ", problems));
            Requests.Enqueue(new FakeRequest(token, body ?? [], invalid));
            return Results.Json(new { code = 40002, message = string.Join("; ", problems), request_id = Guid.NewGuid().ToString("N") });
        }

        var events = body["data"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var reply = queued.TryDequeue(out var next) ? next : Responder(events);
        Requests.Enqueue(new FakeRequest(token, body, reply));
        if (reply.Hang > TimeSpan.Zero)
        {
            await Task.Delay(reply.Hang, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return Results.Json(new { code = 0, message = "too late", request_id = "late" });
        }

        if (reply.Delay > TimeSpan.Zero)
        {
            await Task.Delay(reply.Delay);
        }

        if (reply.Code is null)
        {
            return Results.Text(reply.Message, statusCode: reply.HttpStatus);
        }

        return Results.Json(new { code = reply.Code, message = reply.Message, request_id = Guid.NewGuid().ToString("N"), data = new { } }, statusCode: reply.HttpStatus);
    }

    private static IEnumerable<string> Validate(JsonObject body)
    {
        if ((string?)body["event_source"] != "web")
        {
            yield return "event_source must be web";
        }

        if (string.IsNullOrEmpty((string?)body["event_source_id"]))
        {
            yield return "event_source_id missing";
        }

        if (body["data"] is not JsonArray data || data.Count == 0)
        {
            yield return "data must be a non-empty array";
            yield break;
        }

        if (data.Count > 1000)
        {
            yield return $"data has {data.Count} events (at most 1000)";
        }

        foreach (var node in data)
        {
            if (node is not JsonObject e)
            {
                yield return "data item is not an object";
                continue;
            }

            if (!StandardEvents.Contains((string?)e["event"] ?? ""))
            {
                yield return $"event '{e["event"]}' is not a standard event";
            }

            if (e["event_time"] is not JsonValue time || !time.TryGetValue<long>(out var seconds) || seconds is < 1_000_000_000 or > 9_999_999_999)
            {
                yield return "event_time must be Unix seconds";
            }

            if (string.IsNullOrEmpty((string?)e["event_id"]))
            {
                yield return "event_id missing";
            }

            if (string.IsNullOrEmpty((string?)e["page"]?["url"]))
            {
                yield return "page.url missing";
            }

            if (e["user"] is not JsonObject user)
            {
                yield return "user missing";
                continue;
            }

            foreach (var key in new[] { "email", "phone", "external_id" })
            {
                if (user[key] is null)
                {
                    continue;
                }

                if (user[key] is not JsonArray hashes || hashes.Any(h => h is not JsonValue v || !v.TryGetValue<string>(out var s) || !HashPattern().IsMatch(s)))
                {
                    yield return $"user.{key} must be an array of SHA-256 lower-case hex";
                }
            }

            foreach (var key in new[] { "ttclid", "ttp", "ip", "user_agent", "locale" })
            {
                if (user[key] is { } value && value.GetValueKind() != System.Text.Json.JsonValueKind.String)
                {
                    yield return $"user.{key} must be a string";
                }
            }
        }
    }

    [GeneratedRegex("^[a-f0-9]{64}$")]
    private static partial Regex HashPattern();

    public ValueTask DisposeAsync() => server!.DisposeAsync();
}
