using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Able.FunctionalTests.Decoration;

/// <summary>
/// A 5 MB page streams through the gateway: the client receives decorated bytes while the origin is still
/// held in the middle of the page, which a gateway that buffers whole bodies could never do.
/// </summary>
public sealed class HtmlStreamingTests
{
    private const string Block = "<div class=\"offer\"><a href=\"https://calendly.com/acme/intro\">Book</a>";
    private const int PageBytes = 5 * 1024 * 1024;
    private static readonly TimeSpan Liveness = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("identity")]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task Five_megabyte_page_is_sent_before_the_origin_finishes(string coding)
    {
        var block = Block + new string('x', 1000) + "</div>\n";
        var blocks = PageBytes / block.Length;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var originFinished = false;
        await using var origin = await HtmlOrigin.StartAsync(async context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            if (coding != "identity")
            {
                context.Response.Headers.ContentEncoding = coding;
            }

            await using var body = coding == "identity" ? null : HtmlDecorationTests.Compress(context.Response.Body, coding);
            var output = body ?? context.Response.Body;
            var bytes = Encoding.UTF8.GetBytes(block);
            for (var i = 0; i < blocks; i++)
            {
                if (i == blocks / 5)
                {
                    // A fifth of the page is out; the rest waits until the client has seen decorated bytes.
                    await output.FlushAsync();
                    await context.Response.Body.FlushAsync();
                    await release.Task.WaitAsync(Liveness);
                }

                await output.WriteAsync(bytes);
            }

            await output.FlushAsync();
            originFinished = true;
        });
        await using var gateway = await HtmlDecorationTests.StartGatewayAsync(origin);

        using var request = HtmlDecorationTests.PageRequest(gateway, "/?utm_source=tiktok", coding == "identity" ? null : coding);
        using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var vid = HtmlDecorationTests.VisitorCookie(response);
        var decorated = Encoding.UTF8.GetBytes(Block.Replace("intro\"", $"intro?salesforce_uuid={vid}&utm_source=tiktok\"", StringComparison.Ordinal));
        await using var stream = HtmlDecorationTests.Decompress(await response.Content.ReadAsStreamAsync(), coding);
        using var timeout = new CancellationTokenSource(Liveness);
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];

        while (received.Length < 200_000)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.True(read > 0, "the page ended early");
            received.Write(buffer, 0, read);
        }

        Assert.False(originFinished);
        Assert.True(received.ToArray().AsSpan().IndexOf(decorated) >= 0, "the first bytes carry decorated links");
        release.SetResult();

        int n;
        while ((n = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            received.Write(buffer, 0, n);
        }

        Assert.True(originFinished);
        var page = received.ToArray();
        Assert.Equal((long)blocks * (block.Length + decorated.Length - Block.Length), page.LongLength);
        Assert.Equal(blocks, Occurrences(page, decorated));
        Assert.Equal(coding == "identity" ? [] : [coding], response.Content.Headers.ContentEncoding);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.False(response.Headers.Contains(HeaderNames.ETag));
    }

    private static int Occurrences(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle)
    {
        var count = 0;
        int at;
        while ((at = haystack.IndexOf(needle)) >= 0)
        {
            count++;
            haystack = haystack[(at + needle.Length)..];
        }

        return count;
    }
}
