using System.Globalization;
using System.Text;

namespace Able.Benchmarks.Suite;

/// <summary>The results file (tests/Able.Benchmarks/results/&lt;date&gt;-&lt;host&gt;.md): machine, method, every raw figure,
/// medians, ratios, Redis cost, time to steady, conversions, and the issue's targets with met or not met.</summary>
internal sealed class ResultsMarkdown(SuiteResults results)
{
    private const string NotMeasured = "not measured";
    private readonly StringBuilder text = new();

    public string Render()
    {
        var options = results.Options;
        Line($"# Able gateway benchmark: {results.StartedAt:yyyy-MM-dd HH:mm} UTC on {results.Machine.Host}{(options.Quick ? " (smoke run, --quick: not a measurement)" : "")}");
        Line($"");
        Line($"Made by `./able bench{Arguments()}`. Lower-level figures, the method and the raw runs follow the targets.");
        foreach (var problem in results.Problems)
        {
            Line($"");
            Line($"**Incomplete:** {problem}");
        }

        Targets();
        Machine();
        Method();
        Throughput();
        Footprint();
        Steady();
        Conversions();
        return text.ToString();
    }

    private void Targets()
    {
        Line($"");
        Line($"## The issue's targets");
        Line($"");
        Line($"| target | measured | met |");
        Line($"|---|---|---|");
        Ratio("click ≥ 0.8× bare YARP req/s", results.ThroughputRatio(Scenario.Click), 0.8, atLeast: true);
        Ratio("returning ≥ 0.9× bare YARP req/s", results.ThroughputRatio(Scenario.Returning), 0.9, atLeast: true);
        Ratio("asset ≥ 0.95× bare YARP req/s", results.ThroughputRatio(Scenario.Asset), 0.95, atLeast: true);
        Ratio("click p99 ≤ 1.5× bare YARP p99", results.P99Ratio(Scenario.Click), 1.5, atLeast: false);
        var click = results.AdClickFootprint;
        Row("≤ 2 Redis commands per capture", click is null ? null : Invariant($"{click.CommandsPerCapture:0.00}"), click is null ? null : click.CommandsPerCapture <= 2);
        Row("≤ 600 bytes of Redis memory per ad-click visitor", click is null ? null : Invariant($"{click.BytesPerVisitor:0} bytes"), click is null ? null : click.BytesPerVisitor <= 600);
        var steady = results.Steady?.FirstSteadySlice;
        Row("steady throughput within 5 s of process start", steady is null ? null : Invariant($"{steady.EndSeconds:0.0} s"), steady is null ? null : steady.EndSeconds <= 5);
        var perSecond = results.Conversions?.ConversionsPerSecond;
        Row("≥ 5,000 conversions/s", perSecond is { } cps ? Invariant($"{cps:0}/s") : null, perSecond is { } rate ? rate >= 5000 : null);
        var (ackP99, ackRate) = (results.Conversions?.AckP99Ms, results.Conversions?.AckRatePerSecond);
        Row("ingress ack p99 ≤ 10 ms at 1,000 webhooks/s", ackP99 is { } p99 && ackRate is { } at ? Invariant($"{p99:0.0} ms at {at:0}/s") : null,
            ackP99 is { } p && ackRate is { } r ? p <= 10 && r >= 1000 * 0.95 : null);
        var allocated = AllocatedPerClick();
        Row("≤ 8 KB allocated per click request", allocated is { } bytes ? Invariant($"{bytes / 1024:0.0} KB") : null, allocated is { } b ? b <= 8 * 1024 : null);
        Line($"");
        Line($"Ratios are of the medians over the rounds. Allocation per click request is the median over the click rounds of the " +
             "gateway's `able_dotnet_allocated_bytes_total` delta (the managed heap, `GC.GetTotalAllocatedBytes`, from its /metrics) over " +
             "the run and the capture queue's drain, divided by the requests wrk completed.");
    }

    private double? AllocatedPerClick()
    {
        var perRequest = results.Runs
            .Where(r => r.Scenario == Scenario.Click && r.AllocatedBytesPerRequest is not null)
            .Select(r => r.AllocatedBytesPerRequest!.Value)
            .ToList();
        return perRequest.Count == 0 ? null : Median.Of(perRequest);
    }

