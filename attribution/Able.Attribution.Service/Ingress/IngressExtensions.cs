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
    /// The three public ingress routes (<see cref="IngressRoute"/>). Each accepts every method and answers 405 itself
    /// for all but POST, so an odd method never falls through to the 404 fallback (and nothing here ever answers 410).
    /// </summary>
    public static WebApplication MapIngress(this WebApplication app)
    {
        // Creating the metrics now registers the stream length gauge before the first scrape.
        _ = app.Services.GetRequiredService<IngressMetrics>();
        app.UseRateLimiter();
        app.Map(IngressRoute.Calendly.Pattern, (HttpContext context, string funnel, WebhookHandler handler) =>
                handler.HandleAsync(context, funnel, WebhookSource.Calendly))
            .WithMetadata(IngressRoute.Calendly);
        app.Map(IngressRoute.Stripe.Pattern, (HttpContext context, string funnel, WebhookHandler handler) =>
                handler.HandleAsync(context, funnel, WebhookSource.Stripe))
            .WithMetadata(IngressRoute.Stripe);
        app.Map(IngressRoute.ConversionsApi.Pattern, (HttpContext context, ConversionsApiHandler handler) => handler.HandleAsync(context))
            .WithMetadata(IngressRoute.ConversionsApi);
        return app;
    }
}
