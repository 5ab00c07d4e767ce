using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Able.Testing;

/// <summary>One webhook subscription the fake holds; <see cref="SigningKey"/> is what Calendly would sign with (tests read it).</summary>
public sealed class FakeCalendlySubscription(string uuid, string callbackUrl, string scope, string organization, string? user, IReadOnlyList<string> events, string signingKey, DateTimeOffset createdAt)
{
    public string Uuid { get; } = uuid;

    public string CallbackUrl { get; } = callbackUrl;

    public string Scope { get; } = scope;

    public string Organization { get; } = organization;

    public string? User { get; } = user;

    public IReadOnlyList<string> Events { get; } = events;

    public string SigningKey { get; } = signingKey;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public string State { get; internal set; } = "active";

    public DateTimeOffset? RetryStartedAt { get; internal set; }
}

/// <summary>One request the fake received (never the token: only whether it was the valid one) and its status.</summary>
public sealed record FakeCalendlyRequest(string Method, string PathAndQuery, bool Authorized, int Status, TimeSpan At);

/// <summary>
/// The Calendly API v2 parts Able uses, on real Kestrel (loopback): Bearer auth, <c>GET /users/me</c>, and
/// <c>GET/POST/DELETE /webhook_subscriptions</c> with Calendly's pagination (a small page size, so tests page) and error bodies.
/// Tests queue 429s, disable or remove a subscription (as Calendly does after 24 h of failures or a 410), take webhooks off
/// the plan (403 on POST), and read the request log and the stored signing keys. Thread-safe: two replicas may call it at once.
/// </summary>
public sealed class FakeCalendly : IAsyncDisposable
{
    public const string DefaultToken = "calendly-test-token";

    private static readonly HashSet<string> KnownEvents =
        ["invitee.created", "invitee.canceled", "invitee_no_show.created", "invitee_no_show.deleted", "routing_form_submission.created"];

    private readonly Lock gate = new();
    private readonly List<FakeCalendlySubscription> subscriptions = [];
    private readonly ConcurrentQueue<(TimeSpan Wait, bool RetryAfterHeader)> rateLimits = new();
    private readonly ConcurrentQueue<int> serverErrors = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private LoopbackServer? server;

    private FakeCalendly()
    {
    }

    /// <summary>The API's base URL without a trailing slash (<c>Able:Attribution:Calendly:ApiBaseUrl</c>).</summary>
    public string BaseUrl => server!.Url;

    /// <summary>The one token the fake accepts.</summary>
    public string Token { get; set; } = DefaultToken;

    public string UserUri => $"{BaseUrl}/users/AAAAAAAAAAAAAAAA";

    public string OrganizationUri => $"{BaseUrl}/organizations/BBBBBBBBBBBBBBBB";

    /// <summary>Largest page the fake returns, whatever <c>count</c> asks; small so tests exercise paging. Default 2.</summary>
    public int MaxPageSize { get; set; } = 2;

    /// <summary>False: a plan without webhooks (403 "Permission Denied" on POST).</summary>
    public bool WebhooksOnPlan { get; set; } = true;

    /// <summary>True: the next create is made, but its answer is a 502 (the answer lost on the way), as far as the caller can tell it failed.</summary>
    public bool LoseNextCreateAnswer { get; set; }

    /// <summary>How long every answer takes (a slow API), so that concurrent callers overlap. Default none.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>How long the fake has run when the request came (<see cref="FakeCalendlyRequest.At"/>).</summary>
    public TimeSpan Elapsed => clock.Elapsed;

    public ConcurrentQueue<FakeCalendlyRequest> Requests { get; } = new();

    public static async Task<FakeCalendly> StartAsync()
    {
        var fake = new FakeCalendly();
        fake.server = await LoopbackServer.StartAsync(app => app.Run(fake.HandleAsync));
        return fake;
    }

    /// <summary>The next request (any) gets 429 with <c>Retry-After: {seconds}</c>.</summary>
    public void QueueRateLimit(TimeSpan retryAfter) => rateLimits.Enqueue((retryAfter, true));

    /// <summary>The next request (any) gets 429 with only <c>X-RateLimit-Reset: {seconds}</c> (and <c>X-RateLimit-Remaining: 0</c>).</summary>
    public void QueueRateLimitReset(TimeSpan reset) => rateLimits.Enqueue((reset, false));

    /// <summary>The next request (any) gets this server error (503 Service Unavailable by default), once per call.</summary>
    public void QueueServerError(int status = 503) => serverErrors.Enqueue(status);

    public IReadOnlyList<FakeCalendlySubscription> Subscriptions
    {
        get
        {
            lock (gate)
            {
                return [.. subscriptions];
            }
        }
    }

