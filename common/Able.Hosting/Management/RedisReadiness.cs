using Able.Schema.Configuration;
using Microsoft.Extensions.Options;
using Prometheus;
using StackExchange.Redis;

namespace Able.Hosting.Management;

/// <summary>Answers whether Redis replies to PING within the configured time.</summary>
public sealed class RedisReadiness(IConnectionMultiplexer redis, IOptions<AbleOptions> options, IMetricFactory metrics)
{
    private readonly Gauge redisUp = metrics.CreateGauge("able_redis_up", "1 when the last readiness check reached Redis.");

    public async Task<(bool Ready, string Detail)> CheckAsync(CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromMilliseconds(options.Value.Redis.ReadyTimeoutMilliseconds);
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(timeout, cancellationToken);
            redisUp.Set(1);
            return (true, $"ready: redis answered PING in {latency.TotalMilliseconds:0.0} ms");
        }
        catch (Exception error) when (error is RedisException or TimeoutException)
        {
            redisUp.Set(0);
            return (false, $"not ready: redis did not answer PING within {timeout.TotalMilliseconds:0} ms ({error.GetType().Name})");
        }
    }
}
