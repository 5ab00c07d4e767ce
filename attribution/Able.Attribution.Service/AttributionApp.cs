using Able.Attribution.Admin;
using Able.Attribution.Calendly.Watchdog;
using Able.Attribution.Service.Admin;
using Able.Attribution.Service.ConsolePages;
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
        [new AttributionOptionsValidator(), new WorkerOptionsValidator(), new AdminOptionsValidator()];

    public static WebApplication Build(string[] args)
    {
        var builder = AbleHost.CreateBuilder(args, options => options.Attribution, OptionsSections);
        builder.Services.AddIngress();
        builder.Services.AddAttributionWorker();
        // The Calendly API and the subscription watchdog (which adds the API client).
        builder.Services.AddCalendlyWatchdog();
        // Reports, receipts, journeys, erasure and dead letters, served by the admin API and the console (management port).
        builder.Services.AddAttributionAdmin();
        builder.Services.AddAdminApi();
        builder.Services.AddAdminConsole();

        var app = builder.Build();
        app.MapHealthAndMetrics("attribution");
        app.MapIngress();
        app.MapAdminApi();
        app.MapAdminConsole();
        // Never 410 anywhere: Calendly deletes a webhook subscription that answers 410.
        app.MapFallback(() => Results.Text("Not found.\n", statusCode: StatusCodes.Status404NotFound));
        return app;
    }
}
