using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Able.FunctionalTests.Capture;

/// <summary>One request as the origin received it.</summary>
public sealed record OriginRequest(string Method, string Path, string QueryString, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>
/// A real origin on loopback Kestrel behind the gateway. It records every request and serves:
/// <c>/binary</c> (deterministic bytes, application/octet-stream), <c>/large?mb=N</c> (N MiB streamed in
/// chunks), <c>/json</c>, <c>/set-cookie</c> (its own Set-Cookie), and an HTML page for everything else.
/// </summary>
public sealed class RecordingOrigin : IAsyncDisposable
{
    public const string Html = "<!doctype html><html><head><title>Acme</title></head><body><h1>Book a call</h1></body></html>";

    /// <summary>Served at <c>/book</c>: a landing page with a plain Calendly link for the gateway to decorate.</summary>
    public const string BookingHtml = "<!doctype html><html><body><a id=\"book\" href=\"https://calendly.com/acme/intro\">Book</a></body></html>";

    private LoopbackServer? server;

    private RecordingOrigin()
    {
    }

    public string Url => server!.Url;

    public ConcurrentQueue<OriginRequest> Requests { get; } = new();

    /// <summary>Released by a test to let <c>/gated</c> finish its body.</summary>
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static byte[] BinaryBody { get; } = MakeBytes(70_000, seed: 7);

    public static byte[] LargeChunk { get; } = MakeBytes(64 * 1024, seed: 11);

    public static async Task<RecordingOrigin> StartAsync()
    {
        var origin = new RecordingOrigin();
        origin.server = await LoopbackServer.StartAsync(app => app.Run(origin.ServeAsync));
        return origin;
    }

    /// <summary>The only request received on this path; fails if there were none or several.</summary>
    public OriginRequest ReceivedOnce(string path) => Assert.Single(Requests, r => r.Path == path);

    private async Task ServeAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        Requests.Enqueue(new OriginRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.QueryString.Value ?? "",
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body.ToArray()));

        var response = context.Response;
        switch (context.Request.Path.Value)
        {
            case "/binary":
                response.ContentType = "application/octet-stream";
                await response.Body.WriteAsync(BinaryBody);
                break;
            case "/json":
                response.ContentType = "application/json";
                await response.WriteAsync("{\"url\":\"https://calendly.com/acme/intro\"}");
                break;
            case "/large":
                response.ContentType = "application/octet-stream";
                var mb = int.Parse(context.Request.Query["mb"].ToString() is { Length: > 0 } m ? m : "1", System.Globalization.CultureInfo.InvariantCulture);
                for (var i = 0; i < mb * 16; i++)
                {
                    await response.Body.WriteAsync(LargeChunk);
                    await response.Body.FlushAsync();
                }

                break;
            case "/gated":
                // First chunk now, the rest only once the test saw the first chunk through the gateway:
                // a gateway that buffered whole bodies would never deliver it.
                response.ContentType = "application/octet-stream";
                await response.Body.WriteAsync(LargeChunk);
                await response.Body.FlushAsync();
                await Gate.Task.WaitAsync(TimeSpan.FromSeconds(20));
                await response.Body.WriteAsync(LargeChunk);
                break;
            case "/book":
                response.ContentType = "text/html; charset=utf-8";
                await response.WriteAsync(BookingHtml);
                break;
            case "/set-cookie":
                response.Headers.Append("Set-Cookie", "origin_session=abc; Path=/");
                response.ContentType = "text/html; charset=utf-8";
                await response.WriteAsync(Html);
                break;
            default:
                response.ContentType = "text/html; charset=utf-8";
                await response.WriteAsync(Html);
                break;
        }
    }

    private static byte[] MakeBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public ValueTask DisposeAsync() => server!.DisposeAsync();
}
