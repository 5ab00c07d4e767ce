using System.Buffers;

namespace Able.Gateway.Decoration;

/// <summary>
/// The body YARP copies to the client for a decorated page: reads the origin's (decoded) body in chunks,
/// runs each through the <see cref="CalendlyUrlRewriter"/>, optionally compresses the result again, and hands
/// it out. Pull-based, so YARP keeps its own copy loop; it holds at most one chunk plus the rewriter's bounded
/// tail, whatever the page size.
/// </summary>
internal sealed class DecoratedHtmlStream : Stream
{
    private const int ChunkSize = 16 * 1024;

    private readonly Stream source;
    private readonly CalendlyUrlRewriter rewriter;
    private readonly ByteQueue ready = new();
    private readonly Stream? encoder;
    private readonly Action<CalendlyUrlRewriter> finished;
    private byte[]? chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
    private bool sourceDone;
    private bool reported;

    /// <param name="source">The origin body, already decompressed.</param>
    /// <param name="rewriter">The rewriter for this visitor.</param>
    /// <param name="encode">Wraps the output in a compressor, or null for identity.</param>
    /// <param name="finished">Called once with the rewriter's counts when the body ends or the stream is disposed.</param>
    public DecoratedHtmlStream(Stream source, CalendlyUrlRewriter rewriter, Func<Stream, Stream>? encode, Action<CalendlyUrlRewriter> finished)
    {
        this.source = source;
        this.rewriter = rewriter;
        this.finished = finished;
        encoder = encode?.Invoke(ready);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (ready.Count == 0 && !sourceDone && !buffer.IsEmpty)
        {
            Process(source.Read(Chunk().Span));
        }

        return ready.Drain(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (ready.Count == 0 && !sourceDone && !buffer.IsEmpty)
        {
            Process(await source.ReadAsync(Chunk(), cancellationToken));
        }

        return ready.Drain(buffer.Span);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            source.Dispose();
            encoder?.Dispose();
            Report();
            if (chunk is not null)
            {
                ArrayPool<byte>.Shared.Return(chunk);
                chunk = null;
            }
        }

        base.Dispose(disposing);
    }

    private Memory<byte> Chunk() => (chunk ?? throw new ObjectDisposedException(nameof(DecoratedHtmlStream))).AsMemory(0, ChunkSize);

    private void Process(int read)
    {
        var sink = encoder ?? ready;
        if (read == 0)
        {
            sourceDone = true;
            rewriter.Complete(sink);
            // Disposing the compressor writes its trailer into the queue (it was opened with leaveOpen).
            encoder?.Dispose();
            Report();
            return;
        }

        rewriter.Write(chunk.AsSpan(0, read), sink);
        // A sync flush per chunk, so the client sees the page as it arrives rather than when the compressor's buffer fills.
        encoder?.Flush();
    }

    private void Report()
    {
        if (!reported)
        {
            reported = true;
            finished(rewriter);
        }
    }

    /// <summary>Bytes written by the rewriter (or compressor) and not yet read by YARP.</summary>
    private sealed class ByteQueue : Stream
    {
        private byte[] buffer = [];
        private int start;
        private int end;

        public int Count => end - start;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public int Drain(Span<byte> destination)
        {
            var n = Math.Min(destination.Length, Count);
            buffer.AsSpan(start, n).CopyTo(destination);
            start += n;
            if (start == end)
            {
                start = end = 0;
            }

            return n;
        }

        public override void Write(ReadOnlySpan<byte> bytes)
        {
            if (end + bytes.Length > buffer.Length)
            {
                // Only ever about one chunk's worth: the stream refills the queue only when it is empty.
                var grown = new byte[Math.Max(buffer.Length * 2, Count + bytes.Length + 1024)];
                buffer.AsSpan(start, Count).CopyTo(grown);
                end = Count;
                start = 0;
                buffer = grown;
            }

            bytes.CopyTo(buffer.AsSpan(end));
            end += bytes.Length;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
