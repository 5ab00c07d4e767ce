using Able.Schema.Redis;
using StackExchange.Redis;

namespace Able.Attribution.Calendly.Watchdog;

/// <summary>
/// A Redis lock with an expiry (one key, <see cref="RedisKeys.CalendlyWatchdogLock"/>): taken with SET NX PX, released only by
/// its holder (compare and delete in one script), and gone by itself when a holder dies.
/// </summary>
public sealed class WatchdogLock(IConnectionMultiplexer redis, RedisKeys keys)
{
    private const string ReleaseScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

    public Task<bool> TryTakeAsync(string holder, TimeSpan expiry) =>
        redis.GetDatabase().StringSetAsync(keys.CalendlyWatchdogLock, holder, expiry, When.NotExists);

    public Task ReleaseAsync(string holder) =>
        redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [keys.CalendlyWatchdogLock], [holder]);
}
