using System.Diagnostics;

namespace Able.Benchmarks.Suite;

/// <summary>
/// Starts the servers of the bench, each as its own process on a free loopback port: Redis (AOF everysec, data in the
/// bench's state folder), the 1 KB HTML origin, nginx, bare YARP and the Able gateway; and waits until each answers.
/// </summary>
internal sealed class BenchServices(SuiteOptions options, ChildProcesses processes, BenchPorts ports)
{
    private static readonly HttpClient Probe = new(new SocketsHttpHandler { UseCookies = false, PooledConnectionLifetime = TimeSpan.FromSeconds(1) })
    {
        Timeout = TimeSpan.FromSeconds(2),
    };

    private readonly string dotnet = Environment.ProcessPath ?? "dotnet";
    private readonly string benchDll = typeof(BenchServices).Assembly.Location;

    public BenchPorts Ports => ports;

    public string ConfigPath { get; private set; } = "";

    public static string Url(int port) => $"http://127.0.0.1:{port}";

    public async Task StartRedisAsync()
    {
        var data = Path.Combine(options.State, "redis");
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }

        Directory.CreateDirectory(data);
        // As ./able up runs it (AOF everysec, volatile-lru, compact hashes up to 1 KB values), without RDB snapshots: a
        // fork to save one mid-run would show up in whichever target happened to be running.
        processes.Start("redis", "redis-server",
        [
            "--port", $"{ports.Redis}", "--bind", "127.0.0.1", "--dir", data, "--appendonly", "yes",
            "--appendfsync", "everysec", "--save", "", "--maxmemory-policy", "volatile-lru", "--hash-max-listpack-value", "1024",
            "--daemonize", "no",
        ]);
        await WaitUntilAsync("Redis", TimeSpan.FromSeconds(20), async () =>
        {
            using var redis = await RedisWire.ConnectAsync(ports.Redis, processes.Stopping);
            return await redis.CallAsync("PING") == "PONG";
        });
    }

    public async Task StartOriginAsync()
    {
        processes.Start("origin", dotnet, [benchDll, "origin", "--urls", Url(ports.Origin)]);
        await WaitForHttpAsync("the origin", Url(ports.Origin) + "/", TimeSpan.FromSeconds(60));
    }

    public async Task StartNginxAsync()
    {
        var config = NginxConfig.Write(options.State, ports);
        processes.Start("nginx", "nginx", ["-p", Path.GetDirectoryName(config)!, "-c", config, "-e", Path.Combine(processes.LogDirectory, "nginx-error.log")]);
        await WaitForHttpAsync("nginx", Url(ports.Nginx) + "/", TimeSpan.FromSeconds(20));
    }

    public async Task StartBareYarpAsync()
    {
        processes.Start("yarp", dotnet, [benchDll, "yarp", "--urls", Url(ports.Yarp), "--origin", Url(ports.Origin)]);
        await WaitForHttpAsync("bare YARP", Url(ports.Yarp) + "/", TimeSpan.FromSeconds(60));
    }

    /// <summary>Starts a gateway with the bench config and returns it once /readyz answers 200.</summary>
    public async Task<Process> StartGatewayAsync(string logName)
    {
        var gateway = LaunchGateway(logName);
        await WaitForHttpAsync("the gateway", Url(ports.GatewayManagement) + "/readyz", TimeSpan.FromSeconds(60));
        return gateway;
    }

    /// <summary>Launches a gateway with the bench config and returns at once (the caller times its start).</summary>
    public Process LaunchGateway(string logName)
    {
        if (ConfigPath.Length == 0)
        {
            ConfigPath = BenchConfig.Write(options, ports);
        }

        return processes.Start(logName, dotnet, [options.GatewayDll, "--config", ConfigPath]);
    }

    public static async Task<bool> AnswersAsync(string url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Probe.GetAsync(url, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private Task WaitForHttpAsync(string what, string url, TimeSpan timeout) =>
        WaitUntilAsync(what, timeout, () => AnswersAsync(url, processes.Stopping));

    private async Task WaitUntilAsync(string what, TimeSpan timeout, Func<Task<bool>> ready)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            try
            {
                if (await ready())
                {
                    return;
                }
            }
            catch (IOException)
            {
                // Not listening yet.
            }
            catch (System.Net.Sockets.SocketException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, processes.Stopping);
        }

        throw new InvalidOperationException($"{what} did not answer within {timeout.TotalSeconds:0} s (logs in {processes.LogDirectory})");
    }
}
