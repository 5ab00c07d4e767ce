using StackExchange.Redis;

namespace Able.Attribution.Worker;

/// <summary>What the worker loops wait out (back off, try again) rather than let end the service.</summary>
internal static class RedisUnavailable
{
    /// <summary>
    /// Redis did not answer or refused the command. A stalled server surfaces as <see cref="RedisTimeoutException"/>,
    /// which is a <see cref="TimeoutException"/> and not a <see cref="RedisException"/>: escaping a
    /// <c>BackgroundService</c>, it would stop the whole host, webhook ingress included.
    /// </summary>
    public static bool Is(Exception error) => error is RedisException or TimeoutException;
}
