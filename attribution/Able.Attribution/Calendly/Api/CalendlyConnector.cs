using System.Security.Cryptography;

namespace Able.Attribution.Calendly.Api;

/// <summary>The token's user and its subscriptions posting to one callback URL.</summary>
public sealed record CalendlyConnection(CalendlyUser User, IReadOnlyList<CalendlySubscription> Subscriptions);

/// <summary>A subscription made anew: it, its signing key (write-only at Calendly: keep it), the user, and how many it replaced.</summary>
public sealed record CalendlyReplacement(CalendlySubscription Subscription, string SigningKey, CalendlyUser User, int Replaced);

/// <summary>
/// Finds and (re)creates a funnel's webhook subscription. Calendly never tells a subscription's signing key, so an existing
/// one is deleted and created again with a fresh key (never a second one beside it; Calendly refuses two with one URL).
/// </summary>
public sealed class CalendlyConnector(CalendlyApiClient api)
{
    public CalendlyApiClient Api { get; } = api;

    /// <summary>The user, and the subscriptions in <paramref name="scope"/> whose callback URL is <paramref name="callbackUrl"/>.</summary>
    public async Task<CalendlyApiResult<CalendlyConnection>> FindAsync(string token, string callbackUrl, string scope, CancellationToken ct)
    {
        var user = await Api.GetCurrentUserAsync(token, ct);
        if (!user.Succeeded)
        {
            return user.Forward<CalendlyConnection>();
        }

        var subscriptions = await Api.ListSubscriptionsAsync(token, user.Value, scope, ct);
        return subscriptions.Succeeded
            ? CalendlyApiResult.Success<CalendlyConnection>(new CalendlyConnection(user.Value, [.. subscriptions.Value.Where(s => SameCallback(s.CallbackUrl, callbackUrl))]))
            : subscriptions.Forward<CalendlyConnection>();
    }

    /// <summary>
    /// Deletes every subscription posting to <paramref name="callbackUrl"/> and creates one with <paramref name="signingKey"/>
    /// (default: a fresh one). When the creation fails after a deletion, the funnel has no subscription until the next run
    /// (the failure says why).
    /// </summary>
    public async Task<CalendlyApiResult<CalendlyReplacement>> ReplaceAsync(string token, string callbackUrl, string scope, CancellationToken ct, string? signingKey = null)
    {
        var found = await FindAsync(token, callbackUrl, scope, ct);
        if (!found.Succeeded)
        {
            return found.Forward<CalendlyReplacement>();
        }

        foreach (var existing in found.Value.Subscriptions)
        {
            var deleted = await Api.DeleteSubscriptionAsync(token, existing.Uri, ct);
            if (!deleted.Succeeded)
            {
                return deleted.Forward<CalendlyReplacement>();
            }
        }

        var key = signingKey ?? NewSigningKey();
        var created = await Api.CreateSubscriptionAsync(token, found.Value.User, scope, callbackUrl, key, ct);
        return created.Succeeded
            ? CalendlyApiResult.Success<CalendlyReplacement>(new CalendlyReplacement(created.Value, key, found.Value.User, found.Value.Subscriptions.Count))
            : created.Forward<CalendlyReplacement>();
    }

    /// <summary>32 random bytes as lower-case hex.</summary>
    public static string NewSigningKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static bool SameCallback(string listed, string wanted) =>
        string.Equals(listed.TrimEnd('/'), wanted.TrimEnd('/'), StringComparison.Ordinal);
}
