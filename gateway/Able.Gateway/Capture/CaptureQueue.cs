using System.Threading.Channels;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Gateway.Capture;

/// <summary>
/// The bounded in-process queue between the request path and the Redis writer. Enqueueing never waits:
/// when the queue is full the capture is dropped and counted, and the page is served as usual.
/// </summary>
internal sealed class CaptureQueue
{
    private readonly Channel<CaptureRecord> channel;
    private readonly CaptureMetrics metrics;

    public CaptureQueue(IOptions<AbleOptions> options, CaptureMetrics metrics)
    {
        this.metrics = metrics;
        channel = Channel.CreateBounded<CaptureRecord>(new BoundedChannelOptions(options.Value.Gateway.Capture.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: full means "false", never a wait
            SingleReader = true,
            SingleWriter = false,
        });
    }

    public ChannelReader<CaptureRecord> Reader => channel.Reader;

    public int Count => channel.Reader.Count;

    public bool TryEnqueue(CaptureRecord record)
    {
        if (!channel.Writer.TryWrite(record))
        {
            metrics.Dropped(CaptureMetrics.QueueFull);
            return false;
        }

        metrics.QueueDepth(channel.Reader.Count);
        return true;
    }
}
