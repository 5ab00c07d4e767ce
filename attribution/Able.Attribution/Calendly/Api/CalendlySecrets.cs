using System.Globalization;
using Able.Schema.Configuration;

namespace Able.Attribution.Calendly.Api;

/// <summary>Writes a funnel's Calendly secrets and subscription settings to the secrets overlay (read by the running services).</summary>
public static class CalendlySecrets
{
    public const string SigningKey = "Calendly:SigningKey";
    public const string PreviousSigningKey = "Calendly:PreviousSigningKey";
    public const string PreviousSigningKeyValidUntil = "Calendly:PreviousSigningKeyValidUntil";
    public const string ApiToken = "Calendly:ApiToken";
    public const string WebhookUrl = "Calendly:WebhookUrl";
    public const string SubscriptionScope = "Calendly:SubscriptionScope";

    /// <summary>
    /// The new key; the replaced key and until when it is accepted (both removed when <paramref name="previousKey"/> is null);
    /// the API token when given; the webhook URL and scope. One write, so a reader sees all of it or none.
    /// </summary>
    public static Task StoreAsync(
        SecretsOverlayFile overlay, string mark, string newKey, string? previousKey, DateTimeOffset previousValidUntil,
        string? apiToken, string webhookUrl, string scope, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        ArgumentException.ThrowIfNullOrEmpty(newKey);
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [SigningKey] = newKey,
            [PreviousSigningKey] = previousKey,
            [PreviousSigningKeyValidUntil] = previousKey is null ? null : previousValidUntil.ToString("O", CultureInfo.InvariantCulture),
            [WebhookUrl] = webhookUrl,
            [SubscriptionScope] = scope,
        };
        if (apiToken is not null)
        {
            settings[ApiToken] = apiToken;
        }

        return overlay.SetAsync(mark, settings, ct);
    }
}
