using Able.Schema.Configuration;
using Able.Schema.Ingress;

namespace Able.Attribution.Calendly;

/// <summary>Where Calendly posts a funnel's webhooks.</summary>
public static class CalendlyWebhookUrl
{
    /// <summary>
    /// The funnel's <c>Calendly:WebhookUrl</c> (what connect subscribed), else <c>Able:Attribution:Calendly:WebhookBaseUrl</c> +
    /// <c>/calendly-webhook/{mark}</c>, else <c>https://{first host}/calendly-webhook/{mark}</c>.
    /// </summary>
    public static string Of(FunnelOptions funnel, CalendlyApiOptions api)
    {
        ArgumentNullException.ThrowIfNull(funnel);
        ArgumentNullException.ThrowIfNull(api);
        if (!string.IsNullOrWhiteSpace(funnel.Calendly.WebhookUrl))
        {
            return funnel.Calendly.WebhookUrl;
        }

        var baseUrl = string.IsNullOrWhiteSpace(api.WebhookBaseUrl) ? $"https://{funnel.Hosts.FirstOrDefault() ?? "localhost"}" : api.WebhookBaseUrl;
        return $"{baseUrl.TrimEnd('/')}{IngressPaths.CalendlyWebhook.Prefix}/{Uri.EscapeDataString(funnel.Mark)}";
    }
}
