using System.Globalization;
using System.Text;
using Able.Schema.Configuration;
using Able.Supervision;
using Microsoft.Extensions.Options;
using Prometheus;
using StackExchange.Redis;

namespace Able.Hosting.Management;

/// <summary>
/// What /readyz answers: ready when Redis replies to PING within the configured time and no background loop of this
/// process is in an outage (<see cref="LoopHealth"/>). The text names each check, first line "ready" or "not ready: …".
/// </summary>
public sealed class Readiness(IConnectionMultiplexer redis, IOptions<AbleOptions> options, LoopHealth loops, TimeProvider time, IMetricFactory metrics)
{
    private readonly Gauge redisUp = metrics.CreateGauge("able_redis_up", "1 when the last readiness check reached Redis.");

    public async Task<(bool Ready, string Detail)> CheckAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var lines = new List<string>();
        var timeout = TimeSpan.FromMilliseconds(options.Value.Redis.ReadyTimeoutMilliseconds);
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(timeout, cancellationToken);
            redisUp.Set(1);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"redis: answered PING in {latency.TotalMilliseconds:0.0} ms"));
        }
        catch (Exception error) when (error is RedisException or TimeoutException)
        {
            redisUp.Set(0);
            var problem = string.Create(CultureInfo.InvariantCulture, $"redis did not answer PING within {timeout.TotalMilliseconds:0} ms ({error.GetType().Name})");
            problems.Add(problem);
            lines.Add("redis: " + problem);
        }

        var outages = loops.Outages.ToDictionary(o => o.Loop, StringComparer.Ordinal);
        foreach (var loop in loops.Loops)
        {
            if (outages.TryGetValue(loop, out var outage))
            {
                var problem = string.Create(CultureInfo.InvariantCulture,
                    $"loop {loop} failing for {(time.GetUtcNow() - outage.Since).TotalSeconds:0.0} s ({outage.Kind}, {outage.Failures} failed turns)");
                problems.Add(problem);
                lines.Add(problem);
            }
            else
            {
                lines.Add($"loop {loop}: ok");
            }
        }

        var text = new StringBuilder(problems.Count == 0 ? "ready" : "not ready: " + string.Join("; ", problems));
        foreach (var line in lines)
        {
            text.Append('\n').Append(line);
        }

        return (problems.Count == 0, text.ToString());
    }
}
