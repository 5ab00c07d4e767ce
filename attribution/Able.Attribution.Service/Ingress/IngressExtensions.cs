using Able.Attribution.Ingest;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Able.Attribution.Service.Ingress;

/// <summary>Wiring of the ingress: the webhook and conversions API routes.</summary>
internal static class IngressExtensions
{
    public static IServiceCollection AddIngress(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IngressFunnels>();
        services.AddSingleton<IngressMetrics>();
        services.AddSingleton<IngestWriter>();
        services.AddSingleton<IngressPipeline>();
        services.AddSingleton<WebhookHandler>();
        services.AddSingleton<ConversionsApiHandler>();
        services.AddIngressRateLimiting();
        return services;
    }

    /// <summary>
    /// The three public ingress routes. Each accepts every method and answers 405 itself for all but POST, so
    /// an odd method never falls through to the 404 fallback (and nothing here ever answers 410).
    /// </summary>
    public static WebApplication MapIngress(this WebApplication app)
    {
        // Creating the metrics now registers the stream length gauge before the first scrape.
        _ = app.Services.GetRequiredService<IngressMetrics>();
        app.UseRateLimiter();
        app.Map("/calendly-webhook/{funnel}", (HttpContext context, string funnel, WebhookHandler handler) =>
                handler.HandleAsync(context, funnel, WebhookSource.Calendly))
            .WithMetadata(new IngressEndpointMetadata(IngestEntry.Sources.Calendly));
        app.Map("/stripe-webhook/{funnel}", (HttpContext context, string funnel, WebhookHandler handler) =>
                handler.HandleAsync(context, funnel, WebhookSource.Stripe))
            .WithMetadata(new IngressEndpointMetadata(IngestEntry.Sources.Stripe));
        app.Map("/v1/conversions", (HttpContext context, ConversionsApiHandler handler) => handler.HandleAsync(context))
            .WithMetadata(new IngressEndpointMetadata(IngestEntry.Sources.ConversionsApi));
        return app;
    }
}
