using Prometheus;

namespace Able.Attribution.Worker;

/// <summary>The worker's Prometheus metrics (listed in the README under "Guarantees"), created from the host's <see cref="IMetricFactory"/>.</summary>
public sealed class WorkerMetrics(IMetricFactory metrics)
{
    public Counter Conversions { get; } = metrics.CreateCounter(
        "able_conversions_total", "Conversions built for TikTok, by whether a visitor was matched.", ["funnel", "event", "matched"]);

    /// <summary>outcome: sent, dry_run, retry, dead_lettered, duplicate, too_old, recorded, ignored, malformed.</summary>
    public Counter TikTokEvents { get; } = metrics.CreateCounter(
        "able_tiktok_events_total", "Events by delivery outcome.", ["funnel", "outcome"]);

    /// <summary>outcome: sent, retry, dead_lettered, skipped (no GA client id), too_old.</summary>
    public Counter Ga4Events { get; } = metrics.CreateCounter(
        "able_ga4_events_total", "GA4 Measurement Protocol events by delivery outcome.", ["funnel", "outcome"]);

    public Counter TokenErrors { get; } = metrics.CreateCounter(
        "able_tiktok_token_errors_total", "Requests refused for the access token (4010x): the token needs an operator.", ["funnel"]);

    public Gauge RetryBacklog { get; } = metrics.CreateGauge(
        "able_retry_backlog", "Deliveries in the durable schedule (waiting, due or retrying).");

    /// <summary>Ingest entries given up after <c>Able:Worker:MaxIngestAttempts</c> deliveries and moved to the dead-letter stream.</summary>
    public Counter IngestPoison { get; } = metrics.CreateCounter(
        "able_ingest_poison_total", "Ingest entries that kept failing, moved to the dead-letter stream and acknowledged.", ["funnel"]);

    public Gauge DeadLetterDepth { get; } = metrics.CreateGauge("able_dlq_depth", "Entries in the dead-letter stream.");

    public Gauge StreamLag { get; } = metrics.CreateGauge(
        "able_stream_lag", "Ingest stream entries not yet acknowledged by the worker group (lag plus pending).");
}
