using System.Buffers;
using System.Runtime.CompilerServices;

namespace Able.Gateway.Decoration;

/// <summary>
/// The body YARP copies to the client for a decorated page: reads the origin's (decoded) body in chunks,
/// runs each through the <see cref="CalendlyUrlRewriter"/>, optionally compresses the result again, and hands
/// it out. Pull-based, so YARP keeps its own copy loop; it holds at most one chunk plus the rewriter's bounded
/// tail, whatever the page size. Its buffers (the chunk read from the origin, the bytes ready for YARP, the
/// rewriter's held-back tail) are rented from the shared pool and go back when the body ends or the stream is disposed.
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

    /// <summary>Whether any pooled buffer is still held (for tests: none once the body has been read to the end or disposed).</summary>
    internal bool HoldsPooledBuffers => chunk is not null || ready.HoldsPooledBuffer || rewriter.HoldsPooledBuffer;

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

        return Drain(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Pooled: a read that waits for the origin does not allocate a state machine box per chunk.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (ready.Count == 0 && !sourceDone && !buffer.IsEmpty)
        {
            Process(await source.ReadAsync(Chunk(), cancellationToken));
        }

        return Drain(buffer.Span);
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
            // A body cut short leaves the rewriter's held-back tail undecided: its buffer goes back all the same.
            rewriter.Abandon();
            Report();
            ReturnChunk();
            ready.Release();
        }

        base.Dispose(disposing);
    }

    private int Drain(Span<byte> buffer)
    {
        var n = ready.Drain(buffer);
        if (sourceDone && ready.Count == 0)
        {
            ready.Release();
        }

        return n;
    }

    private void ReturnChunk()
    {
        if (chunk is not null)
        {
            ArrayPool<byte>.Shared.Return(chunk);
            chunk = null;
        }
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
            ReturnChunk();
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

    /// <summary>
    /// Bytes written by the rewriter (or compressor) and not yet read by YARP, in a buffer rented from the shared
    /// pool at the first write and returned by <see cref="Release"/>.
    /// </summary>
    private sealed class ByteQueue : Stream
    {
        /// <summary>One origin chunk and the parameters added to its URLs fit without growing.</summary>
        private const int InitialSize = ChunkSize + (ChunkSize / 2);

        private byte[]? buffer;
        private int start;
        private int end;

        public int Count => end - start;

        /// <summary>Whether a pooled buffer is held (for tests).</summary>
        public bool HoldsPooledBuffer => buffer is not null;

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
            if (buffer is null || end + bytes.Length > buffer.Length)
            {
                // Only ever about one chunk's worth: the stream refills the queue only when it is empty.
                var count = Count;
                var grown = ArrayPool<byte>.Shared.Rent(Math.Max(buffer is null ? InitialSize : buffer.Length * 2, count + bytes.Length));
                buffer.AsSpan(start, count).CopyTo(grown);
                Release();
                buffer = grown;
                end = count;
            }

            bytes.CopyTo(buffer.AsSpan(end));
            end += bytes.Length;
        }

        /// <summary>Returns the buffer to the pool, dropping whatever was not read.</summary>
        public void Release()
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }

            start = end = 0;
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
