using Able.Schema.Configuration;
using Able.Schema.Redis;
using Microsoft.Extensions.Options;
using Prometheus;
using StackExchange.Redis;

namespace Able.Attribution.Service.Ingress;

/// <summary>Outcomes counted in <c>able_webhooks_total{source,funnel,outcome}</c>.</summary>
internal static class IngressOutcome
{
    public const string Accepted = "accepted";
    public const string BadSignature = "bad_signature";
    public const string Stale = "stale";
    public const string Malformed = "malformed";
    public const string TooLarge = "too_large";
    public const string UnknownFunnel = "unknown_funnel";
    public const string Unavailable = "unavailable";
    public const string Ignored = "ignored";
    public const string RateLimited = "rate_limited";
    public const string Unauthorized = "unauthorized";
    public const string MethodNotAllowed = "method_not_allowed";
}

/// <summary>Ingress counters, the ingest latency histogram and the stream length gauge (read from Redis on scrape).</summary>
internal sealed class IngressMetrics
{
    /// <summary>Label used for funnels nobody configured, so a scanner cannot grow the label set.</summary>
    public const string UnknownFunnelLabel = "unknown";

    private readonly Counter deliveries;
    private readonly Histogram ingestSeconds;

    public IngressMetrics(IMetricFactory metrics, CollectorRegistry registry, IConnectionMultiplexer redis, RedisKeys keys, IOptions<AbleOptions> options)
    {
        deliveries = metrics.CreateCounter(
            "able_webhooks_total", "Webhook and conversions API deliveries by outcome.", ["source", "funnel", "outcome"]);
        ingestSeconds = metrics.CreateHistogram(
            "able_ingest_duration_seconds",
            "From request start until Redis acknowledged the ingest stream write, for accepted deliveries.",
            new HistogramConfiguration
            {
                LabelNames = ["source"],
                Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
            });
        var streamLength = metrics.CreateGauge("able_ingest_stream_length", "Entries in the ingest stream (XLEN at scrape time).");
        var timeout = TimeSpan.FromMilliseconds(options.Value.Redis.ReadyTimeoutMilliseconds);
        registry.AddBeforeCollectCallback(async cancellationToken =>
        {
            try
            {
                streamLength.Set(await redis.GetDatabase().StreamLengthAsync(keys.IngestStream).WaitAsync(timeout, cancellationToken));
            }
            catch (Exception error) when (error is RedisException or TimeoutException or OperationCanceledException)
            {
                // Redis is away: keep the last value; able_redis_up and the unavailable outcome say why.
            }
        });
    }

    public void Count(string source, string funnel, string outcome) => deliveries.WithLabels(source, funnel, outcome).Inc();

    public void ObserveIngest(string source, TimeSpan elapsed) => ingestSeconds.WithLabels(source).Observe(elapsed.TotalSeconds);
}
