using Able.Attribution.Delivery;
using Able.Attribution.Erasure;
using Able.Attribution.Journeys;
using Able.Attribution.Receipts;
using Able.Attribution.Reports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Able.Attribution.Admin;

public static class AdminServiceCollectionExtensions
{
    /// <summary>What the admin API and console read and change: reports, receipts, journeys, erasure, dead letters.</summary>
    public static IServiceCollection AddAttributionAdmin(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StatsReader>();
        services.TryAddSingleton<ReceiptStore>();
        services.TryAddSingleton<ReceiptQuery>();
        services.TryAddSingleton<JourneyLookup>();
        services.TryAddSingleton<PersonEraser>();
        services.TryAddSingleton<DeadLetterReplay>();
        return services;
    }
}
