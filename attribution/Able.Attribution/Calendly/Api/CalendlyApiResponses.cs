using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Able.Attribution.Ingest;

namespace Able.Attribution.Calendly.Api;

/// <summary>
/// Reads Calendly API answers (outside input): every method returns a result or null and never throws on bad JSON,
/// wrong types or missing members.
/// </summary>
internal static class CalendlyApiResponses
{
    private const int MaxDetailLength = 300;

    /// <summary><c>{"resource":{"uri":…,"current_organization":…}}</c>.</summary>
    public static CalendlyApiResult<CalendlyUser> ParseUser(string body) => ParseResource(body, "GET /users/me", resource =>
        Text(resource, "uri") is { Length: > 0 } uri && Text(resource, "current_organization") is { Length: > 0 } organization
            ? new CalendlyUser(uri, organization)
            : null);

    /// <summary><c>{"resource":{subscription}}</c>, the answer to <c>POST /webhook_subscriptions</c>.</summary>
    public static CalendlyApiResult<CalendlySubscription> ParseCreated(string body) =>
        ParseResource(body, "POST /webhook_subscriptions", Subscription);

    /// <summary><c>{"collection":[subscriptions],"pagination":{"next_page":…}}</c>; an entry that is not a subscription is skipped.</summary>
    public static CalendlyApiResult<CalendlySubscriptionPage> ParsePage(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("collection", out var collection) || collection.ValueKind != JsonValueKind.Array)
            {
                return CalendlyApiResult.Failure<CalendlySubscriptionPage>(Unexpected("GET /webhook_subscriptions", "an object with a \"collection\" array"));
            }

            var subscriptions = collection.EnumerateArray().Select(Subscription).OfType<CalendlySubscription>().ToList();
            var next = root.TryGetProperty("pagination", out var pagination) && pagination.ValueKind == JsonValueKind.Object
                ? Text(pagination, "next_page")
                : null;
            return CalendlyApiResult.Success<CalendlySubscriptionPage>(new CalendlySubscriptionPage(subscriptions, string.IsNullOrEmpty(next) ? null : next));
        }
        catch (JsonException)
        {
            return CalendlyApiResult.Failure<CalendlySubscriptionPage>(Unexpected("GET /webhook_subscriptions", "JSON"));
        }
    }

    /// <summary>Calendly's error body (<c>{"title":…,"message":…}</c>) as one short line, or empty when it is not that.</summary>
    public static string Describe(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return "";
            }

            var parts = new[] { Text(json.RootElement, "title"), Text(json.RootElement, "message") }.Where(p => !string.IsNullOrWhiteSpace(p));
            return Printable(string.Join(": ", parts));
        }
        catch (JsonException)
        {
            return "";
        }
    }

    /// <summary>
    /// How long a 429 asks to wait: <c>Retry-After</c> (seconds or an HTTP date), else <c>X-RateLimit-Reset</c> (seconds
    /// until the window resets), else null. Never negative.
    /// </summary>
    public static TimeSpan? RateLimitWait(HttpResponseHeaders headers, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }

            if (retryAfter.Date is { } date)
            {
                return date > now ? date - now : TimeSpan.Zero;
            }
        }

        return headers.TryGetValues("X-RateLimit-Reset", out var values) ? SecondsOrNull(values.FirstOrDefault()) : null;
    }

    /// <summary>A whole or decimal number of seconds (0 to a day), or null.</summary>
    public static TimeSpan? SecondsOrNull(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0 and <= 86_400
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private static CalendlyApiResult<T> ParseResource<T>(string body, string call, Func<JsonElement, T?> read)
        where T : class
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var value = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("resource", out var resource) && resource.ValueKind == JsonValueKind.Object
                ? read(resource)
                : null;
            return value is null
                ? CalendlyApiResult.Failure<T>(Unexpected(call, "an object with a \"resource\" holding what the API documents"))
                : CalendlyApiResult.Success<T>(value);
        }
        catch (JsonException)
        {
            return CalendlyApiResult.Failure<T>(Unexpected(call, "JSON"));
        }
    }

    private static CalendlySubscription? Subscription(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object || Text(item, "uri") is not { Length: > 0 } uri || Text(item, "callback_url") is not { } callback)
        {
            return null;
        }

        var events = item.TryGetProperty("events", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(JsonBody.DecodeOrNull).OfType<string>().ToList()
            : [];
        DateTimeOffset? retryStartedAt = Text(item, "retry_started_at") is { } retry
            && DateTimeOffset.TryParse(retry, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var started)
            ? started
            : null;
        return new CalendlySubscription(uri, callback, Text(item, "state") ?? "", Text(item, "scope") ?? "", events, retryStartedAt);
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) ? JsonBody.DecodeOrNull(value) : null;

    private static CalendlyApiError Unexpected(string call, string expected) =>
        new(CalendlyApiFailure.Unexpected, null, $"Calendly's answer to {call} is not {expected}.");

    /// <summary>At most <see cref="MaxDetailLength"/> characters, control characters replaced, so a message stays one line.</summary>
    private static string Printable(string text)
    {
        var shortened = text.Length > MaxDetailLength ? text[..MaxDetailLength] + "…" : text;
        return string.Create(shortened.Length, shortened, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });
    }
}
