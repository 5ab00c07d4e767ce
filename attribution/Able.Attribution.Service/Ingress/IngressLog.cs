namespace Able.Attribution.Service.Ingress;

/// <summary>Ingress log lines. Never a secret, a signature, a body or a raw email/phone: sources, funnels and reasons only.</summary>
internal static partial class IngressLog
{
    [LoggerMessage(EventId = EventIds.IngestUnavailable, Level = LogLevel.Warning,
        Message = "Redis did not acknowledge the ingest write ({Source}, funnel {Funnel}, {Entries} entries) within {TimeoutMs} ms: {Reason}; answered 503, and so every delivery until Redis acknowledges again. Logged once per outage.")]
    public static partial void IngestUnavailable(ILogger logger, string source, string funnel, int entries, int timeoutMs, string reason);

    [LoggerMessage(EventId = EventIds.IngestStillUnavailable, Level = LogLevel.Debug,
        Message = "Redis still does not acknowledge ingest writes ({Source}, funnel {Funnel}): {Reason}; answered 503")]
    public static partial void IngestStillUnavailable(ILogger logger, string source, string funnel, string reason);

    [LoggerMessage(EventId = EventIds.IngestAvailableAgain, Level = LogLevel.Information,
        Message = "Redis acknowledges ingest writes again after {OutageSeconds:0.0} s; {Refused} deliveries were answered 503 meanwhile (their senders retry)")]
    public static partial void IngestAvailableAgain(ILogger logger, double outageSeconds, long refused);

    [LoggerMessage(EventId = EventIds.IngressRejected, Level = LogLevel.Debug, Message = "Rejected {Source} delivery for funnel {Funnel}: {Outcome} ({Status})")]
    public static partial void Rejected(ILogger logger, string source, string funnel, string outcome, int status);

    [LoggerMessage(EventId = EventIds.IngressIgnored, Level = LogLevel.Debug, Message = "Ignored {Source} event {EventType} for funnel {Funnel}")]
    public static partial void Ignored(ILogger logger, string source, string eventType, string funnel);

    [LoggerMessage(EventId = EventIds.IngressBodyReadFailed, Level = LogLevel.Debug, Message = "Reading a {Source} request body failed: {Reason}")]
    public static partial void BodyReadFailed(ILogger logger, string source, string reason);
}
