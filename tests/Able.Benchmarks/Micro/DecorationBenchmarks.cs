using Able.Gateway.Decoration;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Able.Benchmarks.Micro;

/// <summary>
/// HTML decoration through the entry points the gateway uses, one page per operation: a fresh
/// <see cref="CalendlyUrlRewriter"/> fed 16 KB chunks (what <see cref="DecoratedHtmlStream"/> reads from the
/// origin), and the whole <see cref="DecoratedHtmlStream"/> read to the end with a 64 KB buffer as YARP's copy
/// loop does (identity coding). Throughput is in the MB/s column (10^6 bytes of origin HTML per second of the median);
/// allocation per page in Allocated. <c>./able bench micro --filter *Decorat*</c>
/// </summary>
#pragma warning disable CA1001 // PageSource holds no resource (its Dispose is a no-op); BenchmarkDotNet owns the class's lifetime
[MemoryDiagnoser]
[Config(typeof(DecorationConfig))]
public class DecorationBenchmarks
{
    private readonly PageSource source = new();
    private readonly byte[] readBuffer = new byte[64 * 1024];
    private byte[] page = [];

    [ParamsSource(nameof(Pages))]
    public string Page { get; set; } = DecorationPages.Small;

    public static IEnumerable<string> Pages => DecorationPages.Names;

    [GlobalSetup]
    public void Setup() => page = DecorationPages.Get(Page);

    [Benchmark]
    public long Rewriter()
    {
        var rewriter = new CalendlyUrlRewriter(DecorationPages.Decoration);
        for (var at = 0; at < page.Length; at += DecorationBenchmarkSupport.OriginChunk)
        {
            rewriter.Write(page.AsSpan(at, Math.Min(DecorationBenchmarkSupport.OriginChunk, page.Length - at)), Stream.Null);
        }

        rewriter.Complete(Stream.Null);
        return rewriter.BytesProcessed + rewriter.DecoratedUrls;
    }

    [Benchmark]
    public long StreamIdentity()
    {
        source.Reset(page);
        using var stream = new DecoratedHtmlStream(source, new CalendlyUrlRewriter(DecorationPages.Decoration), encode: null, DecorationBenchmarkSupport.Finished);
        return DecorationBenchmarkSupport.ReadToEnd(stream, readBuffer);
    }
}

/// <summary>
/// The same, re-compressed for a client that accepts gzip or br (the encoders are the ones the gateway uses):
/// mostly the compressor's cost, reported separately so it does not hide the rewriter's.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(DecorationConfig))]
public class DecorationCompressedBenchmarks
#pragma warning restore CA1001
{
    private readonly PageSource source = new();
    private readonly byte[] readBuffer = new byte[64 * 1024];
    private byte[] page = [];
    private Func<Stream, Stream>? encoder;

    [ParamsSource(nameof(Pages))]
    public string Page { get; set; } = DecorationPages.Small;

    [Params("gzip", "br")]
    public string Coding { get; set; } = "gzip";

    public static IEnumerable<string> Pages => [DecorationPages.Small, DecorationPages.Sparse];

    [GlobalSetup]
    public void Setup()
    {
        page = DecorationPages.Get(Page);
        encoder = DecoratedHtmlContent.Encoder(Coding == "br" ? ContentCoding.Brotli : ContentCoding.Gzip);
    }

    [Benchmark]
    public long StreamCompressed()
    {
        source.Reset(page);
        using var stream = new DecoratedHtmlStream(source, new CalendlyUrlRewriter(DecorationPages.Decoration), encoder, DecorationBenchmarkSupport.Finished);
        return DecorationBenchmarkSupport.ReadToEnd(stream, readBuffer);
    }
}

internal static class DecorationBenchmarkSupport
{
    /// <summary>The chunk size <see cref="DecoratedHtmlStream"/> reads from the origin.</summary>
    public const int OriginChunk = 16 * 1024;

    public static readonly Action<CalendlyUrlRewriter> Finished = _ => { };

    public static long ReadToEnd(Stream stream, byte[] buffer)
    {
        long total = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }
}

/// <summary>The origin body: one page, reused across operations so that its allocation is not counted.</summary>
internal sealed class PageSource : Stream
{
    private byte[] page = [];
    private int position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => page.Length;

    public override long Position
    {
        get => position;
        set => throw new NotSupportedException();
    }

    public void Reset(byte[] bytes)
    {
        page = bytes;
        position = 0;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, page.Length - position);
        page.AsSpan(position, n).CopyTo(buffer);
        position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    // Disposed by each DecoratedHtmlStream, reused by the next operation: nothing to release.
    protected override void Dispose(bool disposing) => base.Dispose(disposing);
}

/// <summary>Adds the throughput column: bytes of origin HTML per second of the median.</summary>
internal sealed class DecorationConfig : ManualConfig
{
    public DecorationConfig() => AddColumn(new ThroughputColumn());

    private sealed class ThroughputColumn : IColumn
    {
        public string Id => nameof(ThroughputColumn);

        public string ColumnName => "MB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Statistics;

        public int PriorityInCategory => 10;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Origin HTML processed per second, in 10^6 bytes (page length / median: steadier than the mean on a busy machine)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var median = summary[benchmarkCase]?.ResultStatistics?.Median;
            if (median is not > 0 || benchmarkCase.Parameters["Page"] is not string name)
            {
                return "NA";
            }

            var bytesPerSecond = DecorationPages.Get(name).Length / (median.Value / 1e9);
            return (bytesPerSecond / 1e6).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
