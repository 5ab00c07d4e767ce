namespace Able.Benchmarks.Suite;

/// <summary>Redis cost of capture for one number of touches per visitor.</summary>
internal sealed record FootprintResult(
    int TouchesPerVisitor,
    int Visitors,
    int Requests,
    double CapturesWritten,
    long UsedMemoryDelta,
    long Keys,
    long Commands,
    IReadOnlyDictionary<string, long> CommandsByName,
    IReadOnlyDictionary<string, long> SentByName,
    IReadOnlyDictionary<string, long> ScriptCommandsByName,
    IReadOnlyDictionary<string, double> Dropped)
{
    public double BytesPerVisitor => Visitors > 0 ? (double)UsedMemoryDelta / Visitors : 0;

    /// <summary>Commands the gateway sent per capture (MONITOR; a script call is one, whatever it runs).</summary>
    public double CommandsPerCapture => CapturesWritten > 0 ? SentByName.Values.Sum() / CapturesWritten : 0;

    /// <summary>INFO commandstats calls per capture: what Redis executed, a script's own commands included.</summary>
    public double ExecutedPerCapture => CapturesWritten > 0 ? Commands / CapturesWritten : 0;
}

/// <summary>
/// Redis bytes per visitor and commands per capture, through the gateway: FLUSHALL, INFO memory and INFO
/// commandstats, then N page requests (visitors of k touches: the first an ad click with its own ttclid, the k - 1
/// others later pages with that visitor's able_vid cookie), the gateway's capture queue left to drain (its /metrics),
/// then INFO again. The suite's own INFO/DBSIZE/FLUSHALL/PING calls are left out of the command counts; the commands
/// the gateway sent are counted with MONITOR (<see cref="RedisMonitor"/>), what Redis executed with commandstats.
/// </summary>
internal sealed class RedisFootprint(RedisWire redis, int port, GatewayMetrics gateway, string gatewayUrl, Action<string> log)
{
    private const int Concurrency = 16;

    public async Task<FootprintResult> MeasureAsync(int requests, int touchesPerVisitor, CancellationToken cancellationToken)
    {
        var visitors = Math.Max(1, requests / touchesPerVisitor);
        requests = visitors * touchesPerVisitor;
        await redis.CallAsync("FLUSHALL");
        await gateway.WaitUntilDrainedAsync(null, TimeSpan.FromSeconds(60), cancellationToken);
        await Task.Delay(1500, cancellationToken);
        var memoryBefore = await redis.UsedMemoryAsync();
        var callsBefore = await redis.CommandCallsAsync();
        var metricsBefore = await gateway.ReadAsync(cancellationToken);
        var monitor = await RedisMonitor.StartAsync(port, cancellationToken);

        using var client = new ClickClient(gatewayUrl);
        var run = Guid.NewGuid().ToString("N")[..8];
        var next = -1;
        var workers = Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            int visitor;
            while ((visitor = Interlocked.Increment(ref next)) < visitors)
            {
                var id = await client.ClickAsync($"E.C.P.fp{run}{touchesPerVisitor}x{visitor}", cancellationToken);
                for (var touch = 2; touch <= touchesPerVisitor; touch++)
                {
                    await client.PageAsync($"/page-{touch}", id, cancellationToken);
                }
            }
        });
        await Task.WhenAll(workers);

        var expected = metricsBefore.CapturesWritten + requests;
        var metricsAfter = await gateway.WaitUntilDrainedAsync(expected, TimeSpan.FromSeconds(120), cancellationToken);
        await monitor.WaitUntilQuietAsync(cancellationToken);
        var sent = monitor.Sent;
        var fromScripts = monitor.FromScripts;
        await monitor.DisposeAsync();
        // Past the AOF's once-a-second flush, so its buffer is not counted as data.
        await Task.Delay(1500, cancellationToken);
        var memoryAfter = await redis.UsedMemoryAsync();
        var callsAfter = await redis.CommandCallsAsync();
        var keys = await redis.DbSizeAsync();

        var byName = callsAfter
            .Where(c => !RedisWire.OwnCommands.Contains(c.Key))
            .Select(c => (c.Key, Delta: c.Value - callsBefore.GetValueOrDefault(c.Key)))
            .Where(c => c.Delta > 0)
            .OrderByDescending(c => c.Delta)
            .ToDictionary(c => c.Key, c => c.Delta, StringComparer.Ordinal);
        var dropped = metricsAfter.DroppedByReason()
            .Select(d => (d.Key, Delta: d.Value - metricsBefore.DroppedByReason().GetValueOrDefault(d.Key)))
            .Where(d => d.Delta > 0)
            .ToDictionary(d => d.Key, d => d.Delta, StringComparer.Ordinal);
        var result = new FootprintResult(touchesPerVisitor, visitors, requests, metricsAfter.CapturesWritten - metricsBefore.CapturesWritten,
            memoryAfter - memoryBefore, keys, byName.Values.Sum(), byName, sent, fromScripts, dropped);
        log($"Redis footprint, {touchesPerVisitor} touch(es) per visitor: {visitors} visitors, {result.CapturesWritten} captures written, " +
            $"{result.BytesPerVisitor:0} bytes per visitor, {result.CommandsPerCapture:0.00} commands sent per capture ({string.Join(", ", sent.Select(c => $"{c.Key} {c.Value}"))}), " +
            $"{result.ExecutedPerCapture:0.00} executed");
        return result;
    }
}
