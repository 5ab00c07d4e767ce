using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Calendly.Api;

/// <summary>
/// The Calendly API v2 calls Able needs (<c>/users/me</c> and <c>/webhook_subscriptions</c>), with a personal access token
/// as <c>Authorization: Bearer</c>. Each request has its own timeout (<c>RequestTimeoutMilliseconds</c>); a 429 is waited out
/// (<c>Retry-After</c>, else <c>X-RateLimit-Reset</c>) and retried while the total wait stays within <c>MaxRateLimitWaitSeconds</c>.
/// The token is never part of a result's message.
/// </summary>
public sealed class CalendlyApiClient(HttpClient http, IOptionsMonitor<AbleOptions> options, TimeProvider time)
{
    /// <summary>Most pages of subscriptions read for one list (100 each): beyond that the answer is not believed.</summary>
    public const int MaxPages = 50;

    /// <summary>Largest answer read, in bytes.</summary>
    public const int MaxResponseBytes = 4 * 1024 * 1024;

    /// <summary>The events Able subscribes to.</summary>
    public static IReadOnlyList<string> WebhookEvents { get; } =
        ["invitee.created", "invitee.canceled", "invitee_no_show.created", "invitee_no_show.deleted"];

    /// <summary>Told before each wait for a rate limit (how long), so a command can say it waits.</summary>
    public Action<TimeSpan>? RateLimitWaiting { get; set; }

    private CalendlyApiOptions Settings => options.CurrentValue.Attribution.Calendly;

    /// <summary>The API's base URL, as configured (for messages).</summary>
    public string BaseUrl => Settings.ApiBaseUrl.TrimEnd('/');

    /// <summary><c>GET /users/me</c>: the token's user and organization.</summary>
    public async Task<CalendlyApiResult<CalendlyUser>> GetCurrentUserAsync(string token, CancellationToken ct)
    {
        const string Call = "GET /users/me";
        var answer = await SendAsync(token, Call, () => new HttpRequestMessage(HttpMethod.Get, Url("users/me")), ct);
        return !answer.Succeeded ? answer.Forward<CalendlyUser>()
            : answer.Value.Status == 200 ? CalendlyApiResponses.ParseUser(answer.Value.Body)
            : CalendlyApiResult.Failure<CalendlyUser>(ErrorFor(Call, answer.Value));
    }

    /// <summary>
    /// <c>GET /webhook_subscriptions</c> of the user's organization in <paramref name="scope"/> (and of the user, for scope
    /// <c>user</c>), following <c>pagination.next_page</c> for at most <see cref="MaxPages"/> pages.
    /// </summary>
    public async Task<CalendlyApiResult<IReadOnlyList<CalendlySubscription>>> ListSubscriptionsAsync(string token, CalendlyUser user, string scope, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentException.ThrowIfNullOrEmpty(scope);
        const string Call = "GET /webhook_subscriptions";
        var query = $"webhook_subscriptions?organization={Uri.EscapeDataString(user.Organization)}&scope={Uri.EscapeDataString(scope)}&count=100";
        if (scope == "user")
        {
            query += $"&user={Uri.EscapeDataString(user.Uri)}";
        }

        var all = new List<CalendlySubscription>();
        var next = Url(query);
        for (var page = 0; page < MaxPages; page++)
        {
            var pageUrl = next;
            var answer = await SendAsync(token, Call, () => new HttpRequestMessage(HttpMethod.Get, pageUrl), ct);
            if (!answer.Succeeded)
            {
                return answer.Forward<IReadOnlyList<CalendlySubscription>>();
            }

            if (answer.Value.Status != 200)
            {
                return CalendlyApiResult.Failure<IReadOnlyList<CalendlySubscription>>(ErrorFor(Call, answer.Value));
            }

            var parsed = CalendlyApiResponses.ParsePage(answer.Value.Body);
            if (!parsed.Succeeded)
            {
                return parsed.Forward<IReadOnlyList<CalendlySubscription>>();
            }

            all.AddRange(parsed.Value.Subscriptions);
            if (parsed.Value.NextPage is null)
            {
                return CalendlyApiResult.Success<IReadOnlyList<CalendlySubscription>>(all);
            }

            // The token goes only to the configured API: a next page elsewhere is not followed.
            if (!Uri.TryCreate(parsed.Value.NextPage, UriKind.Absolute, out var nextUrl) || !SameOrigin(nextUrl, Url("")))
            {
                return CalendlyApiResult.Failure<IReadOnlyList<CalendlySubscription>>(new CalendlyApiError(CalendlyApiFailure.Unexpected, 200,
                    $"Calendly's pagination.next_page is not a URL of {BaseUrl}; it is not followed (the token is sent to the configured API only)."));
            }

            next = nextUrl;
        }

        return CalendlyApiResult.Failure<IReadOnlyList<CalendlySubscription>>(new CalendlyApiError(CalendlyApiFailure.Unexpected, 200,
            $"{Call} has more than {MaxPages} pages; Able stops reading there."));
    }