    public int CountFor(string callbackUrl) => Subscriptions.Count(s => s.CallbackUrl == callbackUrl);

    /// <summary>The key the (single) subscription for the URL signs with.</summary>
    public string SigningKeyFor(string callbackUrl) => Subscriptions.Single(s => s.CallbackUrl == callbackUrl).SigningKey;

    /// <summary>Adds a subscription as if someone else had created it (another URL, to fill pages).</summary>
    public FakeCalendlySubscription Seed(string callbackUrl, string scope = "organization", string signingKey = "seeded-key")
    {
        var subscription = new FakeCalendlySubscription(Guid.NewGuid().ToString(), callbackUrl, scope, OrganizationUri,
            scope == "user" ? UserUri : null, ["invitee.created"], signingKey, DateTimeOffset.UtcNow);
        lock (gate)
        {
            subscriptions.Add(subscription);
        }

        return subscription;
    }

    /// <summary>Calendly gave up retrying (24 h of failures): the subscription is <c>disabled</c>.</summary>
    public void Disable(string callbackUrl)
    {
        lock (gate)
        {
            foreach (var subscription in subscriptions.Where(s => s.CallbackUrl == callbackUrl))
            {
                subscription.State = "disabled";
                subscription.RetryStartedAt ??= DateTimeOffset.UtcNow.AddHours(-24);
            }
        }
    }

    /// <summary>The endpoint answered 410: Calendly deleted the subscription.</summary>
    public void Remove(string callbackUrl)
    {
        lock (gate)
        {
            subscriptions.RemoveAll(s => s.CallbackUrl == callbackUrl);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var at = clock.Elapsed;
        var authorized = request.Headers.Authorization.ToString() == $"Bearer {Token}";
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency);
        }

