using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Able.FunctionalTests.Decoration;

/// <summary>A real Kestrel origin on a free loopback port that answers every request with <see cref="RequestDelegate"/>.</summary>
public sealed class HtmlOrigin : IAsyncDisposable
{
    private LoopbackServer? server;

    private HtmlOrigin()
    {
    }

    public string Url => server!.Url;

    /// <summary>Accept-Encoding of the last request the origin received ("" when none).</summary>
    public string? LastAcceptEncoding { get; private set; }

    public static async Task<HtmlOrigin> StartAsync(RequestDelegate handler)
    {
        var origin = new HtmlOrigin();
        origin.server = await LoopbackServer.StartAsync(app => app.Run(context =>
        {
            origin.LastAcceptEncoding = context.Request.Headers.AcceptEncoding.ToString();
            return handler(context);
        }));
        return origin;
    }

    public ValueTask DisposeAsync() => server!.DisposeAsync();
}
