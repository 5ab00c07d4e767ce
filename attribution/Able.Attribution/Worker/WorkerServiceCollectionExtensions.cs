using Able.Attribution.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace Able.Attribution.Worker;

public static class WorkerServiceCollectionExtensions
{
    /// <summary>
    /// The attribution worker: the ingest stream consumer and the delivery loop (both off when
    /// <c>Able:Worker:Enabled</c> is false), on top of <see cref="DeliveryServiceCollectionExtensions.AddAttributionDelivery"/>.
    /// </summary>
    public static IServiceCollection AddAttributionWorker(this IServiceCollection services)
    {
        services.AddAttributionDelivery();
        services.AddSingleton<IngestStreamTrimmer>();
        services.AddHostedService<IngestConsumer>();
        services.AddHostedService<DeliveryLoop>();
        return services;
    }
}
