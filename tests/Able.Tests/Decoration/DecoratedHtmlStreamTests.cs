using System.IO.Compression;
using System.Text;
using Able.Gateway.Decoration;

namespace Able.Tests.Decoration;

/// <summary>The pull-based body YARP copies: same bytes as rewriting at once, compression round-trips, bounded allocation.</summary>
public sealed class DecoratedHtmlStreamTests
{
    private const string Vid = "Vd3kTq9xR2mP0aLbC7eF1g";
    private const string Link = "<a href=\"https://calendly.com/acme/intro\">Book</a>";
    private const string Insertion = "?salesforce_uuid=" + Vid;

    private static readonly CalendlyLinkDecoration Decoration = new("salesforce_uuid", Vid, new Dictionary<string, string>());

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void Reads_of_any_size_give_the_whole_document_rewrite(int readSize)
    {
        var document = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 300).Select(i => $"<p>{i} é</p>{Link}\n")));
        using var stream = new DecoratedHtmlStream(new MemoryStream(document), new CalendlyUrlRewriter(Decoration), encode: null, finished: _ => { });

        var output = ReadAll(stream, readSize);

        Assert.Equal(CalendlyUrlRewriter.RewriteAll(document, Decoration), output);
    }

    [Fact]
    public void Gzip_output_decompresses_to_the_whole_document_rewrite_and_reports_once()
    {
        var document = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 300).Select(i => $"<p>{i}</p>{Link}\n")));
        var reports = new List<string>();
        var stream = new DecoratedHtmlStream(
            new MemoryStream(document),
            new CalendlyUrlRewriter(Decoration),
            output => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
            rewriter => reports.Add(rewriter.Outcome));

        var compressed = ReadAll(stream, 333);
        stream.Dispose();

        using var decompressed = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress))
        {
            gzip.CopyTo(decompressed);
        }

        Assert.Equal(CalendlyUrlRewriter.RewriteAll(document, Decoration), decompressed.ToArray());
        Assert.Equal(["decorated"], reports);
    }

    /// <summary>
    /// Memory per response does not grow with the page: streaming 5 MB allocates a small fraction of that on
    /// the reading thread (a buffering rewriter would allocate at least the page).
    /// </summary>
    [Fact]
    public void Streaming_five_megabytes_allocates_far_less_than_the_page()
    {
        const long pageBytes = 5L * 1024 * 1024;
        const int linkEvery = 100 * 1024;
        using var source = new GeneratedPage(pageBytes, linkEvery);
        using var stream = new DecoratedHtmlStream(source, new CalendlyUrlRewriter(Decoration), encode: null, finished: _ => { });
        var buffer = new byte[16 * 1024];
        ReadToEnd(stream, new byte[16 * 1024]); // warm-up of pools and JIT on a fresh stream is not what we measure
        using var measured = new GeneratedPage(pageBytes, linkEvery);
        using var measuredStream = new DecoratedHtmlStream(measured, new CalendlyUrlRewriter(Decoration), encode: null, finished: _ => { });

        var before = GC.GetAllocatedBytesForCurrentThread();
        var total = ReadToEnd(measuredStream, buffer);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(pageBytes + (measured.Links * Insertion.Length), total);
        Assert.True(allocated < 1024 * 1024, $"allocated {allocated} bytes while streaming {pageBytes} bytes");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    public void Page_allocates_only_the_stream_objects_and_no_buffer(int linkEvery)
    {
        const long pageBytes = 1024 * 1024;
        var buffer = new byte[64 * 1024];
        for (var warmUp = 0; warmUp < 3; warmUp++)
        {
            using var warm = new DecoratedHtmlStream(new GeneratedPage(pageBytes, linkEvery == 0 ? int.MaxValue : linkEvery), new CalendlyUrlRewriter(Decoration), encode: null, finished: _ => { });
            ReadToEnd(warm, buffer);
        }

        using var source = new GeneratedPage(pageBytes, linkEvery == 0 ? int.MaxValue : linkEvery);
        var before = GC.GetAllocatedBytesForCurrentThread();
        using (var stream = new DecoratedHtmlStream(source, new CalendlyUrlRewriter(Decoration), encode: null, finished: _ => { }))
        {
            ReadToEnd(stream, buffer);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 2048, $"allocated {allocated} bytes for a {pageBytes}-byte page with a link every {linkEvery} bytes");
    }

    [Fact]
    public void Buffers_go_back_to_the_pool_when_the_body_ends()
    {
        var document = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 3000).Select(i => $"<p>{i}</p>{Link}\n")));
        using var stream = new DecoratedHtmlStream(new MemoryStream(document), new CalendlyUrlRewriter(Decoration), encode: null, finished: _ => { });

        Assert.Equal(CalendlyUrlRewriter.RewriteAll(document, Decoration), ReadAll(stream, 1000));
        Assert.False(stream.HoldsPooledBuffers);
    }

    [Fact]
    public void Buffers_go_back_to_the_pool_when_a_body_cut_short_is_disposed()
    {
        // 16 KB chunks of 80-byte blocks: every chunk ends in the middle of a link, which the rewriter holds back.
        var document = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 3000).Select(i => new string('x', 80 - 4 - Link.Length) + $"{i:0000}{Link}")));
        var reports = 0;
        var stream = new DecoratedHtmlStream(
            new MemoryStream(document),
            new CalendlyUrlRewriter(Decoration),
            output => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
            _ => reports++);
        Assert.True(stream.Read(new byte[100]) > 0);
        Assert.True(stream.HoldsPooledBuffers);

        stream.Dispose();

        Assert.False(stream.HoldsPooledBuffers);
        Assert.Equal(1, reports);
    }

    private static long ReadToEnd(Stream stream, byte[] buffer)
    {
        long total = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    private static byte[] ReadAll(Stream stream, int readSize)
    {
        using var output = new MemoryStream();
        var buffer = new byte[readSize];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }

    /// <summary>An HTML page of a given size produced on the fly, with a Calendly link every <c>linkEvery</c> bytes.</summary>
    private sealed class GeneratedPage(long length, int linkEvery) : Stream
    {
        private static readonly byte[] LinkBytes = Encoding.ASCII.GetBytes(Link);
        private long position;

        public long Links => (length + linkEvery - 1) / linkEvery;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - position);
            for (var i = 0; i < n; i++)
            {
                var inBlock = (int)((position + i) % linkEvery);
                buffer[i] = inBlock < LinkBytes.Length ? LinkBytes[inBlock] : inBlock % 80 == 0 ? (byte)'\n' : (byte)'x';
            }

            position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
