using System.Collections.Frozen;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Able.Attribution.Ga4;

/// <summary>
/// The Measurement Protocol's documented limits (developers.google.com/analytics/devguides/collection/protocol/ga4,
/// "Limitations"): GA4's collect endpoint answers 2xx even for an event it then drops, so what is built is checked here.
/// </summary>
public static partial class Ga4Limits
{
    public const int MaxEventNameLength = 40;

    public const int MaxParametersPerEvent = 25;

    public const int MaxParameterNameLength = 40;

    public const int MaxParameterValueLength = 100;

    public const int MaxUserIdLength = 256;

    public const int MaxEventsPerRequest = 25;

    /// <summary>
    /// The value capped to <see cref="MaxParameterValueLength"/> characters, never ending a cut value in a high surrogate
    /// (a pair split by the cut, or lone ones before it).
    /// </summary>
    public static string Cap(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length <= MaxParameterValueLength)
        {
            return value;
        }

        // A high surrogate at the cut lost its pair (or never had one): nothing after it can complete it.
        var end = MaxParameterValueLength;
        while (end > 0 && char.IsHighSurrogate(value[end - 1]))
        {
            end--;
        }

        return value[..end];
    }

    /// <summary>A client id as the gateway stores it from <c>_ga</c>: two dot-separated numbers.</summary>
    public static bool IsClientId(string? value) => value is not null && ClientIdPattern().IsMatch(value);

    /// <summary>A GA4 session id: the Unix seconds a session started.</summary>
    public static bool IsSessionId(string? value) => value is not null && SessionIdPattern().IsMatch(value);

    /// <summary>A valid, not reserved event name: a letter, then letters, digits and underscores, at most 40.</summary>
    public static bool IsEventName(string? name) =>
        name is { Length: <= MaxEventNameLength } && EventNamePattern().IsMatch(name) && !HasReservedPrefix(name)
        && !ReservedEventNames.Contains(name);

    /// <summary>
    /// Event names GA4 reserves for its own events, web and app streams (Google Analytics Help, "Event naming rules",
    /// support.google.com/analytics/answer/13316687): an event sent with one of them is not recorded as sent.
    /// </summary>
    public static readonly FrozenSet<string> ReservedEventNames = FrozenSet.Create(
        StringComparer.Ordinal,
        "ad_activeview", "ad_click", "ad_exposure", "ad_impression", "ad_query", "ad_reward", "adunit_exposure", "app_clear_data",
        "app_exception", "app_install", "app_remove", "app_store_refund", "app_store_subscription_cancel", "app_store_subscription_renew",
        "app_update", "app_upgrade", "click", "dynamic_link_app_open", "dynamic_link_app_update", "dynamic_link_first_open", "error",
        "file_download", "first_open", "first_visit", "form_start", "form_submit", "in_app_purchase", "notification_dismiss",
        "notification_foreground", "notification_open", "notification_receive", "os_update", "page_view", "screen_view", "scroll",
        "session_start", "user_engagement", "video_complete", "video_progress", "video_start", "view_complete", "view_search_results");

    private static bool HasReservedPrefix(string name) =>
        name.StartsWith("ga_", StringComparison.Ordinal) || name.StartsWith("google_", StringComparison.Ordinal)
        || name.StartsWith("firebase_", StringComparison.Ordinal);

    /// <summary>Every way <paramref name="body"/> breaks the documented limits (none: it is within them).</summary>
    public static IReadOnlyList<string> Problems(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var problems = new List<string>();
        if (!IsClientId(body["client_id"] is JsonValue client && client.TryGetValue<string>(out var id) ? id : null))
        {
            problems.Add("client_id is required");
        }

        if (body["user_id"] is JsonValue user && user.TryGetValue<string>(out var userId) && userId.Length > MaxUserIdLength)
        {
            problems.Add($"user_id is longer than {MaxUserIdLength} characters");
        }

        if (body["events"] is not JsonArray events || events.Count is 0 or > MaxEventsPerRequest)
        {
            problems.Add($"events must hold 1 to {MaxEventsPerRequest} events");
            return problems;
        }

        foreach (var node in events)
        {
            var name = node?["name"] is JsonValue n && n.TryGetValue<string>(out var text) ? text : null;
            if (!IsEventName(name))
            {
                problems.Add($"event name '{name}' is not a valid GA4 event name (a letter, then letters, digits, '_'; at most {MaxEventNameLength})");
            }

            if (node?["params"] is not JsonObject parameters)
            {
                continue;
            }

            if (parameters.Count > MaxParametersPerEvent)
            {
                problems.Add($"event '{name}' has {parameters.Count} parameters (at most {MaxParametersPerEvent})");
            }

            foreach (var (key, value) in parameters)
            {
                if (key.Length > MaxParameterNameLength)
                {
                    problems.Add($"parameter name '{key}' is longer than {MaxParameterNameLength} characters");
                }

                if (value is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > MaxParameterValueLength)
                {
                    problems.Add($"parameter '{key}' is longer than {MaxParameterValueLength} characters");
                }
            }
        }

        return problems;
    }

    [GeneratedRegex(@"^[0-9]{1,20}\.[0-9]{1,20}\z")]
    private static partial Regex ClientIdPattern();

    [GeneratedRegex(@"^[0-9]{1,20}\z")]
    private static partial Regex SessionIdPattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]*\z")]
    private static partial Regex EventNamePattern();
}
