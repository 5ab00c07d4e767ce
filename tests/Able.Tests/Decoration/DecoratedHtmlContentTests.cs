using System.IO.Compression;
using System.Net;
using System.Text;
using Able.Gateway.Decoration;

namespace Able.Tests.Decoration;

/// <summary>
/// The content that replaces a decorated page's origin content: whatever way it is read (as YARP copies it, as a
/// stream, buffered) it is the origin page decoded, rewritten and encoded for the client, of unknown length.
/// </summary>
public sealed class DecoratedHtmlContentTests
{
    private const string Link = "<a href=\"https://calendly.com/acme/intro\">Book</a>";

    private static readonly CalendlyLinkDecoration Decoration = new("salesforce_uuid", "Vd3kTq9xR2mP0aLbC7eF1g", new Dictionary<string, string>());

    private static readonly byte[] Page = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"<p>{i} é</p>{Link}\n")));

    private static readonly byte[] Decorated = CalendlyUrlRewriter.RewriteAll(Page, Decoration);

    public static TheoryData<string, string> Codings => new()
    {
        { "identity", "identity" },
        { "gzip", "gzip" },
        { "gzip", "identity" },
        { "deflate", "deflate" },
        { "deflate", "identity" },
        { "br", "br" },
        { "br", "identity" },
        { "identity", "gzip" },
    };

    [Theory]
    [MemberData(nameof(Codings))]
    public async Task Copied_as_YARP_copies_it_the_body_is_the_decorated_page_in_the_client_coding(string originCoding, string clientCoding)
    {
        var outcomes = new List<string>();
        using var content = Content(originCoding, clientCoding, rewriter => outcomes.Add(rewriter.Outcome));

        using var output = new MemoryStream();
        await content.CopyToAsync(output);

        Assert.Equal(Decorated, DecoratedHtmlStreamTests.Decompress(clientCoding, output.ToArray()));
        Assert.Equal(["decorated"], outcomes);
    }

    [Theory]
    [MemberData(nameof(Codings))]
    public async Task Read_as_a_stream_or_buffered_the_body_is_the_same(string originCoding, string clientCoding)
    {
        using (var content = Content(originCoding, clientCoding))
        {
            await using var stream = await content.ReadAsStreamAsync();
            using var output = new MemoryStream();
            await stream.CopyToAsync(output);
            Assert.Equal(Decorated, DecoratedHtmlStreamTests.Decompress(clientCoding, output.ToArray()));
        }

        using (var content = Content(originCoding, clientCoding))
        {
            Assert.Equal(Decorated, DecoratedHtmlStreamTests.Decompress(clientCoding, await content.ReadAsByteArrayAsync()));
        }
    }

    [Fact]
    public async Task The_length_is_unknown_so_the_body_goes_out_chunked()
    {
        using var content = Content("identity", "identity");

        Assert.Null(content.Headers.ContentLength);
        Assert.Equal(Decorated.Length, (await content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task Disposing_it_disposes_the_origin_content()
    {
        var origin = new TrackedContent(Page);
        var content = new DecoratedHtmlContent(origin, ContentCoding.Identity, ContentCoding.Identity, new CalendlyUrlRewriter(Decoration), _ => { });

        content.Dispose();

        Assert.True(origin.Disposed);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => content.ReadAsStreamAsync());
    }

    /// <summary>Disposed, it cannot be read again, even after it was buffered.</summary>
    [Fact]
    public async Task A_disposed_content_cannot_be_read_even_when_buffered()
    {
        var content = Content("identity", "identity");
        await content.LoadIntoBufferAsync();
        Assert.Equal(Decorated, await content.ReadAsByteArrayAsync());

        content.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public void Each_client_coding_has_a_compressor_that_leaves_the_output_open(string name)
    {
        using var output = new MemoryStream();
        var encoder = DecoratedHtmlContent.Encoder(Coding(name));

        Assert.NotNull(encoder);
        using (var compressor = encoder(output))
        {
            compressor.Write(Decorated);
        }

        Assert.True(output.CanWrite);
        Assert.Equal(Decorated, DecoratedHtmlStreamTests.Decompress(name, output.ToArray()));
    }

    [Fact]
    public void Identity_has_no_compressor()
    {
        Assert.Null(DecoratedHtmlContent.Encoder(ContentCoding.Identity));
    }

    private static DecoratedHtmlContent Content(string originCoding, string clientCoding, Action<CalendlyUrlRewriter>? finished = null) =>
        new(new ByteArrayContent(Compress(originCoding, Page)), Coding(originCoding), Coding(clientCoding), new CalendlyUrlRewriter(Decoration), finished ?? (_ => { }));

    private static ContentCoding Coding(string name) => name switch
    {
        "gzip" => ContentCoding.Gzip,
        "deflate" => ContentCoding.Deflate,
        "br" => ContentCoding.Brotli,
        _ => ContentCoding.Identity,
    };

    private static byte[] Compress(string coding, byte[] data)
    {
        if (coding == "identity")
        {
            return data;
        }

        using var output = new MemoryStream();
        using (Stream compressor = coding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
            "deflate" => new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true),
            _ => new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true),
        })
        {
            compressor.Write(data);
        }

        return output.ToArray();
    }

    private sealed class TrackedContent(byte[] body) : ByteArrayContent(body)
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
