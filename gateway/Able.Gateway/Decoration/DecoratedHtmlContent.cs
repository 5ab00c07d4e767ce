using System.IO.Compression;
using System.Net;

namespace Able.Gateway.Decoration;

/// <summary>
/// Replaces the origin's response content for a decorated page: the origin body is decoded if it came
/// compressed, rewritten by <see cref="CalendlyUrlRewriter"/>, and compressed again when the client asked for
/// that encoding. YARP reads it with its usual copy loop.
/// </summary>
internal sealed class DecoratedHtmlContent(
    HttpContent origin,
    ContentCoding originCoding,
    ContentCoding clientCoding,
    CalendlyUrlRewriter rewriter,
    Action<CalendlyUrlRewriter> finished) : HttpContent
{
    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
    {
        var raw = await origin.ReadAsStreamAsync(cancellationToken);
        return new DecoratedHtmlStream(Decode(raw, originCoding), rewriter, Encoder(clientCoding), finished);
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var body = await CreateContentReadStreamAsync(cancellationToken);
        await body.CopyToAsync(stream, cancellationToken);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            origin.Dispose();
        }

        base.Dispose(disposing);
    }

    private static Stream Decode(Stream raw, ContentCoding coding) => coding switch
    {
        ContentCoding.Gzip => new GZipStream(raw, CompressionMode.Decompress),
        ContentCoding.Deflate => new ZLibStream(raw, CompressionMode.Decompress),
        ContentCoding.Brotli => new BrotliStream(raw, CompressionMode.Decompress),
        _ => raw,
    };

    /// <summary>The compressor for the client's coding, writing into the stream it is given (null for identity).</summary>
    internal static Func<Stream, Stream>? Encoder(ContentCoding coding) => coding switch
    {
        ContentCoding.Gzip => output => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
        ContentCoding.Deflate => output => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
        ContentCoding.Brotli => output => new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true),
        _ => null,
    };
}

/// <summary>The content codings the decorator can read and write (RFC 9110 §8.4.1).</summary>
internal enum ContentCoding
{
    Identity,
    Gzip,
    Deflate,
    Brotli,
}
