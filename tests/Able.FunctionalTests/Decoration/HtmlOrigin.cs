using Able.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Able.FunctionalTests.Decoration;

/// <summary>A real Kestrel origin on a free loopback port that answers every request with <see cref="RequestDelegate"/>.</summary>
public sealed class HtmlOrigin : IAsyncDisposable
{
    private readonly WebApplication app;

    private HtmlOrigin(WebApplication app, string url)
    {
        this.app = app;
        Url = url;
    }

    public string Url { get; }

    /// <summary>Accept-Encoding of the last request the origin received ("" when none).</summary>
    public string? LastAcceptEncoding { get; private set; }

    public static async Task<HtmlOrigin> StartAsync(RequestDelegate handler)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        HtmlOrigin? origin = null;
        app.Run(context =>
        {
            origin!.LastAcceptEncoding = context.Request.Headers.AcceptEncoding.ToString();
            return handler(context);
        });
        origin = new HtmlOrigin(app, url);
        await app.StartAsync();
        return origin;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