    private void Machine()
    {
        var m = results.Machine;
        Line($"");
        Line($"## Machine");
        Line($"");
        Line($"| | |");
        Line($"|---|---|");
        Line($"| host | {m.Host} |");
        Line($"| CPU | {m.Cpu}, {m.Cores} cores |");
        Line($"| RAM | {m.Memory} |");
        Line($"| kernel | {m.Kernel} |");
        Line($"| .NET SDK | {m.DotnetSdk} |");
        Line($"| nginx | {m.Nginx} |");
        Line($"| Redis | {m.Redis} |");
        Line($"| wrk | {m.Wrk} |");
        Line($"");
        Line($"wrk, the origin, the proxies and Redis all share these cores: the figures compare the proxies with each other " +
             "on this machine, they are not what each would do alone.");
    }

    private void Method()
    {
        var o = results.Options;
        Line($"");
        Line($"## Method");
        Line($"");
        Line($"Targets, each on its own loopback port, all in front of the same origin (`Able.Benchmarks origin`: a 1 KB HTML page " +
             "with two Calendly links at every path, a 1 KB asset under /assets/):");
        Line($"");
        Line($"- **origin**: the origin itself, direct;");
        Line($"- **nginx**: Debian's nginx-light, one worker, upstream keepalive 64, HTTP/1.1 to the origin, no access log;");
        Line($"- **bare YARP**: `Able.Benchmarks yarp`, one catch-all route to the origin, nothing else (same YARP version as the gateway);");
        Line($"- **Able gateway**: the Release build with `config/able.json` as a user gets it, except: Redis is the bench Redis, " +
             "listen URLs are free loopback ports, the funnel's hosts are 127.0.0.1 and localhost with the bench origin, and the capture " +
             $"budget (`Capture:Budget:NewVisitorsPerIpPerMinute`, `CapturesPerVisitorPerMinute`) is {BenchConfig.UnlimitedBudget:N0} instead " +
             "of 30 and 20, so every request is captured (wrk is one client address: with the default budget, all but 30 new visitors " +
             "a minute would take the cheaper refusal path).");
        Line($"");
        Line($"Redis: redis-server on a loopback port, AOF on with `appendfsync everysec`, `volatile-lru`, no RDB snapshots, data in " +
             ".able/bench/redis. It is emptied (FLUSHALL) before each gateway run; after each gateway run the suite waits until the " +
             "gateway's capture queue is empty (its /metrics), so its background writes never overlap another target's run.");
        Line($"");
        Line($"Scenarios:");
        Line($"");
        foreach (var scenario in results.Scenarios)
        {
            Line($"- **{scenario.Name}**: {scenario.Sends}.");
        }

        Line($"");
        Line($"wrk {o.Threads} threads, {o.Connections} connections, {o.DurationSeconds} s per run, `--latency` (p50 and p99 from wrk's " +
             $"latency histogram). Warm-up: {o.WarmupSeconds} s per target, shared between the scenarios. Then {o.Rounds} round(s): in each " +
             "round every scenario runs once against every target, the targets' order rotated by one per round and scenario. " +
             "The median of the rounds is reported.");
    }

