namespace Able.Benchmarks.Suite;

/// <summary>One wrk run of the rounds: which round, scenario and target, its figures, and for the gateway the
/// captures it dropped during the run (queue full, Redis errors), read from its /metrics.</summary>
internal sealed record RoundRun(int Round, int Order, Scenario Scenario, Target Target, WrkResult Result, IReadOnlyDictionary<string, double>? Dropped)
{
    /// <summary>Gateway runs: managed bytes the gateway allocated during the run and its drain, per request served.</summary>
    public double? AllocatedBytesPerRequest { get; init; }

    /// <summary>Gateway runs: captures per Redis batch the capture writer sent during the run (mean).</summary>
    public double? CapturesPerBatch { get; init; }
}

/// <summary>
/// The throughput measurement: each target warmed up (its share of the warm-up per scenario), then alternating
/// rounds: in each round every scenario runs against every target once, the targets' order rotated by one each round
/// so that none always runs first or right after the gateway. Before each gateway run Redis is emptied, and after it
/// the gateway's capture queue is left to drain, so that its background writes never overlap another target's run.
/// </summary>
internal sealed class ThroughputRounds(SuiteOptions options, Wrk wrk, RedisWire redis, GatewayMetrics gateway, Action<string> log)
{
    public async Task WarmUpAsync(IReadOnlyList<Target> targets, IReadOnlyList<Scenario> scenarios, CancellationToken cancellationToken)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling((double)options.WarmupSeconds / scenarios.Count));
        foreach (var target in targets)
        {
            log($"warm-up: {target.Name}, {seconds} s per scenario");
            foreach (var scenario in scenarios)
            {
                await wrk.RunAsync(scenario, target, seconds);
            }

            if (target.IsGateway)
            {
                await gateway.WaitUntilDrainedAsync(null, TimeSpan.FromSeconds(120), cancellationToken);
            }
        }
    }

    public async Task<List<RoundRun>> RunAsync(IReadOnlyList<Target> targets, IReadOnlyList<Scenario> scenarios, CancellationToken cancellationToken)
    {
        var runs = new List<RoundRun>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            for (var s = 0; s < scenarios.Count; s++)
            {
                var scenario = scenarios[s];
                var order = Rotated(targets, round - 1 + s);
                for (var i = 0; i < order.Count; i++)
                {
                    var target = order[i];
                    var run = target.IsGateway
                        ? await RunGatewayAsync(round, i + 1, scenario, target, cancellationToken)
                        : new RoundRun(round, i + 1, scenario, target, await wrk.RunAsync(scenario, target, options.DurationSeconds), null);
                    log($"round {round}/{options.Rounds} {scenario.Name,-9} {target.Name,-12} {run.Result.RequestsPerSecond,9:0} req/s  " +
                        $"p50 {run.Result.P50Milliseconds:0.00} ms  p99 {run.Result.P99Milliseconds:0.00} ms" +
                        (run.Result.Errors > 0 ? $"  errors {run.Result.Errors}" : "") +
                        (run.Dropped is { Count: > 0 } dropped ? "  dropped " + string.Join(", ", dropped.Select(d => $"{d.Key}={d.Value}")) : ""));
                    runs.Add(run);
                }
            }
        }

        return runs;
    }

    private async Task<RoundRun> RunGatewayAsync(int round, int order, Scenario scenario, Target target, CancellationToken cancellationToken)
    {
        await redis.CallAsync("FLUSHALL");
        var beforeMetrics = await gateway.ReadAsync(cancellationToken);
        var before = beforeMetrics.DroppedByReason();
        var result = await wrk.RunAsync(scenario, target, options.DurationSeconds);
        var afterMetrics = await gateway.WaitUntilDrainedAsync(null, TimeSpan.FromSeconds(120), cancellationToken);
        var dropped = afterMetrics.DroppedByReason()
            .Select(a => (a.Key, Value: a.Value - before.GetValueOrDefault(a.Key)))
            .Where(d => d.Value > 0)
            .ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal);
        var batches = afterMetrics.Sum("able_capture_batch_size_count") - beforeMetrics.Sum("able_capture_batch_size_count");
        return new RoundRun(round, order, scenario, target, result, dropped)
        {
            AllocatedBytesPerRequest = result.Requests > 0
                ? (afterMetrics.Sum("able_dotnet_allocated_bytes_total") - beforeMetrics.Sum("able_dotnet_allocated_bytes_total")) / result.Requests
                : null,
            CapturesPerBatch = batches > 0
                ? (afterMetrics.Sum("able_capture_batch_size_sum") - beforeMetrics.Sum("able_capture_batch_size_sum")) / batches
                : null,
        };
    }

    private static List<Target> Rotated(IReadOnlyList<Target> targets, int by) =>
        [.. targets.Skip(by % targets.Count), .. targets.Take(by % targets.Count)];
}
