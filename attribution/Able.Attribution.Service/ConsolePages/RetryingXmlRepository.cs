using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using StackExchange.Redis;

namespace Able.Attribution.Service.ConsolePages;

/// <summary>
/// The cookie key ring's repository (Redis) with a few quick retries. Data Protection reads and writes its key ring
/// synchronously, on the request that first needs it (the first console page after a start, then about once a day), so
/// a Redis that is busy for a moment would fail that request; a Redis that stays away still fails it after the
/// retries (the console answers 503). The key ring is small: a retry repeats a few-kilobyte read or one list push.
/// </summary>
internal sealed partial class RetryingXmlRepository(IXmlRepository inner, ILogger logger) : IXmlRepository
{
    /// <summary>Attempts per read or write, the first included.</summary>
    public const int Attempts = 3;

    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(200);

    public IReadOnlyCollection<XElement> GetAllElements() => Retry(inner.GetAllElements, "read");

    public void StoreElement(XElement element, string friendlyName) => Retry(() =>
    {
        inner.StoreElement(element, friendlyName);
        return true;
    }, "write");

    private T Retry<T>(Func<T> operation, string what)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return operation();
            }
            catch (Exception error) when (attempt < Attempts && error is RedisConnectionException or TimeoutException)
            {
                LogRetry(logger, what, attempt, error.GetType().Name);
                Thread.Sleep(Pause);
            }
        }
    }

    [LoggerMessage(EventId = EventIds.ConsoleKeyRingRetry, Level = LogLevel.Warning, Message = "Console key ring {What} failed at attempt {Attempt} ({Reason}); trying again.")]
    private static partial void LogRetry(ILogger logger, string what, int attempt, string reason);
}
