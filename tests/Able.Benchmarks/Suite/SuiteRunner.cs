using System.Diagnostics;

namespace Able.Benchmarks.Suite;

/// <summary>
/// <c>Able.Benchmarks suite</c>, what <c>./able bench</c> runs after building: starts Redis, the origin, nginx, bare
/// YARP and the gateway; the throughput rounds; Redis bytes per visitor and commands per capture; time to steady
/// throughput of a fresh gateway; conversions per second; then writes the results file. A part that fails is
/// reported in the file and the next part still runs; Ctrl-C writes what was measured so far.
/// </summary>
internal static class SuiteRunner
{
    public static async Task<int> RunAsync(string[] args)
    {
        SuiteOptions options;
        try
        {
            options = SuiteOptions.Parse(args);
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine($"[bench] {error.Message}");
            Console.Error.WriteLine("usage: ./able bench [--quick] [--duration S] [--warmup S] [--rounds N] [--only click,returning,asset] [--out FILE]");
            return 64;
        }

        Directory.CreateDirectory(options.State);
        var logs = Path.Combine(options.State, "logs");
        if (Directory.Exists(logs))
        {
            Directory.Delete(logs, recursive: true);
        }

        using var processes = new ChildProcesses(options.State);
        var clock = Stopwatch.StartNew();
        void Log(string message) => Console.WriteLine($"[bench {clock.Elapsed:mm\\:ss}] {message}");

        var scenarios = Scenario.Named(options.Scenarios);
        var ports = BenchPorts.Pick();
        var results = new SuiteResults
        {
            Options = options,
            Machine = await MachineInfo.ReadAsync(processes),
            StartedAt = DateTimeOffset.UtcNow,
            Scenarios = scenarios,
            Targets =
            [
                new Target(Target.Origin, BenchServices.Url(ports.Origin), IsGateway: false),
                new Target(Target.Nginx, BenchServices.Url(ports.Nginx), IsGateway: false),
                new Target(Target.BareYarp, BenchServices.Url(ports.Yarp), IsGateway: false),
                new Target(Target.Able, BenchServices.Url(ports.Gateway), IsGateway: true),
            ],
        };
        var outcome = 0;
        try
        {
            await MeasureAsync(options, processes, ports, results, Log);
        }
        catch (OperationCanceledException) when (processes.Stopping.IsCancellationRequested)
        {
            results.Problems.Add("stopped (Ctrl-C or a signal) before the end; what was measured until then is below.");
            outcome = 130;
        }
        catch (Exception error) when (error is InvalidOperationException or IOException or HttpRequestException)
        {
            results.Problems.Add($"the suite failed: {error.Message}");
            Log($"failed: {error}");
            outcome = 1;
        }
        finally
        {
            processes.Dispose();
        }

        if (outcome == 0 && results.Problems.Count > 0)
        {
            outcome = 1;
        }

        var output = options.Out ?? Path.Combine(options.Root, "tests/Able.Benchmarks/results",
            $"{results.StartedAt:yyyy-MM-dd}-{results.Machine.Host}{(options.Quick ? "-smoke" : "")}.md");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await File.WriteAllTextAsync(output, new ResultsMarkdown(results).Render(), CancellationToken.None);
        Log($"results: {output} ({clock.Elapsed.TotalMinutes:0.0} min; process logs in {logs})");
        foreach (var problem in results.Problems)
        {
            Log($"incomplete: {problem}");
        }

        return outcome;
    }

    private static async Task MeasureAsync(SuiteOptions options, ChildProcesses processes, BenchPorts ports, SuiteResults results, Action<string> log)
    {
        var stopping = processes.Stopping;
        var services = new BenchServices(options, processes, ports);
        log($"starting Redis, the origin, nginx, bare YARP and the gateway (ports: Redis {ports.Redis}, origin {ports.Origin}, " +
            $"nginx {ports.Nginx}, bare YARP {ports.Yarp}, gateway {ports.Gateway}, management {ports.GatewayManagement})");
        await services.StartRedisAsync();
        await services.StartOriginAsync();
        await services.StartNginxAsync();
        await services.StartBareYarpAsync();
        var gateway = await services.StartGatewayAsync("gateway");

        using var redis = await RedisWire.ConnectAsync(ports.Redis, stopping);
        var metrics = new GatewayMetrics(BenchServices.Url(ports.GatewayManagement));
        var gatewayUrl = BenchServices.Url(ports.Gateway);
        var wrk = new Wrk(options, processes);
        using (var client = new ClickClient(gatewayUrl))
        {
            wrk.ReturningVisitor = await client.ClickAsync("E.C.P.returning-visitor", stopping);
        }

        log($"the returning scenario's visitor: {wrk.ReturningVisitor}");

        var rounds = new ThroughputRounds(options, wrk, redis, metrics, log);
        await Part(results, "throughput", async () =>
        {
            await rounds.WarmUpAsync(results.Targets, results.Scenarios, stopping);
            results.Runs.AddRange(await rounds.RunAsync(results.Targets, results.Scenarios, stopping));
        });

        var footprint = new RedisFootprint(redis, ports.Redis, metrics, gatewayUrl, log);
        foreach (var touches in new[] { 1, 5, 50 })
        {
            await Part(results, $"Redis footprint ({touches} touches)", async () =>
                results.Footprints.Add(await footprint.MeasureAsync(options.FootprintRequests, touches, stopping)));
        }

        var steady = new SteadyThroughput(options, services, processes, wrk, log);
        double? warmSlices = null;
        await Part(results, "control slices", async () =>
        {
            await redis.CallAsync("FLUSHALL");
            warmSlices = await steady.MeasureWarmSlicesAsync(5);
        });
        processes.Stop(gateway);
        await Part(results, "time to steady throughput", async () =>
        {
            await redis.CallAsync("FLUSHALL");
            results.Steady = await steady.MeasureAsync(warmSlices, stopping);
        });

        await Part(results, "conversions", async () =>
        {
            var (conversions, note) = await new ConversionsProbe(options, processes, redis, log).MeasureAsync(ports, services.ConfigPath);
            results.Conversions = conversions;
            results.ConversionsNote = note;
            if (conversions is null)
            {
                log($"conversions: {note}");
            }
        });
    }

    /// <summary>Runs one part; a failure is written into the results and the suite goes on with the next part.</summary>
    private static async Task Part(SuiteResults results, string name, Func<Task> part)
    {
        try
        {
            await part();
        }
        catch (Exception error) when (error is InvalidOperationException or IOException or HttpRequestException or System.Text.Json.JsonException)
        {
            results.Problems.Add($"{name} failed: {error.Message}");
            Console.Error.WriteLine($"[bench] {name} failed: {error}");
        }
    }
}
