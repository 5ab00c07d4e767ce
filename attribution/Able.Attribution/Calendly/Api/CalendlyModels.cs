namespace Able.Attribution.Calendly.Api;

/// <summary>The token's user (<c>GET /users/me</c>): its URI and its current organization's URI.</summary>
public sealed record CalendlyUser(string Uri, string Organization);

/// <summary>A webhook subscription as the API lists it. <see cref="RetryStartedAt"/> is set while Calendly retries failed deliveries.</summary>
public sealed record CalendlySubscription(string Uri, string CallbackUrl, string State, string Scope, IReadOnlyList<string> Events, DateTimeOffset? RetryStartedAt)
{
    /// <summary>The subscription's uuid: the last segment of its URI.</summary>
    public string Uuid => Uri.TrimEnd('/').Split('/')[^1];

    public bool IsActive => string.Equals(State, "active", StringComparison.Ordinal);
}

/// <summary>One page of <c>GET /webhook_subscriptions</c>: its subscriptions and the absolute URL of the next page, if any.</summary>
internal sealed record CalendlySubscriptionPage(IReadOnlyList<CalendlySubscription> Subscriptions, string? NextPage);
