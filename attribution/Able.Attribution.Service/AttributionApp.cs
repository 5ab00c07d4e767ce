using Able.Attribution.Calendly.Watchdog;
using Able.Attribution.Service.Ingress;
using Able.Attribution.Worker;
using Able.Hosting;
using Able.Hosting.Management;
using Able.Schema.Configuration;

namespace Able.Attribution.Service;

/// <summary>The attribution service: webhook ingress, the stream worker and the admin API.</summary>
public static class AttributionApp
{
    /// <summary>The configuration sections the attribution service validates besides the shared ones (Redis, Funnels).</summary>
    public static IReadOnlyList<IAbleOptionsSectionValidator> OptionsSections { get; } =
        [new AttributionOptionsValidator(), new WorkerOptionsValidator()];

    public static WebApplication Build(string[] args)
    {
        var builder = AbleHost.CreateBuilder(args, options => options.Attribution, OptionsSections);
        builder.Services.AddIngress();
        builder.Services.AddAttributionWorker();
        // The Calendly API and the subscription watchdog (which adds the API client).
        builder.Services.AddCalendlyWatchdog();

        var app = builder.Build();
        app.MapHealthAndMetrics("attribution");
        app.MapIngress();
        // Never 410 anywhere: Calendly deletes a webhook subscription that answers 410.
        app.MapFallback(() => Results.Text("Not found.\n", statusCode: StatusCodes.Status404NotFound));
        return app;
    }
}
