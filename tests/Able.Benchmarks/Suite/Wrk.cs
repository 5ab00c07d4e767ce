using System.Globalization;
using System.Text.Json;

namespace Able.Benchmarks.Suite;

/// <summary>Runs wrk (2 threads, 32 connections, --latency) with one scenario's script against one target.</summary>
internal sealed class Wrk(SuiteOptions options, ChildProcesses processes)
{
    private const string ResultMarker = "ABLE_WRK_RESULT ";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static long runs;

    private readonly string scripts = Path.Combine(AppContext.BaseDirectory, "wrk");

    /// <summary>The returning scenario's visitor id (the able_vid cookie the gateway gave it).</summary>
    public string ReturningVisitor { get; set; } = "";

    /// <summary>Runs wrk for whole seconds; with <paramref name="refusedIsZero"/>, a target that refuses connections
    /// (not listening yet) gives an empty result instead of an error.</summary>
    public async Task<WrkResult> RunAsync(Scenario scenario, Target target, int seconds, bool refusedIsZero = false)
    {
        var run = $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}x{Interlocked.Increment(ref runs)}";
        var environment = new Dictionary<string, string>
        {
            ["ABLE_BENCH_WRK_DIR"] = scripts,
            ["ABLE_BENCH_RUN"] = run,
            ["ABLE_BENCH_VISITOR"] = ReturningVisitor,
        };
        var duration = seconds.ToString(CultureInfo.InvariantCulture) + "s";
        var (exitCode, output, error) = await processes.RunAsync("wrk",
        [
            "-t", $"{options.Threads}", "-c", $"{options.Connections}", "-d", duration, "--latency",
            "-s", Path.Combine(scripts, scenario.Script), target.Url + "/",
        ], environment, TimeSpan.FromSeconds(seconds + 60));
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(ResultMarker, StringComparison.Ordinal));
        if (exitCode != 0 && line is null && refusedIsZero && (output + error).Contains("unable to connect", StringComparison.Ordinal))
        {
            // Nothing listens yet (a gateway starting): wrk gives up at once; counted as no requests, one connect error.
            return new WrkResult(0, 0, 0, 0, 0, 0, ConnectErrors: 1, 0, 0, 0, 0);
        }

        if (exitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"wrk ({scenario.Name}, {target.Name}) exited {exitCode}: {error.Trim()} {output.Trim()}");
        }

        return JsonSerializer.Deserialize<WrkResult>(line[ResultMarker.Length..], Json)
            ?? throw new InvalidOperationException("wrk printed no result");
    }
}