        var (status, body) = await AnswerAsync(context, authorized);
        Requests.Enqueue(new FakeCalendlyRequest(request.Method, request.Path + request.QueryString, authorized, status, at));
        context.Response.StatusCode = status;
        if (body is not null)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(body.ToJsonString());
        }
    }

    private async Task<(int Status, JsonObject? Body)> AnswerAsync(HttpContext context, bool authorized)
    {
        if (rateLimits.TryDequeue(out var limit))
        {
            var seconds = ((int)Math.Ceiling(limit.Wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            if (limit.RetryAfterHeader)
            {
                context.Response.Headers.RetryAfter = seconds;
            }

            context.Response.Headers["X-RateLimit-Limit"] = "500";
            context.Response.Headers["X-RateLimit-Remaining"] = "0";
            context.Response.Headers["X-RateLimit-Reset"] = seconds;
            return (429, Error("Too Many Requests", "You have exceeded the rate limit"));
        }

        if (serverErrors.TryDequeue(out var serverError))
        {
            return (serverError, Error("Service Unavailable", "Please try again later"));
        }

        if (!authorized)
        {
            return (401, Error("Unauthenticated", "The access token is invalid"));
        }

        var path = context.Request.Path.Value ?? "";
        var method = context.Request.Method;
        return (method, path) switch
        {
            ("GET", "/users/me") => (200, new JsonObject { ["resource"] = UserResource() }),
            ("GET", "/webhook_subscriptions") => List(context.Request.Query),
            ("POST", "/webhook_subscriptions") => Create(await ReadJsonAsync(context.Request)),
            ("DELETE", _) when path.StartsWith("/webhook_subscriptions/", StringComparison.Ordinal) => Delete(path["/webhook_subscriptions/".Length..]),
            _ => (404, Error("Resource Not Found", $"{method} {path} is not part of the fake")),
        };
    }

    private JsonObject UserResource() => new()
    {
        ["uri"] = UserUri,
        ["name"] = "Test User",
        ["slug"] = "test-user",
        ["email"] = "owner@example.com",
        ["timezone"] = "Europe/Berlin",
        ["current_organization"] = OrganizationUri,
        ["resource_type"] = "User",
    };

    private (int, JsonObject?) List(IQueryCollection query)
    {
        var scope = query["scope"].ToString();
        if (query["organization"].ToString() != OrganizationUri)
        {
            return (400, Error("Invalid Argument", "The supplied parameters are invalid.", "organization", "is invalid"));
        }

        if (scope is not ("organization" or "user" or "group"))
        {
            return (400, Error("Invalid Argument", "The supplied parameters are invalid.", "scope", "must be one of organization, user, group"));
        }

        if (scope == "user" && query["user"].ToString() != UserUri)
        {
            return (400, Error("Invalid Argument", "The supplied parameters are invalid.", "user", "is required for scope user"));
        }

        var size = int.TryParse(query["count"], out var count) && count is > 0 and <= 100 ? Math.Min(count, MaxPageSize) : MaxPageSize;
        var offset = int.TryParse(query["page_token"], out var token) && token >= 0 ? token : 0;
        List<FakeCalendlySubscription> matching;
        lock (gate)
        {
            matching = [.. subscriptions.Where(s => s.Scope == scope && (scope != "user" || s.User == UserUri))];
        }

        var page = matching.Skip(offset).Take(size).ToList();
        var more = offset + page.Count < matching.Count;
        var next = more
            ? $"{BaseUrl}/webhook_subscriptions?count={size}&organization={Uri.EscapeDataString(OrganizationUri)}&page_token={offset + page.Count}&scope={scope}"
              + (scope == "user" ? $"&user={Uri.EscapeDataString(UserUri)}" : "")
            : null;
        return (200, new JsonObject
        {
            ["collection"] = new JsonArray([.. page.Select(Resource)]),
            ["pagination"] = new JsonObject
            {
                ["count"] = page.Count,
                ["next_page"] = next,
                ["previous_page"] = null,
                ["next_page_token"] = more ? (offset + page.Count).ToString(CultureInfo.InvariantCulture) : null,
                ["previous_page_token"] = null,
            },
        });
    }

    private (int, JsonObject?) Create(JsonObject? body)
    {
        if (!WebhooksOnPlan)
        {
            return (403, Error("Permission Denied", "Please upgrade your Calendly account to Standard"));
        }

        var url = (string?)body?["url"];
        var scope = (string?)body?["scope"];
        var key = (string?)body?["signing_key"];
        var events = body?["events"] is JsonArray list ? list.Select(e => (string?)e ?? "").ToList() : [];
        if (body is null || string.IsNullOrEmpty(url) || !Uri.IsWellFormedUriString(url, UriKind.Absolute))
        {
            return (400, Error("Invalid Argument", "The supplied parameters are invalid.", "url", "must be a valid URL"));
        }

        if (events.Count == 0 || events.Any(e => !KnownEvents.Contains(e)))
        {
            return (400, Error("Invalid Argument", "The supplied parameters are invalid.", "events", "must be known events"));
        }

        if ((string?)body["organization"] != OrganizationUri || scope is not ("organization" or "user"))
        {
            return (400, Error("Invalid Argument", "The supplied parameters are invalid.", "organization", "or scope is invalid"));
        }

        if (scope == "user" && (string?)body["user"] != UserUri)
        {
            return (400, Error("Invalid Argument", "The supplied parameters are invalid.", "user", "is required for scope user"));
        }

        if (string.IsNullOrEmpty(key))
        {
            return (400, Error("Invalid Argument", "The supplied parameters are invalid.", "signing_key", "is missing"));
        }

        FakeCalendlySubscription created;
        lock (gate)
        {
            if (subscriptions.Any(s => s.CallbackUrl == url && s.Scope == scope))
            {
                return (409, Error("Already Exists", "Hook with this url already exists"));
            }

            created = new FakeCalendlySubscription(Guid.NewGuid().ToString(), url, scope, OrganizationUri, scope == "user" ? UserUri : null, events, key, DateTimeOffset.UtcNow);
            subscriptions.Add(created);
        }

        if (LoseNextCreateAnswer)
        {
            LoseNextCreateAnswer = false;
            return (502, Error("Bad Gateway", "The upstream did not answer"));
        }

        return (201, new JsonObject { ["resource"] = Resource(created) });
    }

    private (int, JsonObject?) Delete(string uuid)
    {
        lock (gate)
        {
            return subscriptions.RemoveAll(s => s.Uuid == uuid) > 0
                ? (204, null)
                : (404, Error("Resource Not Found", "The server could not find the requested resource."));
        }
    }

    private JsonObject Resource(FakeCalendlySubscription s) => new()
    {
        ["uri"] = $"{BaseUrl}/webhook_subscriptions/{s.Uuid}",
        ["callback_url"] = s.CallbackUrl,
        ["created_at"] = s.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
        ["updated_at"] = s.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
        ["retry_started_at"] = s.RetryStartedAt?.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
        ["state"] = s.State,
        ["events"] = new JsonArray([.. s.Events.Select(e => (JsonNode)e)]),
        ["scope"] = s.Scope,
        ["organization"] = s.Organization,
        ["user"] = s.User,
        ["group"] = null,
        ["creator"] = UserUri,
    };

    private static async Task<JsonObject?> ReadJsonAsync(HttpRequest request)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static JsonObject Error(string title, string message, string? parameter = null, string? problem = null)
    {
        var error = new JsonObject { ["title"] = title, ["message"] = message };
        if (parameter is not null)
        {
            error["details"] = new JsonArray(new JsonObject { ["parameter"] = parameter, ["message"] = problem });
        }

        return error;
    }

    public ValueTask DisposeAsync() => server!.DisposeAsync();
}
