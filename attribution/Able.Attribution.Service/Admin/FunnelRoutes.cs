using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.Admin;

/// <summary>One configured funnel as the admin API shows it: what is set up, never a secret.</summary>
internal sealed record FunnelView(
    string Mark,
    IReadOnlyList<string> Hosts,
    string? PixelId,
    bool PixelConfigured,
    bool DryRun,
    bool CalendlyConfigured,
    bool CalendlyWatchdog,
    bool StripeConfigured,
    bool ConversionsApi,
    int RetentionDays,
    string DefaultPhoneRegion)
{
    public static FunnelView Of(FunnelOptions funnel)
    {
        ArgumentNullException.ThrowIfNull(funnel);
        return new FunnelView(
            funnel.Mark,
            funnel.Hosts,
            string.IsNullOrEmpty(funnel.TikTok.PixelId) ? null : funnel.TikTok.PixelId,
            PixelConfigured: !string.IsNullOrEmpty(funnel.TikTok.PixelId),
            // No access token: events are built and kept on the receipt, not sent.
            DryRun: string.IsNullOrEmpty(funnel.TikTok.AccessToken),
            CalendlyConfigured: !string.IsNullOrEmpty(funnel.Calendly.SigningKey),
            CalendlyWatchdog: !string.IsNullOrEmpty(funnel.Calendly.ApiToken) && !string.IsNullOrEmpty(funnel.Calendly.WebhookUrl),
            StripeConfigured: !string.IsNullOrEmpty(funnel.Stripe.WebhookSecret),
            ConversionsApi: !string.IsNullOrEmpty(funnel.ApiKey),
            funnel.RetentionDays,
            funnel.DefaultPhoneRegion);
    }
}

/// <summary><c>GET /admin/api/funnels</c>: the configured funnels.</summary>
internal static class FunnelRoutes
{
    public static void MapFunnelRoutes(this RouteGroupBuilder admin) =>
        admin.MapGet("/funnels", (HttpContext context, IOptionsMonitor<AbleOptions> options) =>
        {
            var query = AdminQuery.Of(context.Request);
            return query.Problem ?? AdminJson.Ok(options.CurrentValue.Funnels.Select(FunnelView.Of).ToList());
        }).WithSummary("The configured funnels").Produces<List<FunnelView>>();
}
