using Able.Schema.Configuration;
using Able.Schema.Ingress;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;

namespace Able.Gateway.Routing;

/// <summary>
/// Builds YARP routes and clusters from the funnels in <c>config/able.json</c>: each funnel's hosts go to
/// its origin, and the webhook and conversions paths on those hosts go to the attribution service.
/// Rebuilt whenever the configuration file changes.
/// </summary>
internal sealed class FunnelProxyConfigProvider : IProxyConfigProvider, IDisposable
{
    public const string AttributionClusterId = "attribution";

    /// <summary>The attribution service's paths on every funnel host; whatever follows a webhook prefix is forwarded as it came.</summary>
    private static readonly string[] ForwardedIngressPaths = [.. IngressPaths.All.Select(path => path.Template("**rest"))];

    private readonly IDisposable? subscription;
    private volatile FunnelProxyConfig current;

    public FunnelProxyConfigProvider(IOptionsMonitor<AbleOptions> options)
    {
        current = new FunnelProxyConfig(options.CurrentValue);
        subscription = options.OnChange(updated =>
        {
            var previous = current;
            current = new FunnelProxyConfig(updated);
            previous.SignalChange();
        });
    }

    public IProxyConfig GetConfig() => current;

    public void Dispose()
    {
        subscription?.Dispose();
        current.Dispose();
    }

    public static string FunnelRouteId(string mark) => $"funnel-{mark}";

    private sealed class FunnelProxyConfig : IProxyConfig, IDisposable
    {
        private readonly CancellationTokenSource changed = new();

        public FunnelProxyConfig(AbleOptions options)
        {
            var routes = new List<RouteConfig>();
            var clusters = new List<ClusterConfig>
            {
                Cluster(AttributionClusterId, options.Gateway.AttributionUrl),
            };
            foreach (var funnel in options.Funnels)
            {
                var clusterId = FunnelRouteId(funnel.Mark);
                clusters.Add(Cluster(clusterId, funnel.Origin));
                routes.Add(new RouteConfig
                {
                    RouteId = clusterId,
                    ClusterId = clusterId,
                    Match = new RouteMatch { Hosts = funnel.Hosts, Path = "{**catch-all}" },
                    Metadata = new Dictionary<string, string> { [FunnelMetadata.Key] = funnel.Mark },
                });
                routes.AddRange(ForwardedIngressPaths.Select((path, i) => new RouteConfig
                {
                    RouteId = $"{clusterId}-ingress-{i}",
                    ClusterId = AttributionClusterId,
                    Match = new RouteMatch { Hosts = funnel.Hosts, Path = path },
                    Metadata = new Dictionary<string, string> { [FunnelMetadata.Key] = funnel.Mark },
                }));
            }

            Routes = routes;
            Clusters = clusters;
            ChangeToken = new CancellationChangeToken(changed.Token);
        }

        public IReadOnlyList<RouteConfig> Routes { get; }

        public IReadOnlyList<ClusterConfig> Clusters { get; }

        public IChangeToken ChangeToken { get; }

        /// <summary>Tells YARP this snapshot is stale; it then asks the provider for the current one.</summary>
        public void SignalChange()
        {
            changed.Cancel();
            Dispose();
        }

        public void Dispose() => changed.Dispose();

        private static ClusterConfig Cluster(string id, string address) => new()
        {
            ClusterId = id,
            HttpClient = Utf8HeaderValues.ForwarderClient,
            Destinations = new Dictionary<string, DestinationConfig> { ["origin"] = new() { Address = address } },
        };
    }
}

/// <summary>Route metadata naming the funnel a request belongs to.</summary>
internal static class FunnelMetadata
{
    public const string Key = "Able.Funnel";

    /// <summary>
    /// The funnel whose site a proxied request is for; null on the ingress routes (proxied to the attribution
    /// service) and on routes that are not a funnel's.
    /// </summary>
    public static FunnelOptions? FunnelOf(HttpContext context, AbleOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        return SiteMarkOf(context.GetReverseProxyFeature().Route.Config) is { } mark ? options.FindFunnel(mark) : null;
    }

    /// <summary>The mark of the funnel whose site <paramref name="route"/> serves; null for ingress routes and routes that are not a funnel's.</summary>
    public static string? SiteMarkOf(RouteConfig route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return route.ClusterId != FunnelProxyConfigProvider.AttributionClusterId && route.Metadata?.TryGetValue(Key, out var mark) == true
            ? mark
            : null;
    }
}
