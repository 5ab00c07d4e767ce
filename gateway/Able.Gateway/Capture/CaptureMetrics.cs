using Able.Schema.Visitors;
using Prometheus;

namespace Able.Gateway.Capture;

/// <summary>Capture counters (README, "Capture: what the gateway records"): what was written, what was dropped and why, how full the queue is.</summary>
internal sealed class CaptureMetrics(IMetricFactory metrics)
{
    public const string QueueFull = "queue_full";
    public const string Shutdown = "shutdown";
    public const string RedisError = "redis_error";

    /// <summary>Over the capture budget (<c>Able:Gateway:Capture:Budget</c>): the page was served, nothing stored.</summary>
    public const string Budget = "budget";

    private readonly Counter captures = metrics.CreateCounter(
        "able_capture_total", "Captures written to Redis, by funnel and kind (pageview, link, confirmation, ttclid, utm, ga, ga_session, client_hints).", ["funnel", "kind"]);

    private readonly Counter dropped = metrics.CreateCounter(
        "able_capture_dropped_total", "Captures or captured values dropped, by reason.", ["reason"]);

    private readonly Gauge queueDepth = metrics.CreateGauge(
        "able_capture_queue_depth", "Captures waiting in the in-process queue for the Redis writer.");

    private readonly Histogram batchSize = metrics.CreateHistogram(
        "able_capture_batch_size", "Captures per pipelined batch the writer sent to Redis.",
        new HistogramConfiguration { Buckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000] });

    private readonly Counter redisCommands = metrics.CreateCounter(
        "able_capture_redis_commands_total", "Redis commands the capture writer sent (one script per capture, more for booking confirmations, and one counter script per funnel and day in a batch).");

    private readonly Counter counterFailures = metrics.CreateCounter(
        "able_capture_counter_failures_total", "Batches whose report counters (visits per funnel, day and campaign) could not be written; their captures are stored.");

    public void CounterWriteFailed() => counterFailures.Inc();

    public void BatchWritten(int captures, int commands)
    {
        batchSize.Observe(captures);
        redisCommands.Inc(commands);
    }

    public void Written(CaptureRecord record)
    {
        foreach (var kind in record.Kinds())
        {
            captures.WithLabels(record.Mark, kind).Inc();
        }
    }

    public void Dropped(string reason, int count = 1) => dropped.WithLabels(reason).Inc(count);

    public void ValueRejected(CaptureValueProblem problem) => Dropped(problem switch
    {
        CaptureValueProblem.TooLong => "value_too_long",
        CaptureValueProblem.ControlCharacter => "value_control_character",
        _ => "value_invalid_text",
    });

    public void QueueDepth(int depth) => queueDepth.Set(depth);
}