    private void Throughput()
    {
        Line($"");
        Line($"## Throughput");
        Line($"");
        Line($"Medians over the rounds:");
        Line($"");
        Line($"| scenario | target | req/s | p50 ms | p99 ms | req/s vs bare YARP |");
        Line($"|---|---|---:|---:|---:|---:|");
        foreach (var scenario in results.Scenarios)
        {
            foreach (var target in results.Targets)
            {
                var rps = results.MedianRequestsPerSecond(scenario, target.Name);
                var yarp = results.MedianRequestsPerSecond(scenario, Target.BareYarp);
                Line($"| {scenario.Name} | {target.Name} | {Number(rps, "0")} | {Number(results.MedianP50(scenario, target.Name), "0.00")} | " +
                     $"{Number(results.MedianP99(scenario, target.Name), "0.00")} | {Number(rps / yarp, "0.00")}× |");
            }
        }

        Line($"");
        Line($"Able / bare YARP: " + string.Join("; ", results.Scenarios.Select(s => Invariant($"{s.Name} {Number(results.ThroughputRatio(s), "0.00")}× req/s"))) +
             Invariant($"; click p99 {Number(results.P99Ratio(Scenario.Click), "0.00")}×."));
        Line($"");
        Line($"Every run (order = position within its round and scenario; dropped = captures the gateway dropped during the run, by reason; " +
             "allocated = the gateway's managed allocation per request; batch = captures per Redis batch of the capture writer, mean):");
        Line($"");
        Line($"| round | scenario | order | target | requests | req/s | p50 ms | p99 ms | max ms | errors | dropped | allocated B/req | batch |");
        Line($"|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|");
        foreach (var run in results.Runs)
        {
            var r = run.Result;
            var dropped = run.Dropped is null ? "" : run.Dropped.Count == 0 ? "0" : string.Join(", ", run.Dropped.Select(d => Invariant($"{d.Key} {d.Value:0}")));
            Line($"| {run.Round} | {run.Scenario.Name} | {run.Order} | {run.Target.Name} | {r.Requests} | {r.RequestsPerSecond:0} | {r.P50Milliseconds:0.00} | " +
                 $"{r.P99Milliseconds:0.00} | {r.MaxMicroseconds / 1000.0:0.0} | {r.Errors} | {dropped} | " +
                 Invariant($"{(run.AllocatedBytesPerRequest is { } a ? a.ToString("0", CultureInfo.InvariantCulture) : "")} | {(run.CapturesPerBatch is { } c ? c.ToString("0.0", CultureInfo.InvariantCulture) : "")} |"));
        }
    }

    private void Footprint()
    {
        Line($"");
        Line($"## Redis cost of capture");
        Line($"");
        if (results.Footprints.Count == 0)
        {
            Line($"{NotMeasured}.");
            return;
        }

        Line($"FLUSHALL, then INFO memory (`used_memory`) and INFO commandstats; then the requests through the gateway (16 at a time): " +
             "visitors of k touches, the first an ad click with its own ttclid and the four UTMs, the k − 1 others later pages with the " +
             "visitor's able_vid cookie; the gateway's capture queue drained (its /metrics); 1.5 s for the AOF's once-a-second flush; INFO again. " +
             "Bytes per visitor = `used_memory` delta / visitors. Commands sent per capture (the target) = commands the gateway sent, " +
             "counted with MONITOR (closed before memory is read; a script call such as EVALSHA is one) / captures written " +
             "(`able_capture_total{kind=\"pageview\"}`); executed per capture = INFO commandstats calls delta / captures, which also " +
             "counts each command a script runs. The suite's own INFO, DBSIZE, FLUSHALL and PING are left out of both.");
        Line($"");
        Line($"| touches per visitor | visitors | requests | captures written | dropped | bytes per visitor | keys | commands sent per capture | sent | executed per capture | run by scripts |");
        Line($"|---:|---:|---:|---:|---|---:|---:|---:|---|---:|---|");
        foreach (var f in results.Footprints)
        {
            var dropped = f.Dropped.Count == 0 ? "0" : string.Join(", ", f.Dropped.Select(d => Invariant($"{d.Key} {d.Value:0}")));
            Line($"| {f.TouchesPerVisitor} | {f.Visitors} | {f.Requests} | {f.CapturesWritten:0} | {dropped} | {f.BytesPerVisitor:0} | {f.Keys} | " +
                 $"{f.CommandsPerCapture:0.00} | {Counts(f.SentByName)} | {f.ExecutedPerCapture:0.00} | {Counts(f.ScriptCommandsByName)} |");
        }

        Line($"");
        Line($"Captures per Redis batch of the capture writer under load are in the rounds' table (column batch; `Capture:BatchSize` is at most 200, `Capture:BatchLingerMilliseconds` 2).");
    }

