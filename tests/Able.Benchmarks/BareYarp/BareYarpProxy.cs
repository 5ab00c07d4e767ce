using Yarp.ReverseProxy.Configuration;

namespace Able.Benchmarks.BareYarp;

/// <summary>
/// The baseline: YARP with one catch-all route to the origin and nothing else (no capture, no decoration, no
/// metrics), configured like the gateway's proxy (same YARP version, same Kestrel defaults, server GC).
/// </summary>
internal static class BareYarpProxy
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var origin = builder.Configuration["origin"] ?? throw new InvalidOperationException("--origin URL is required");
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "all", ClusterId = "origin", Match = new RouteMatch { Path = "{**catch-all}" } }],
            [new ClusterConfig { ClusterId = "origin", Destinations = new Dictionary<string, DestinationConfig> { ["origin"] = new() { Address = origin } } }]);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.RunAsync();
        return 0;
    }
}
