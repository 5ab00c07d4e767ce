using System.Text;

namespace Able.Benchmarks.Origin;

/// <summary>
/// The origin behind every proxy in the benchmark: a 1 KB HTML landing page with two Calendly links (what the
/// gateway captures and decorates) at every path, and a 1 KB static asset under <c>/assets/</c>.
/// </summary>
internal static class BenchOrigin
{
    public static readonly byte[] Page = Encoding.UTF8.GetBytes(PageHtml());

    public static readonly byte[] Asset = Encoding.UTF8.GetBytes(new string('x', 1024));

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(context =>
        {
            var asset = context.Request.Path.StartsWithSegments("/assets", StringComparison.Ordinal);
            var body = asset ? Asset : Page;
            context.Response.ContentType = asset ? "text/css" : "text/html; charset=utf-8";
            context.Response.ContentLength = body.Length;
            return context.Response.Body.WriteAsync(body).AsTask();
        });
        await app.RunAsync();
        return 0;
    }

    public static string PageHtml()
    {
        var html = new StringBuilder("""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Book a call</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <link rel="stylesheet" href="/assets/site.css"></head>
            <body><header><h1>Grow your studio with a free strategy call</h1></header>
            <main><p>Pick a time that suits you. The call takes thirty minutes and there is no obligation.</p>
            <p><a class="cta" href="https://calendly.com/acme-studio/strategy-call">Book your free call</a></p>
            <p>Prefer a longer session? <a href="https://calendly.com/acme-studio/deep-dive?month=2026-12">Book a deep dive</a>.</p>
            """);
        while (html.Length < 1000)
        {
            html.Append("<p>Clients tell us the call alone was worth it: a clear plan, no pressure.</p>\n");
        }

        html.Append("</main></body></html>\n");
        return html.ToString();
    }
}