    private void Steady()
    {
        Line($"");
        Line($"## Time to steady throughput");
        Line($"");
        if (results.Steady is not { } steady)
        {
            Line($"{NotMeasured}.");
            return;
        }

        var first = steady.FirstSteadySlice;
        Line($"A fresh gateway process (same config, Redis emptied) launched; from that moment the click scenario in back-to-back 1-second " +
             "wrk slices (until it listens, wrk is retried every 20 ms and that wait is one slice of 0 req/s). Steady = median of the last 10 slices.");
        Line($"");
        Line($"- start-up (launch until /healthz answers): {(steady.HealthySeconds is { } h ? Invariant($"{h:0.00} s") : "never, within the slices")}");
        Line($"- steady: {steady.SteadyRequestsPerSecond:0} req/s; first slice at ≥ 90 % of it ended {(first is null ? "never" : Invariant($"{first.EndSeconds:0.0} s"))} after launch");
        Line($"- control: 1-second click slices against the gateway of the rounds (warm), just before it was stopped: " +
             $"{Number(steady.WarmSliceRequestsPerSecond, "0")} req/s (median of 5). A steady rate well below it means the fresh " +
             "process was still not at full speed after the slices, or the machine was busier then. First slice at ≥ 90 % of the " +
             $"control ended: {(steady.WarmSliceRequestsPerSecond is null ? "–" : steady.FirstSliceAtWarmRate is { } atWarm ? Invariant($"{atWarm.EndSeconds:0.0} s after launch") : "never, within the slices")}.");
        Line($"");
        Line($"| slice (s since launch) | req/s | errors |");
        Line($"|---|---:|---:|");
        foreach (var slice in steady.Slices)
        {
            Line($"| {slice.StartSeconds:0.0}–{slice.EndSeconds:0.0} | {slice.RequestsPerSecond:0} | {slice.Errors} |");
        }
    }

    private void Conversions()
    {
        Line($"");
        Line($"## Conversions");
        Line($"");
        if (results.Conversions is not { } c)
        {
            Line($"Conversions/s and ingress ack latency: {results.ConversionsNote}.");
            return;
        }

        Line($"From `Able.Benchmarks conversions` (Conversions/) against the bench Redis: {c.Count} conversions, " +
             $"{Number(c.ConversionsPerSecond, "0")} conversions/s; ingress ack p50 {Number(c.AckP50Ms, "0.0")} ms, " +
             $"p99 {Number(c.AckP99Ms, "0.0")} ms at {Number(c.AckRatePerSecond, "0")} webhooks/s. Everything it reported:");
        Line($"");
        Line($"```json");
        Line(c.Json);
        Line($"```");
    }

    private void Ratio(string target, double? ratio, double limit, bool atLeast) =>
        Row(target, ratio is { } r ? Invariant($"{r:0.00}×") : null, ratio is { } value ? (atLeast ? value >= limit : value <= limit) : null);

    private void Row(string target, string? measured, bool? met) =>
        Line($"| {target} | {measured ?? NotMeasured} | {(met is null ? "–" : met.Value ? "met" : "**not met**")} |");

    private string Arguments()
    {
        var o = results.Options;
        var parts = new List<string>();
        if (o.Quick)
        {
            parts.Add("--quick");
        }

        parts.Add(Invariant($"--duration {o.DurationSeconds} --warmup {o.WarmupSeconds} --rounds {o.Rounds}"));
        if (results.Scenarios.Count < SuiteOptions.AllScenarios.Length)
        {
            parts.Add("--only " + string.Join(',', results.Scenarios.Select(s => s.Name)));
        }

        return " " + string.Join(' ', parts);
    }

    private static string Counts(IReadOnlyDictionary<string, long> counts) =>
        counts.Count == 0 ? "–" : string.Join(", ", counts.OrderByDescending(c => c.Value).Select(c => Invariant($"{c.Key} {c.Value}")));

    private static string Number(double? value, string format) => value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    private static string Invariant(FormattableString value) => FormattableString.Invariant(value);

    /// <summary>One line of the file. Numbers in it format the same everywhere: the build sets InvariantGlobalization
    /// (Directory.Build.props), so the current culture is the invariant one.</summary>
    private void Line(string line) => text.Append(line).Append('\n');
}
