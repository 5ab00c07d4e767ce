using System.Net;

namespace Able.Attribution.Service.Admin;

/// <summary>
/// The admin API's log lines. Never a token, a raw email or phone number, or a hash of one: client addresses, funnels,
/// kinds (email or phone) and counts only.
/// </summary>
internal static partial class AdminLog
{
    /// <summary>The category of what the admin routes log.</summary>
    public const string Category = "Able.Attribution.Service.Admin.AdminApi";

    public static ILogger Of(ILoggerFactory logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        return logs.CreateLogger(Category);
    }

    [LoggerMessage(EventId = EventIds.AdminApiState, Level = LogLevel.Information,
        Message = "The admin API (/admin/api) and console are on, on the management port {ManagementUrl} only; callers need Able:Admin:Token")]
    public static partial void AdminOn(ILogger logger, string managementUrl);

    [LoggerMessage(EventId = EventIds.AdminApiState, Level = LogLevel.Information,
        Message = "The admin API and console are off: Able:Admin:Token is not set (set it, for example from the environment as Able__Admin__Token, to turn them on)")]
    public static partial void AdminOff(ILogger logger);

    [LoggerMessage(EventId = EventIds.AdminWrongToken, Level = LogLevel.Warning,
        Message = "A wrong admin token from {Client} on {Method} {Path}; answered 401")]
    public static partial void WrongToken(ILogger logger, IPAddress? client, string method, string path);

    [LoggerMessage(EventId = EventIds.AdminRefusedTooManyWrongTokens, Level = LogLevel.Debug,
        Message = "Refused {Method} {Path} from {Client} for {RetryAfterSeconds} s after too many wrong admin tokens; answered 429")]
    public static partial void RefusedTooManyWrongTokens(ILogger logger, string method, string path, IPAddress? client, long retryAfterSeconds);

    [LoggerMessage(EventId = EventIds.AdminRequestFailed, Level = LogLevel.Error,
        Message = "The admin request {Method} {Path} failed; answered 500")]
    public static partial void RequestFailed(ILogger logger, Exception error, string method, string path);

    [LoggerMessage(EventId = EventIds.AdminRedisUnavailable, Level = LogLevel.Warning,
        Message = "Redis did not answer the admin request {Method} {Path} ({Reason}); answered 503")]
    public static partial void RedisUnavailable(ILogger logger, string method, string path, string reason);

    [LoggerMessage(EventId = EventIds.AdminPersonErased, Level = LogLevel.Information,
        Message = "Erased a person by {Kind} for {Client}: {Visitors} visitors, {IdentityLinks} identity links, {Receipts} receipts, {DeadLetters} dead letters, {PendingDeliveries} pending deliveries, {IngestEntries} ingest entries")]
    public static partial void PersonErased(
        ILogger logger, string kind, IPAddress? client, int visitors, int identityLinks, int receipts, int deadLetters, int pendingDeliveries, int ingestEntries);

    [LoggerMessage(EventId = EventIds.AdminJourneyLookedUp, Level = LogLevel.Information,
        Message = "Looked up a journey by {Kind} for {Client}: {Visitors} visitors, {UnmatchedConversions} unmatched conversions")]
    public static partial void JourneyLookedUp(ILogger logger, string kind, IPAddress? client, int visitors, int unmatchedConversions);

    [LoggerMessage(EventId = EventIds.AdminDeadLetterReplayed, Level = LogLevel.Information,
        Message = "Replayed dead letter {DeadLetterId} for {Client}: {Result}")]
    public static partial void DeadLetterReplayed(ILogger logger, string deadLetterId, IPAddress? client, string result);

    [LoggerMessage(EventId = EventIds.AdminDeadLettersReplayed, Level = LogLevel.Information,
        Message = "Replayed every dead letter of {Funnel} for {Client}: {Queued} queued, {NotReplayable} not replayable, {NotFound} gone meanwhile")]
    public static partial void DeadLettersReplayed(ILogger logger, string funnel, IPAddress? client, int queued, int notReplayable, int notFound);

    [LoggerMessage(EventId = EventIds.AdminDeadLetterDiscarded, Level = LogLevel.Information,
        Message = "Discarded dead letter {DeadLetterId} for {Client}")]
    public static partial void DeadLetterDiscarded(ILogger logger, string deadLetterId, IPAddress? client);
}
