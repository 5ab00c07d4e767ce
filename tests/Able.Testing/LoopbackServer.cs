using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Able.Testing;

/// <summary>
/// A real Kestrel server on a free loopback port for the parts of the outside world a test needs
/// (a customer's origin, TikTok): the test maps its endpoints, this starts, names and stops it.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private LoopbackServer(WebApplication app, string url)
    {
        this.app = app;
        Url = url;
    }

    /// <summary>The base URL without a trailing slash, e.g. <c>http://127.0.0.1:21034</c>.</summary>
    public string Url { get; }

    public static async Task<LoopbackServer> StartAsync(Action<WebApplication> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return new LoopbackServer(app, url);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
