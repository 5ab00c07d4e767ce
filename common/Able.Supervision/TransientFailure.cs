using System.Net.Http;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Able.Supervision;

/// <summary>
/// Whether an exception means Redis or the network is unavailable for now (a loop backs off and tries again)
/// rather than a defect (which ends the loop and, with it, the process with a non-zero exit code).
/// </summary>
public static class TransientFailure
{
    // Server errors that pass by themselves: loading the data set after a restart, a failover, a busy script, a
    // replica that cannot write yet, a cluster that is re-forming.
    private static readonly string[] TransientServerErrors = ["LOADING", "BUSY", "MASTERDOWN", "READONLY", "TRYAGAIN", "CLUSTERDOWN", "NOSCRIPT"];

    /// <summary>
    /// Redis did not answer (a stalled server surfaces as <see cref="RedisTimeoutException"/>, which is a
    /// <see cref="TimeoutException"/> and not a <see cref="RedisException"/>), the connection is down, or Redis
    /// answered with an error that passes by itself (<see cref="IsTransientServerError"/>); or a socket, stream or
    /// HTTP connection failed.
    /// </summary>
    public static bool IsUnavailable(Exception error) => error switch
    {
        RedisConnectionException or TimeoutException or SocketException or IOException or HttpRequestException => true,
        RedisServerException server => IsTransientServerError(server),
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsUnavailable),
        _ => false,
    };

    /// <summary>
    /// Any failure that comes from Redis or the network, including a server error that will not pass by itself (a
    /// key of the wrong type, a failing script, out of memory): a loop backs off from it as from an outage, so a
    /// bad key or a full Redis slows the loop down and shows in /readyz instead of ending the process.
    /// </summary>
    public static bool IsRedisOrNetwork(Exception error) =>
        IsUnavailable(error) || error is RedisException
        || (error is AggregateException aggregate && aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsRedisOrNetwork));

    /// <summary>LOADING, BUSY, MASTERDOWN, READONLY, TRYAGAIN, CLUSTERDOWN or NOSCRIPT (a restarted server lost its script cache).</summary>
    public static bool IsTransientServerError(RedisServerException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return TransientServerErrors.Any(prefix => error.Message.StartsWith(prefix, StringComparison.Ordinal));
    }
}
