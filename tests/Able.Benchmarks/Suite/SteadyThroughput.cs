using System.Diagnostics;

namespace Able.Benchmarks.Suite;

/// <summary>One 1-second wrk slice after a gateway's launch: when it started and ended (seconds since launch) and its rate.</summary>
internal sealed record Slice(double StartSeconds, double EndSeconds, double RequestsPerSecond, long Errors);

/// <summary>What a fresh gateway did from its launch: when /healthz first answered, the slices, the steady rate.</summary>
internal sealed record SteadyResult(double? HealthySeconds, IReadOnlyList<Slice> Slices)
{
    /// <summary>
    /// The control: the median of a few 1-second slices against the gateway of the rounds, warmed up, just before it
    /// was stopped; what the slice method itself gives a gateway that needs no warming (wrk starts and connects anew
    /// every second).
    /// </summary>
    public double? WarmSliceRequestsPerSecond { get; init; }

    /// <summary>The median of the last 10 slices.</summary>
    public double SteadyRequestsPerSecond => Median.Of(Slices.TakeLast(10).Select(s => s.RequestsPerSecond));

    /// <summary>The first slice at or above 90 % of the steady rate.</summary>
    public Slice? FirstSteadySlice => Slices.FirstOrDefault(s => s.RequestsPerSecond >= 0.9 * SteadyRequestsPerSecond);

    /// <summary>The first slice at or above 90 % of the warm control (null also when there is no control).</summary>
    public Slice? FirstSliceAtWarmRate => WarmSliceRequestsPerSecond is { } warm
        ? Slices.FirstOrDefault(s => s.RequestsPerSecond >= 0.9 * warm)
        : null;
}

/// <summary>
/// Time to steady throughput: a fresh gateway process is launched and, from that moment, wrk runs the click scenario
/// in back-to-back 1-second slices (until the gateway listens, wrk is retried every 20 ms and that wait counts as one slice of 0 requests); meanwhile /healthz is polled
/// every 20 ms for the start-up time.
/// </summary>
internal sealed class SteadyThroughput(SuiteOptions options, BenchServices services, ChildProcesses processes, Wrk wrk, Action<string> log)
{
    /// <summary>The control slices: 1-second click runs against the already warm gateway; their median req/s.</summary>
    public async Task<double> MeasureWarmSlicesAsync(int count)
    {
        var target = new Target(Target.Able, BenchServices.Url(services.Ports.Gateway), IsGateway: true);
        var rates = new List<double>();
        for (var i = 0; i < count; i++)
        {
            rates.Add((await wrk.RunAsync(Scenario.Click, target, 1)).RequestsPerSecond);
        }

        log($"control: 1-second click slices against the warm gateway: median {Median.Of(rates):0} req/s");
        return Median.Of(rates);
    }

    public async Task<SteadyResult> MeasureAsync(double? warmSliceRequestsPerSecond, CancellationToken cancellationToken)
    {
        var target = new Target(Target.Able, BenchServices.Url(services.Ports.Gateway), IsGateway: true);
        var clock = Stopwatch.StartNew();
        var gateway = services.LaunchGateway("gateway-fresh");
        try
        {
            var healthy = WaitForHealthAsync(clock, cancellationToken);
            var slices = new List<Slice>();
            double? refusedSince = null;
            while (clock.Elapsed.TotalSeconds < options.SteadySeconds)
            {
                var start = clock.Elapsed.TotalSeconds;
                var result = await wrk.RunAsync(Scenario.Click, target, 1, refusedIsZero: true);
                if (result.DurationMicroseconds == 0)
                {
                    // Not listening yet: tried again every 20 ms; the whole wait becomes one slice of 0 req/s.
                    refusedSince ??= start;
                    await Task.Delay(20, cancellationToken);
                    continue;
                }

                if (refusedSince is { } since)
                {
                    slices.Add(new Slice(since, start, 0, 0));
                    refusedSince = null;
                }

                slices.Add(new Slice(start, clock.Elapsed.TotalSeconds, result.RequestsPerSecond, result.Errors));
            }

            var outcome = new SteadyResult(await healthy, slices) { WarmSliceRequestsPerSecond = warmSliceRequestsPerSecond };
            log($"fresh gateway: /healthz after {outcome.HealthySeconds:0.00} s; steady {outcome.SteadyRequestsPerSecond:0} req/s, " +
                $"≥ 90 % of it by {outcome.FirstSteadySlice?.EndSeconds:0.0} s after launch");
            return outcome;
        }
        finally
        {
            processes.Stop(gateway);
        }
    }

    private async Task<double?> WaitForHealthAsync(Stopwatch clock, CancellationToken cancellationToken)
    {
        var url = BenchServices.Url(services.Ports.GatewayManagement) + "/healthz";
        while (clock.Elapsed.TotalSeconds < options.SteadySeconds)
        {
            if (await BenchServices.AnswersAsync(url, cancellationToken))
            {
                return clock.Elapsed.TotalSeconds;
            }

            await Task.Delay(20, cancellationToken);
        }

        return null;
    }
}
