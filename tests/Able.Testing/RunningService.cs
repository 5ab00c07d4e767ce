using Microsoft.AspNetCore.Builder;

namespace Able.Testing;

/// <summary>A real service (gateway or attribution) on real Kestrel, started from a <see cref="TestConfig"/>.</summary>
public sealed class RunningService : IAsyncDisposable
{
    private readonly TestConfig? ownedConfig;

    private RunningService(WebApplication app, Uri publicBase, Uri managementBase, TestConfig? ownedConfig)
    {
        this.ownedConfig = ownedConfig;
        App = app;
        PublicBase = publicBase;
        ManagementBase = managementBase;
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
    }

    public WebApplication App { get; }

    public Uri PublicBase { get; }

    public Uri ManagementBase { get; }

    /// <summary>No redirects followed, no cookie container: tests see exactly what the service sent.</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>Starts the gateway; with <paramref name="ownsConfig"/> the config (and its file) goes with the service.</summary>
    public static Task<RunningService> StartGatewayAsync(TestConfig config, bool ownsConfig = false) =>
        StartAsync(config, Able.Gateway.GatewayApp.Build, "Gateway", ownsConfig);

    /// <summary>Starts the attribution service; with <paramref name="ownsConfig"/> the config goes with the service.</summary>
    public static Task<RunningService> StartAttributionAsync(TestConfig config, bool ownsConfig = false) =>
        StartAsync(config, Able.Attribution.Service.AttributionApp.Build, "Attribution", ownsConfig);

    private static async Task<RunningService> StartAsync(TestConfig config, Func<string[], WebApplication> build, string section, bool ownsConfig)
    {
        config.Write();
        var app = build(["--config", config.FilePath]);
        await app.StartAsync();
        var endpoints = config.Able[section]!;
        return new RunningService(app, new Uri((string)endpoints["PublicUrl"]!), new Uri((string)endpoints["ManagementUrl"]!), ownsConfig ? config : null);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        ownedConfig?.Dispose();
    }
}
