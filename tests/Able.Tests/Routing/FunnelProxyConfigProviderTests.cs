using Able.Gateway.Routing;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace Able.Tests.Routing;

/// <summary>
/// The YARP routes and clusters the gateway builds from the funnels: a funnel's hosts go to its origin, the webhook
/// and conversions paths on those hosts go to the attribution service, and a changed file replaces the snapshot.
/// </summary>
public sealed class FunnelProxyConfigProviderTests
{
    private static readonly FunnelOptions Acme = new() { Mark = "acme", Hosts = ["acme.test", "www.acme.test"], Origin = "http://10.0.0.5:8000" };
    private static readonly FunnelOptions Zeta = new() { Mark = "zeta", Hosts = ["zeta.test"], Origin = "https://origin.zeta.test" };

    private static AbleOptions With(params FunnelOptions[] funnels) => new()
    {
        Gateway = new GatewayOptions { AttributionUrl = "http://attribution:8081" },
        Funnels = funnels,
    };

    [Fact]
    public void Each_funnel_has_a_cluster_for_its_origin_beside_the_attribution_cluster()
    {
        using var provider = new FunnelProxyConfigProvider(new ChangingOptions(With(Acme, Zeta)));

        var clusters = provider.GetConfig().Clusters.ToDictionary(c => c.ClusterId, StringComparer.Ordinal);

        Assert.Equal(new[] { "attribution", "funnel-acme", "funnel-zeta" }, clusters.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("http://attribution:8081", Assert.Single(clusters["attribution"].Destinations!).Value.Address);
        Assert.Equal("http://10.0.0.5:8000", Assert.Single(clusters["funnel-acme"].Destinations!).Value.Address);
        Assert.Equal("https://origin.zeta.test", Assert.Single(clusters["funnel-zeta"].Destinations!).Value.Address);
        Assert.All(clusters.Values, cluster => Assert.Same(Utf8HeaderValues.ForwarderClient, cluster.HttpClient));
    }

    [Fact]
    public void A_funnels_hosts_go_to_its_origin_and_its_ingress_paths_to_attribution()
    {
        using var provider = new FunnelProxyConfigProvider(new ChangingOptions(With(Acme)));

        var routes = provider.GetConfig().Routes;

        Assert.Equal(4, routes.Count);
        Assert.All(routes, route =>
        {
            Assert.Equal(Acme.Hosts, route.Match.Hosts);
            Assert.Equal("acme", route.Metadata![FunnelMetadata.Key]);
        });
        var catchAll = Assert.Single(routes, route => route.ClusterId == "funnel-acme");
        Assert.Equal(FunnelProxyConfigProvider.FunnelRouteId("acme"), catchAll.RouteId);
        Assert.Equal("{**catch-all}", catchAll.Match.Path);
        Assert.Equal(
            new[] { "/calendly-webhook/{**rest}", "/stripe-webhook/{**rest}", "/v1/conversions" },
            routes.Where(route => route.ClusterId == FunnelProxyConfigProvider.AttributionClusterId).Select(route => route.Match.Path).ToArray());
        Assert.Equal(routes.Count, routes.Select(route => route.RouteId).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Route_ids_stay_unique_across_funnels()
    {
        using var provider = new FunnelProxyConfigProvider(new ChangingOptions(With(Acme, Zeta)));

        var routes = provider.GetConfig().Routes;

        Assert.Equal(8, routes.Count);
        Assert.Equal(routes.Count, routes.Select(route => route.RouteId).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(new[] { "zeta.test" }, routes.Where(route => route.Metadata![FunnelMetadata.Key] == "zeta").SelectMany(route => route.Match.Hosts!).Distinct().ToArray());
    }

    [Fact]
    public void A_changed_configuration_signals_the_old_snapshot_and_serves_the_new_one()
    {
        var monitor = new ChangingOptions(With(Acme));
        using var provider = new FunnelProxyConfigProvider(monitor);
        var before = provider.GetConfig();
        Assert.False(before.ChangeToken.HasChanged);

        monitor.Change(With(Acme, Zeta));

        Assert.True(before.ChangeToken.HasChanged);
        var after = provider.GetConfig();
        Assert.NotSame(before, after);
        Assert.False(after.ChangeToken.HasChanged);
        Assert.Contains(after.Clusters, cluster => cluster.ClusterId == "funnel-zeta");
        Assert.DoesNotContain(before.Clusters, cluster => cluster.ClusterId == "funnel-zeta");
    }

    [Fact]
    public void A_disposed_provider_stops_listening_for_changes()
    {
        var monitor = new ChangingOptions(With(Acme));
        var provider = new FunnelProxyConfigProvider(monitor);

        provider.Dispose();

        Assert.Equal(0, monitor.Listeners);
    }

    private sealed class ChangingOptions(AbleOptions initial) : IOptionsMonitor<AbleOptions>
    {
        private readonly List<Action<AbleOptions, string?>> listeners = [];

        public AbleOptions CurrentValue { get; private set; } = initial;

        public int Listeners => listeners.Count;

        public AbleOptions Get(string? name) => CurrentValue;

        public IDisposable OnChange(Action<AbleOptions, string?> listener)
        {
            listeners.Add(listener);
            return new Subscription(() => listeners.Remove(listener));
        }

        public void Change(AbleOptions options)
        {
            CurrentValue = options;
            foreach (var listener in listeners.ToList())
            {
                listener(options, Options.DefaultName);
            }
        }

        private sealed class Subscription(Action remove) : IDisposable
        {
            public void Dispose() => remove();
        }
    }
}
