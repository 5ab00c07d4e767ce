using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Able.Supervision;
using Prometheus;

namespace Able.Hosting.Management;

/// <summary>Marks an endpoint that is served only on the management port.</summary>
public sealed class ManagementEndpointMetadata
{
    public static readonly ManagementEndpointMetadata Instance = new();
}

/// <summary>The local port that serves health, metrics and the admin API.</summary>
public sealed record ManagementPort(int Port);

public static class ManagementEndpoints
{
    public static IServiceCollection AddManagementEndpoints(this IServiceCollection services, int managementPort)
    {
        services.AddSingleton(new ManagementPort(managementPort));
        services.TryAddSingleton(_ => Metrics.NewCustomRegistry());
        services.TryAddSingleton<IMetricFactory>(provider => Metrics.WithCustomRegistry(provider.GetRequiredService<CollectorRegistry>()));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LoopHealth>();
        services.TryAddSingleton<Readiness>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, ManagementPortMatcherPolicy>());
        return services;
    }

    /// <summary>
    /// A route group served only on the management port (by the socket's local port, not the Host
    /// header). Everything else is invisible there, and these are invisible on the public port.
    /// </summary>
    public static RouteGroupBuilder MapManagementGroup(this IEndpointRouteBuilder endpoints)
        => endpoints.MapGroup("").WithMetadata(ManagementEndpointMetadata.Instance);

    /// <summary>
    /// <c>/healthz</c> (the process answers), <c>/readyz</c> (Redis answers PING in time and no background loop is in an
    /// outage: <see cref="Readiness"/>), <c>/metrics</c>.
    /// </summary>
    public static RouteGroupBuilder MapHealthAndMetrics(this IEndpointRouteBuilder endpoints, string serviceName)
    {
        var registry = endpoints.ServiceProvider.GetRequiredService<CollectorRegistry>();
        Metrics.WithCustomRegistry(registry)
            .CreateGauge("able_build_info", "Which service and version this is.", "service", "version")
            .WithLabels(serviceName, typeof(ManagementEndpoints).Assembly.GetName().Version?.ToString() ?? "0")
            .Set(1);
        // Read when scraped: what the process allocated (the benchmark divides it by requests served).
        var allocated = Metrics.WithCustomRegistry(registry)
            .CreateCounter("able_dotnet_allocated_bytes_total", "Bytes this process has allocated on the managed heap since it started.");
        registry.AddBeforeCollectCallback(() => allocated.IncTo(GC.GetTotalAllocatedBytes()));

        var group = endpoints.MapManagementGroup();
        group.MapGet("/healthz", () => Results.Text("ok\n"));
        group.MapGet("/readyz", async (Readiness readiness, CancellationToken cancellationToken) =>
        {
            var (ready, detail) = await readiness.CheckAsync(cancellationToken);
            return Results.Text(detail + "\n", statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        group.MapMetrics("/metrics", registry);
        return group;
    }
}

/// <summary>Keeps management endpoints on the management port and everything else off it.</summary>
internal sealed class ManagementPortMatcherPolicy(ManagementPort managementPort) : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => true;

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var onManagementPort = httpContext.Connection.LocalPort == managementPort.Port;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i))
            {
                continue;
            }

            var isManagementEndpoint = candidates[i].Endpoint.Metadata.GetMetadata<ManagementEndpointMetadata>() is not null;
            if (isManagementEndpoint != onManagementPort)
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }
}
