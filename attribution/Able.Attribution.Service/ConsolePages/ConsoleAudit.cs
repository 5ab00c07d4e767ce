using System.Net;
using Able.Attribution.Delivery;

namespace Able.Attribution.Service.ConsolePages;

/// <summary>What the console logs (category <c>Able.Console</c>): logins and the changes people make; never a raw email, phone or the token.</summary>
public sealed partial class ConsoleAudit(ILoggerFactory loggers)
{
    public const string LogCategory = "Able.Console";

    private readonly ILogger logger = loggers.CreateLogger(LogCategory);

    [LoggerMessage(EventId = EventIds.ConsoleLogin, Level = LogLevel.Information, Message = "Console login from {Client}.")]
    public partial void Login(IPAddress? client);

    [LoggerMessage(EventId = EventIds.ConsoleLoginFailed, Level = LogLevel.Warning, Message = "Console login with a wrong password from {Client}.")]
    public partial void LoginFailed(IPAddress? client);

    [LoggerMessage(EventId = EventIds.ConsoleLoginRefused, Level = LogLevel.Warning,
        Message = "Console login from {Client} refused: too many wrong passwords; it may try again in {RetryAfterSeconds} s.")]
    public partial void LoginRefused(IPAddress? client, int retryAfterSeconds);

    [LoggerMessage(EventId = EventIds.ConsoleErasure, Level = LogLevel.Warning,
        Message = "Console erasure of a person by {Kind} from {Client}: {Visitors} visitors, {IdentityLinks} identity links, {Receipts} receipts, {DeadLetters} dead letters, {PendingDeliveries} pending deliveries, {IngestEntries} ingest entries removed.")]
    public partial void Erased(string kind, IPAddress? client, int visitors, int identityLinks, int receipts, int deadLetters, int pendingDeliveries, int ingestEntries);

    [LoggerMessage(EventId = EventIds.ConsoleDeadLetterReplayed, Level = LogLevel.Information, Message = "Console replay of dead letter {DeadLetterId}: {Result}.")]
    public partial void Replayed(string deadLetterId, ReplayResult result);

    [LoggerMessage(EventId = EventIds.ConsoleDeadLetterDiscarded, Level = LogLevel.Information, Message = "Console discard of dead letter {DeadLetterId}: found {Found}.")]
    public partial void Discarded(string deadLetterId, bool found);

    [LoggerMessage(EventId = EventIds.ConsoleRedisUnavailable, Level = LogLevel.Warning, Message = "Console {Method} {Path}: Redis did not answer ({Reason}); answered 503.")]
    public partial void RedisUnavailable(string method, string path, string reason);
}
