using Able.Attribution.Delivery;
using Able.Attribution.Ga4;
using Able.Attribution.Receipts;
using Able.Attribution.Reports;
using Able.Attribution.TikTok;
using Able.Attribution.Visitors;
using Able.Schema.Configuration;
using Able.Supervision;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Worker;

public static class WorkerServiceCollectionExtensions
{
    /// <summary>
    /// The attribution worker: the ingest stream consumer, the delivery loop and stream maintenance (all off when
    /// <c>Able:Worker:Enabled</c> is false), and what they use to turn ingest entries into TikTok deliveries:
    /// visitor resolution, the delivery schedule and ledger, receipts, dead letters, the TikTok client and the
    /// worker metrics. Needs <c>AddAbleRedis</c> and an <c>IMetricFactory</c>.
    /// </summary>
    public static IServiceCollection AddAttributionWorker(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WorkerCheckpoints>();
        services.TryAddSingleton<WorkerMetrics>();
        services.TryAddSingleton<LoopHealth>();
        services.TryAddSingleton<VisitorResolver>();
        services.TryAddSingleton<ReceiptStore>();
        services.TryAddSingleton<DeliveryStore>();
        services.TryAddSingleton<DeadLetters>();
        services.TryAddSingleton<StatsRecorder>();
        services.TryAddSingleton<EventAssembler>();
        services.TryAddSingleton<IngestEntryProcessor>();
        services.TryAddSingleton<Ga4Scheduler>();
        services.TryAddSingleton<Ga4Sender>();
        services.TryAddSingleton<DeliveryProcessor>();
        // The client enforces Able:Worker:RequestTimeoutMilliseconds itself, so a timeout is told apart from shutdown.
        services.AddHttpClient<TikTokClient>(client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddHttpClient<Ga4Client>(client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<IngestStreamTrimmer>();
        // A stop waits for a TikTok request on its way (DeliveryProcessor.SendAsync): give it that long, and a little more.
        services.AddOptions<HostOptions>().Configure<IOptionsMonitor<AbleOptions>>((host, able) =>
        {
            var drain = TimeSpan.FromMilliseconds(able.CurrentValue.Worker.RequestTimeoutMilliseconds) + TimeSpan.FromSeconds(5);
            host.ShutdownTimeout = drain > host.ShutdownTimeout ? drain : host.ShutdownTimeout;
        });
        services.AddHostedService<IngestConsumer>();
        services.AddHostedService<DeliveryLoop>();
        services.AddHostedService<StreamMaintenance>();
        return services;
    }
}
