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

    [Fact]
    public void The_body_is_a_read_only_forward_stream()
    {
        using var stream = new DecoratedHtmlStream(new MemoryStream(Encoding.UTF8.GetBytes(Link)), new CalendlyUrlRewriter(Decoration), encode: null, finished: _ => { });

        Assert.True(stream.CanRead);
        Assert.False(stream.CanSeek);
        Assert.False(stream.CanWrite);
        Assert.Throws<NotSupportedException>(() => stream.Length);
        Assert.Throws<NotSupportedException>(() => stream.Position);
        Assert.Throws<NotSupportedException>(() => stream.Position = 0);
        Assert.Throws<NotSupportedException>(() => stream.Seek(0, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => stream.SetLength(0));
        Assert.Throws<NotSupportedException>(() => stream.Write(new byte[1], 0, 1));
    }

    /// <summary>The compressor writes into a sink that can only be written (its CanRead/CanSeek agree with what it supports).</summary>
    [Fact]
    public void The_compressor_writes_into_a_write_only_sink()
    {
        Stream? sink = null;
        using var stream = new DecoratedHtmlStream(
            new MemoryStream(Encoding.UTF8.GetBytes(Link)),
            new CalendlyUrlRewriter(Decoration),
            output =>
            {
                sink = output;
                return new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);
            },
            finished: _ => { });

        Assert.NotNull(sink);
        Assert.True(sink.CanWrite);
        Assert.False(sink.CanRead);
        Assert.False(sink.CanSeek);
        Assert.Throws<NotSupportedException>(() => sink.Read(new byte[1], 0, 1));
        Assert.Throws<NotSupportedException>(() => sink.Seek(0, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => sink.SetLength(0));
        Assert.Throws<NotSupportedException>(() => sink.Length);
        Assert.Throws<NotSupportedException>(() => sink.Position);
        Assert.Throws<NotSupportedException>(() => sink.Position = 0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Async_reads_of_any_size_give_the_whole_document_rewrite(int readSize)
    {
        var document = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 300).Select(i => $"<p>{i} é</p>{Link}\n")));
        await using var stream = new DecoratedHtmlStream(new MemoryStream(document), new CalendlyUrlRewriter(Decoration), encode: null, finished: _ => { });

        using var output = new MemoryStream();
        var buffer = new byte[readSize];
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory())) > 0)
        {
            output.Write(buffer, 0, read);
        }

        Assert.Equal(CalendlyUrlRewriter.RewriteAll(document, Decoration), output.ToArray());
        Assert.False(stream.HoldsPooledBuffers);
    }

    [Fact]
    public async Task Array_reads_with_an_offset_fill_the_given_range()
    {
        var document = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 50).Select(i => $"<p>{i}</p>{Link}\n")));
        using var stream = new DecoratedHtmlStream(new MemoryStream(document), new CalendlyUrlRewriter(Decoration), encode: null, finished: _ => { });
        var expected = CalendlyUrlRewriter.RewriteAll(document, Decoration);
        var buffer = new byte[expected.Length + 20];

        var total = 0;
        var odd = true;
        int read;
        do
        {
            var count = Math.Min(13, buffer.Length - 10 - total);
            // The array overloads on purpose: callers (older copy loops) still use them.
#pragma warning disable CA1835
            read = odd ? stream.Read(buffer, 10 + total, count) : await stream.ReadAsync(buffer, 10 + total, count, CancellationToken.None);
#pragma warning restore CA1835
            total += read;
            odd = !odd;
        }
        while (read > 0);

        Assert.Equal(expected.Length, total);
        Assert.Equal(expected, buffer[10..(10 + total)]);
        Assert.All(buffer[..10], b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task An_empty_read_returns_nothing_and_takes_nothing()
    {
        var document = Encoding.UTF8.GetBytes($"<p>x</p>{Link}");
        using var stream = new DecoratedHtmlStream(new MemoryStream(document), new CalendlyUrlRewriter(Decoration), encode: null, finished: _ => { });

        Assert.Equal(0, stream.Read([]));
        Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty));

        Assert.Equal(CalendlyUrlRewriter.RewriteAll(document, Decoration), ReadAll(stream, 5));
    }

    public static TheoryData<bool, string> Pulls => new()
    {
        { false, "identity" },
        { true, "identity" },
        { false, "gzip" },
        { true, "gzip" },
        { false, "br" },
        { true, "deflate" },
    };

    /// <summary>
    /// Pull-based: a read takes one chunk from the origin and hands out what it became (compressed, flushed) before
    /// asking the origin for more, so the client gets the page as it arrives and the stream holds one chunk at a time.
    /// </summary>
    [Theory]
    [MemberData(nameof(Pulls))]
    public async Task A_read_takes_one_origin_chunk_and_hands_it_out(bool async, string coding)
    {
        // 300 KB of repetitive HTML: a compressor would keep a chunk of it in its own buffer unless flushed.
        var document = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 3000).Select(i => $"<p>paragraph</p>{Link}\n<div>{new string('x', 40)}</div>")));
        var source = new CountingStream(document);
        await using var stream = new DecoratedHtmlStream(source, new CalendlyUrlRewriter(Decoration), Encoder(coding), finished: _ => { });
        var buffer = new byte[100];

        var read = async ? await stream.ReadAsync(buffer.AsMemory()) : stream.Read(buffer.AsSpan());

        Assert.True(read > 0);
        Assert.Equal(1, source.Reads);
        Assert.True(source.Position < document.Length);
    }

    /// <summary>
    /// The compressor is flushed after every origin chunk: what one read hands out decompresses to exactly what the same
    /// read hands out uncompressed, so the client sees the page as it arrives.
    /// </summary>
    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public void A_compressed_read_hands_out_all_of_the_chunk_it_took(string coding)
    {
        var document = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 3000).Select(i => $"<p>paragraph {i}</p>{Link}\n")));
        using var plain = new DecoratedHtmlStream(new MemoryStream(document), new CalendlyUrlRewriter(Decoration), encode: null, finished: _ => { });
        using var compressed = new DecoratedHtmlStream(new MemoryStream(document), new CalendlyUrlRewriter(Decoration), Encoder(coding), finished: _ => { });
        var buffer = new byte[1 << 20];

        var expected = buffer[..plain.Read(buffer)];
        var firstRead = buffer[..compressed.Read(buffer)];

        Assert.True(expected.Length > 10_000);
        Assert.Equal(expected, DecompressAvailable(coding, firstRead));
    }

    /// <summary>Decompresses what a cut-off compressed body holds, up to where it was cut.</summary>
    private static byte[] DecompressAvailable(string coding, byte[] body)
    {
        using var input = new MemoryStream(body);
        using Stream decompressor = coding switch
        {
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            "deflate" => new ZLibStream(input, CompressionMode.Decompress),
            _ => new BrotliStream(input, CompressionMode.Decompress),
        };
        using var output = new MemoryStream();
        var buffer = new byte[256];
        try
        {
            int read;
            while ((read = decompressor.Read(buffer)) > 0)
            {
                output.Write(buffer, 0, read);
            }
        }
        catch (InvalidDataException)
        {
            // The body ends mid-stream (no trailer yet): everything before the cut has been read.
        }

        return output.ToArray();
    }

    public static TheoryData<string, int, bool> RoundTrips => new()
    {
        { "gzip", 1, false },
        { "gzip", 333, true },
        { "deflate", 1, true },
        { "deflate", 4096, false },
        { "br", 1, false },
        { "br", 70_000, true },
    };

    /// <summary>
    /// Read to the end (before any dispose), the compressed body is complete: it decompresses to the whole rewrite, the
    /// counts are reported once, and the pooled buffers stay held exactly while bytes are waiting to be read.
    /// </summary>
    [Theory]
    [MemberData(nameof(RoundTrips))]
    public async Task A_compressed_body_read_to_the_end_is_complete(string coding, int readSize, bool async)
    {
        var document = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 1000).Select(i => $"<p>{i}</p>{Link}\n")));
        var reports = new List<string>();
        var stream = new DecoratedHtmlStream(new MemoryStream(document), new CalendlyUrlRewriter(Decoration), Encoder(coding), rewriter => reports.Add(rewriter.Outcome));
        var held = new List<bool>();
        using var output = new MemoryStream();
        var buffer = new byte[readSize];
        int read;
        while ((read = async ? await stream.ReadAsync(buffer.AsMemory()) : stream.Read(buffer.AsSpan())) > 0)
        {
            output.Write(buffer, 0, read);
            held.Add(stream.HoldsPooledBuffers);
        }

        Assert.Equal(["decorated"], reports);
        Assert.False(stream.HoldsPooledBuffers);
        Assert.All(held.Take(held.Count - 1), h => Assert.True(h));
        Assert.False(held[^1]);
        var compressed = output.ToArray();
        var expected = CalendlyUrlRewriter.RewriteAll(document, Decoration);
        Assert.Equal(expected, Decompress(coding, compressed));
        if (coding == "gzip")
        {
            // The gzip trailer (CRC-32, then the length mod 2^32) is there: the member was finished, not cut off.
            Assert.Equal((uint)expected.Length, BitConverter.ToUInt32(compressed, compressed.Length - 4));
        }
        else if (coding == "deflate")
        {
            // The zlib trailer: the Adler-32 of the uncompressed bytes, big-endian.
            Assert.Equal(Adler32(expected), System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(compressed.AsSpan(compressed.Length - 4)));
        }

        stream.Dispose();
        Assert.Single(reports);
    }

    /// <summary>
    /// A chunk full of short links whose decoration more than doubles it (UTMs on every one) comes out whole:
    /// the bytes waiting to be read outgrow the first buffer while earlier bytes of the chunk are still in it.
    /// </summary>
    [Theory]
    [InlineData(4096)]
    [InlineData(1 << 20)]
    public void A_chunk_that_more_than_doubles_comes_out_whole(int readSize)
    {
        var utms = new Dictionary<string, string>
        {
            ["utm_source"] = "tiktok_ads_campaign_source",
            ["utm_medium"] = "paid_social_video_medium",
            ["utm_campaign"] = "spring_sale_2026_campaign_name",
            ["utm_term"] = "booking_call_term_value",
            ["utm_content"] = "video_a_content_variant",
        };
        var decoration = new CalendlyLinkDecoration("salesforce_uuid", Vid, utms);
        var document = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 4000).Select(_ => "\"https://calendly.com/a/b\" ")));
        using var stream = new DecoratedHtmlStream(new MemoryStream(document), new CalendlyUrlRewriter(decoration), encode: null, finished: _ => { });

        var output = ReadAll(stream, readSize);

        Assert.Equal(CalendlyUrlRewriter.RewriteAll(document, decoration), output);
        Assert.True(output.Length > 4 * document.Length);
        Assert.False(stream.HoldsPooledBuffers);
    }

    /// <summary>An origin that trickles a few bytes per read (every URL straddles many reads) gives the same page.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task An_origin_trickling_bytes_gives_the_whole_document_rewrite(int perRead)
    {
        var document = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 40).Select(i => $"<p>{i}</p>{Link}\n")));
        await using var stream = new DecoratedHtmlStream(new CountingStream(document, perRead), new CalendlyUrlRewriter(Decoration), encode: null, finished: _ => { });

        using var output = new MemoryStream();
        await stream.CopyToAsync(output);

        Assert.Equal(CalendlyUrlRewriter.RewriteAll(document, Decoration), output.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Disposing_disposes_the_origin_and_the_compressor(bool readFirst)
    {
        var document = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 3000).Select(i => $"<p>{i}</p>{Link}\n")));
        var source = new CountingStream(document);
        Stream? compressor = null;
        var reports = 0;
        var stream = new DecoratedHtmlStream(
            source,
            new CalendlyUrlRewriter(Decoration),
            output => compressor = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
            _ => reports++);
        if (readFirst)
        {
            Assert.True(stream.Read(new byte[10]) > 0);
        }

        Assert.True(compressor!.CanWrite);

        stream.Dispose();

        Assert.True(source.Disposed);
        Assert.False(compressor.CanWrite);
        Assert.False(stream.HoldsPooledBuffers);
        Assert.Equal(1, reports);
        Assert.Throws<ObjectDisposedException>(() => stream.Read(new byte[10]));
    }

    private static Func<Stream, Stream>? Encoder(string coding) => coding switch
    {
        "gzip" => DecoratedHtmlContent.Encoder(ContentCoding.Gzip),
        "deflate" => DecoratedHtmlContent.Encoder(ContentCoding.Deflate),
        "br" => DecoratedHtmlContent.Encoder(ContentCoding.Brotli),
        _ => DecoratedHtmlContent.Encoder(ContentCoding.Identity),
    };

    internal static byte[] Decompress(string coding, byte[] body)
    {
        using var input = new MemoryStream(body);
        using Stream decompressor = coding switch
        {
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            "deflate" => new ZLibStream(input, CompressionMode.Decompress),
            "br" => new BrotliStream(input, CompressionMode.Decompress),
            _ => input,
        };
        using var output = new MemoryStream();
        decompressor.CopyTo(output);
        return output.ToArray();
    }

    private static uint Adler32(byte[] data)
    {
        uint a = 1, b = 0;
        foreach (var x in data)
        {
            a = (a + x) % 65521;
            b = (b + a) % 65521;
        }

        return (b << 16) | a;
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

    /// <summary>An origin body that counts its reads, hands out at most <c>perRead</c> bytes a read, and says whether it was disposed.</summary>
    private sealed class CountingStream(byte[] data, int perRead = int.MaxValue) : Stream
    {
        private readonly MemoryStream inner = new(data);

        public int Reads { get; private set; }

        public bool Disposed { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override int Read(Span<byte> buffer)
        {
            Reads++;
            return inner.Read(buffer[..Math.Min(buffer.Length, perRead)]);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            inner.Dispose();
            base.Dispose(disposing);
        }
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
