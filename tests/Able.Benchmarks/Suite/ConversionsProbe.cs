using System.Text.Json;

namespace Able.Benchmarks.Suite;

/// <summary>The conversions mode's figures (its --out JSON; a figure it could not measure is null), and the whole JSON.</summary>
internal sealed record ConversionsResult(double? ConversionsPerSecond, long? Count, double? AckP50Ms, double? AckP99Ms, double? AckRatePerSecond)
{
    public string Json { get; init; } = "";
}

/// <summary>
/// Conversions per second and ingress ack latency, from the program's <c>conversions</c> mode (Conversions/) run as its
/// own process against the bench Redis; when it fails, the figures are "not measured" with the reason.
/// </summary>
internal sealed class ConversionsProbe(SuiteOptions options, ChildProcesses processes, RedisWire redis, Action<string> log)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<(ConversionsResult? Result, string Note)> MeasureAsync(BenchPorts ports, string configPath)
    {
        await redis.CallAsync("FLUSHALL");
        var output = Path.Combine(options.State, "conversions.json");
        File.Delete(output);
        log("conversions: running the conversions mode");
        var (exitCode, stdout, stderr) = await processes.RunAsync(Environment.ProcessPath ?? "dotnet",
        [
            typeof(ConversionsProbe).Assembly.Location, "conversions", "--redis", $"127.0.0.1:{ports.Redis}",
            "--attribution-dll", options.AttributionDll, "--config", configPath, "--out", output,
        ], timeout: TimeSpan.FromMinutes(5));
        await File.AppendAllTextAsync(Path.Combine(processes.LogDirectory, "conversions.log"), stdout + stderr);
        if (exitCode != 0 || !File.Exists(output))
        {
            return (null, $"not measured: the conversions mode exited {exitCode} (see logs/conversions.log)");
        }

        var json = await File.ReadAllTextAsync(output);
        var result = JsonSerializer.Deserialize<ConversionsResult>(json, Json);
        return result is null ? (null, "not measured: the conversions mode wrote no figures") : (result with { Json = json.Trim() }, "");
    }
}