    /// <summary><c>POST /webhook_subscriptions</c> for <see cref="WebhookEvents"/>, signed with <paramref name="signingKey"/> (201).</summary>
    public async Task<CalendlyApiResult<CalendlySubscription>> CreateSubscriptionAsync(
        string token, CalendlyUser user, string scope, string callbackUrl, string signingKey, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentException.ThrowIfNullOrEmpty(scope);
        ArgumentException.ThrowIfNullOrEmpty(callbackUrl);
        ArgumentException.ThrowIfNullOrEmpty(signingKey);
        const string Call = "POST /webhook_subscriptions";
        var body = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["url"] = callbackUrl,
            ["events"] = WebhookEvents,
            ["organization"] = user.Organization,
            ["scope"] = scope,
            ["signing_key"] = signingKey,
        };
        if (scope == "user")
        {
            body["user"] = user.Uri;
        }

        var json = JsonSerializer.Serialize(body);
        var answer = await SendAsync(token, Call, () => new HttpRequestMessage(HttpMethod.Post, Url("webhook_subscriptions"))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        }, ct);
        return !answer.Succeeded ? answer.Forward<CalendlySubscription>()
            : answer.Value.Status is 200 or 201 ? CalendlyApiResponses.ParseCreated(answer.Value.Body)
            : CalendlyApiResult.Failure<CalendlySubscription>(ErrorFor(Call, answer.Value));
    }

    /// <summary><c>DELETE /webhook_subscriptions/{uuid}</c> (204); a 404 counts as already gone (true either way).</summary>
    public async Task<CalendlyApiResult<bool>> DeleteSubscriptionAsync(string token, string subscriptionUri, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscriptionUri);
        const string Call = "DELETE /webhook_subscriptions";
        var uuid = subscriptionUri.TrimEnd('/').Split('/')[^1];
        var answer = await SendAsync(token, Call, () => new HttpRequestMessage(HttpMethod.Delete, Url($"webhook_subscriptions/{Uri.EscapeDataString(uuid)}")), ct);
        return !answer.Succeeded ? answer.Forward<bool>()
            : answer.Value.Status is 200 or 204 or 404 ? CalendlyApiResult.Success<bool>(true)
            : CalendlyApiResult.Failure<bool>(ErrorFor(Call, answer.Value));
    }

    private Uri Url(string relative) => new(new Uri(BaseUrl + "/"), relative);

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    /// <summary>Server errors (5xx) a read or a delete is sent again after: 1 s, then 2 s.</summary>
    public const int ServerErrorRetries = 2;

    /// <summary>
    /// One call: sent, and sent again after each 429 as long as the waits add up to the allowed total. A read or a delete
    /// (which repeat safely) is also sent again after a 5xx, <see cref="ServerErrorRetries"/> times at most, within the same
    /// total; a create is not (Calendly may have made it before failing, and refuses a second one with the same URL).
    /// </summary>
    private async Task<CalendlyApiResult<Answer>> SendAsync(string token, string call, Func<HttpRequestMessage> build, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || !token.All(c => c is > ' ' and < '\u007f'))
        {
            return CalendlyApiResult.Failure<Answer>(new CalendlyApiError(CalendlyApiFailure.Unauthorized, null,
                "The Calendly API token is empty or has characters no token has (spaces, line breaks, non-ASCII)."));
        }

        var settings = Settings;
        var allowed = TimeSpan.FromSeconds(Math.Max(0, settings.MaxRateLimitWaitSeconds));
        var waited = TimeSpan.Zero;
        var serverErrors = 0;
        while (true)
        {
            var answer = await SendOnceAsync(token, call, build, settings, ct);
            if (answer.Succeeded && answer.Value.Status >= 500 && serverErrors < ServerErrorRetries && !call.StartsWith("POST", StringComparison.Ordinal))
            {
                var backoff = TimeSpan.FromSeconds(1 << serverErrors);
                if (waited + backoff <= allowed)
                {
                    serverErrors++;
                    await Task.Delay(backoff, time, ct);
                    waited += backoff;
                    continue;
                }
            }

            if (!answer.Succeeded || answer.Value.Status != 429)
            {
                return answer;
            }

            // Never hammer: without a hint, one second.
            var wait = answer.Value.RateLimitWait is { } hinted && hinted > TimeSpan.Zero ? hinted : TimeSpan.FromSeconds(1);
            if (waited + wait > allowed)
            {
                return CalendlyApiResult.Failure<Answer>(new CalendlyApiError(CalendlyApiFailure.RateLimited, 429,
                    $"Calendly's rate limit (HTTP 429) on {call} asks to wait {Seconds(wait)} s; with {Seconds(waited)} s waited already that is more than "
                    + $"Able:Attribution:Calendly:MaxRateLimitWaitSeconds ({settings.MaxRateLimitWaitSeconds} s). Try again later."));
            }

            RateLimitWaiting?.Invoke(wait);
            await Task.Delay(wait, time, ct);
            waited += wait;
        }
    }

    private async Task<CalendlyApiResult<Answer>> SendOnceAsync(string token, string call, Func<HttpRequestMessage> build, CalendlyApiOptions settings, CancellationToken ct)
    {
        using var request = build();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Max(1, settings.RequestTimeoutMilliseconds)), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            if (response.Content.Headers.ContentLength > MaxResponseBytes)
            {
                return CalendlyApiResult.Failure<Answer>(new CalendlyApiError(CalendlyApiFailure.Unexpected, (int)response.StatusCode,
                    $"Calendly's answer to {call} is larger than {MaxResponseBytes} bytes."));
            }

            var body = await response.Content.ReadAsStringAsync(linked.Token);
            var wait = (int)response.StatusCode == 429 ? CalendlyApiResponses.RateLimitWait(response.Headers, time.GetUtcNow()) : null;
            return CalendlyApiResult.Success<Answer>(new Answer((int)response.StatusCode, body, wait));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return CalendlyApiResult.Failure<Answer>(new CalendlyApiError(CalendlyApiFailure.Network, null,
                $"The Calendly API at {BaseUrl} did not answer {call} within {settings.RequestTimeoutMilliseconds} ms."));
        }
        catch (HttpRequestException error)
        {
            return CalendlyApiResult.Failure<Answer>(new CalendlyApiError(CalendlyApiFailure.Network, null,
                $"Cannot reach the Calendly API at {BaseUrl} ({error.Message})."));
        }
    }

    private static CalendlyApiError ErrorFor(string call, Answer answer)
    {
        var said = CalendlyApiResponses.Describe(answer.Body);
        var detail = said.Length == 0 ? $"HTTP {answer.Status}" : $"HTTP {answer.Status}: {said}";
        return answer.Status switch
        {
            401 => new CalendlyApiError(CalendlyApiFailure.Unauthorized, 401,
                $"Calendly refused the API token ({detail}): the personal access token is wrong, expired or revoked. "
                + "Create one at https://calendly.com/integrations/api_webhooks."),
            403 => new CalendlyApiError(CalendlyApiFailure.Forbidden, 403,
                $"Calendly refused {call} ({detail}): webhooks need a paid Calendly plan, and organization-scope subscriptions need an "
                + "organization admin or owner; a user without those rights can subscribe with scope user (--scope user)."),
            404 => new CalendlyApiError(CalendlyApiFailure.NotFound, 404, $"Calendly answered {call} with {detail}."),
            _ => new CalendlyApiError(CalendlyApiFailure.Unexpected, answer.Status, $"Calendly answered {call} with {detail}."),
        };
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);

    private sealed record Answer(int Status, string Body, TimeSpan? RateLimitWait);
}
