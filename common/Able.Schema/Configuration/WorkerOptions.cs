namespace Able.Schema.Configuration;

/// <summary>
/// The attribution worker (<c>Able:Worker</c>): consuming the ingest stream and delivering conversions to
/// the TikTok Events API. Per-funnel settings (pixel, token, click window, retention) live in the funnel.
/// </summary>
public sealed record WorkerOptions
{
    /// <summary>Whether this process runs the worker. Default on; turn off for ingress-only replicas.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// This replica's consumer name in the stream's consumer group. Default the machine name, so a restarted
    /// replica re-reads its own pending entries; other replicas' stale entries are reclaimed after <see cref="ClaimIdleSeconds"/>.
    /// </summary>
    public string? ConsumerName { get; init; }

    /// <summary>Events API base URL. Default <c>https://business-api.tiktok.com</c>.</summary>
    public string TikTokBaseUrl { get; init; } = "https://business-api.tiktok.com";

    /// <summary>
    /// GA4 Measurement Protocol base URL: events go to <c>{it}/mp/collect</c>, <c>./able ga4 check</c> to
    /// <c>{it}/debug/mp/collect</c>. Default <c>https://www.google-analytics.com</c> (<c>https://region1.google-analytics.com</c>
    /// keeps the data in the EU).
    /// </summary>
    public string Ga4BaseUrl { get; init; } = "https://www.google-analytics.com";

    /// <summary>GA4 accepts events at most this many hours old; older ones are recorded as too old for GA4, not sent. Default 72.</summary>
    public int Ga4MaxEventAgeHours { get; init; } = 72;

    /// <summary>Timeout of one Events API request; a timeout is retried. Default 10000 ms.</summary>
    public int RequestTimeoutMilliseconds { get; init; } = 10_000;

    /// <summary>Most events in one request (TikTok refuses more than 1000). Default 1000.</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>How often due deliveries are collected into batches and sent. Default 250 ms.</summary>
    public int FlushIntervalMilliseconds { get; init; } = 250;

    /// <summary>First retry delay; each further attempt doubles it, with ±50 % jitter. Default 2000 ms.</summary>
    public int RetryBaseMilliseconds { get; init; } = 2000;

    /// <summary>Longest delay between two attempts. Default 600000 ms (10 minutes).</summary>
    public int RetryMaxMilliseconds { get; init; } = 600_000;

    /// <summary>After this long since the first attempt a retryable failure is dead-lettered. Default 1440 minutes (24 h).</summary>
    public int RetryDeadlineMinutes { get; init; } = 1440;

    /// <summary>How long an unmatched booking waits for a late join (the confirmation redirect). Default 120 s.</summary>
    public int GracePeriodSeconds { get; init; } = 120;

    /// <summary>Events older than this are recorded as too old and not sent. Default 7 days.</summary>
    public int MaxEventAgeDays { get; init; } = 7;

    /// <summary>
    /// An entry (or a claimed delivery) idle this long belongs to a stopped replica and is taken over. Must be
    /// longer than a request timeout. Default 60 s.
    /// </summary>
    public int ClaimIdleSeconds { get; init; } = 60;

    /// <summary>
    /// Deliveries of one ingest entry (counted by the stream itself: the consumer group's delivery counter,
    /// so restarts and other replicas count too) after which an entry that still fails is moved to the
    /// dead-letter stream with the error, acknowledged and counted in <c>able_ingest_poison_total</c>, instead
    /// of failing at every reclaim forever. 1 to 1000. Default 5.
    /// </summary>
    public int MaxIngestAttempts { get; init; } = 5;

    /// <summary>Stream entries read at once. Default 100.</summary>
    public int ReadCount { get; init; } = 100;

    /// <summary>How long to wait after an empty read of the stream. Default 200 ms.</summary>
    public int PollIntervalMilliseconds { get; init; } = 200;

    /// <summary>
    /// Acknowledged ingest entries older than this are trimmed from the stream (an entry still pending, or
    /// not yet read, is never trimmed, nor anything after it). Default 10080 minutes (7 days).
    /// </summary>
    public int StreamRetentionMinutes { get; init; } = 10_080;
}
