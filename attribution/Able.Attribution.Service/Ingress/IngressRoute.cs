using Able.Attribution.Ingest;
using Able.Schema.Configuration;
using Able.Schema.Ingress;

namespace Able.Attribution.Service.Ingress;

/// <summary>
/// The public ingress routes, in one list: the path each is mapped at, its source for metrics, and how the rate
/// limiter finds the funnel a request counts against. Each route carries its entry as endpoint metadata, which
/// is how the rate limiter tells ingress requests from the rest.
/// </summary>
internal sealed record IngressRoute(string Pattern, string Source, Func<HttpContext, IngressFunnels, FunnelOptions?> FunnelOf)
{
    /// <summary>The route parameter holding the funnel's mark in the webhook paths.</summary>
    public const string FunnelParameter = "funnel";

    public static readonly IngressRoute Calendly = new(IngressPaths.CalendlyWebhook.Template(FunnelParameter), IngestEntry.Sources.Calendly, FunnelInPath);

    public static readonly IngressRoute Stripe = new(IngressPaths.StripeWebhook.Template(FunnelParameter), IngestEntry.Sources.Stripe, FunnelInPath);

    /// <summary>The conversions API counts against the funnel owning the bearer key.</summary>
    public static readonly IngressRoute ConversionsApi = new(IngressPaths.ConversionsApi.Template(FunnelParameter), IngestEntry.Sources.ConversionsApi,
        (context, funnels) => ConversionsApiHandler.BearerToken(context.Request) is { } key ? funnels.FindByApiKey(key) : null);

    /// <summary>The mark in the path (webhooks), or null.</summary>
    public static string? MarkInPath(HttpContext context) => context.GetRouteValue(FunnelParameter) as string;

    private static FunnelOptions? FunnelInPath(HttpContext context, IngressFunnels funnels) => funnels.Find(MarkInPath(context));
}
