using System.Diagnostics;
using System.Net;

namespace Able.FaultTests;

/// <summary>
/// The built attribution service (<c>dotnet Able.Attribution.Service.dll --config file</c>) as a child process:
/// started, killed with SIGKILL and started again on the same configuration and ports. It remembers whether the
/// process ever exited without the test killing it, and keeps the tail of its output for failure messages.
/// </summary>
internal sealed class AttributionProcess : IAsyncDisposable
{
    private const int OutputLinesKept = 200;
    private readonly string configFile;
    private readonly Uri managementBase;
    private readonly Queue<string> output = new();
    private readonly List<string> unexpectedExits = [];
    private readonly HttpClient probe = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly HashSet<Process> killedByTest = [];
    private Process? process;

    public AttributionProcess(string configFile, Uri managementBase)
    {
        this.configFile = configFile;
        this.managementBase = managementBase;
        // A test process that ends without disposing this (a crash, a cancelled run) takes the service with it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillQuietly();
    }

    /// <summary>The service's build output, in the configuration these tests were built in (Release under ./able test).</summary>
    public static string ServiceAssembly { get; } = FindServiceAssembly();

    /// <summary>Exits the test did not cause, with their exit codes: a service that stops on its own fails the scenario.</summary>
    public IReadOnlyList<string> UnexpectedExits
    {
        get
        {
            lock (unexpectedExits)
            {
                return [.. unexpectedExits];
            }
        }
    }

    public int Starts { get; private set; }

    public string OutputTail
    {
        get
        {
            lock (output)
            {
                return string.Join('\n', output);
            }
        }
    }

    /// <summary>Starts the service and waits until its management port answers <c>/healthz</c>.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ServiceAssembly);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(configFile);
        // No console colours or launch profile noise in the kept output.
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Logging__Console__FormatterName"] = "simple";

        var started = Process.Start(start) ?? throw new InvalidOperationException("Could not start the attribution service.");
        started.EnableRaisingEvents = true;
        started.OutputDataReceived += (_, line) => Keep(line.Data);
        started.ErrorDataReceived += (_, line) => Keep(line.Data);
        started.Exited += (_, _) => OnExited(started);
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        process = started;
        Starts++;

        var healthz = new Uri(managementBase, "/healthz");
        var healthy = await Eventually.TrueAsync(async () =>
        {
            if (started.HasExited)
            {
                return true;
            }

            try
            {
                using var response = await probe.GetAsync(healthz);
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60));
        if (!healthy || started.HasExited)
        {
            throw new InvalidOperationException($"The attribution service did not become healthy (exited: {started.HasExited}).\n{OutputTail}");
        }
    }

    /// <summary>SIGKILL, as a crash or an OOM kill would: no shutdown code runs. Waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        var running = process ?? throw new InvalidOperationException("The service is not running.");
        lock (killedByTest)
        {
            killedByTest.Add(running);
        }

        running.Kill(entireProcessTree: true);
        await running.WaitForExitAsync();
    }

    public async Task RestartAfterKillAsync()
    {
        await KillAsync();
        await StartAsync();
    }

    private void KillQuietly()
    {
        try
        {
            if (process is { HasExited: false } running)
            {
                running.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private void OnExited(Process exited)
    {
        bool killed;
        lock (killedByTest)
        {
            killed = killedByTest.Contains(exited);
        }

        if (!killed)
        {
            lock (unexpectedExits)
            {
                unexpectedExits.Add($"exit code {exited.ExitCode} at {DateTime.UtcNow:O}");
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Enqueue(line);
            while (output.Count > OutputLinesKept)
            {
                output.Dequeue();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            await KillAsync();
        }

        process?.Dispose();
        lock (killedByTest)
        {
            foreach (var stopped in killedByTest)
            {
                stopped.Dispose();
            }
        }

        probe.Dispose();
    }

    private static string FindServiceAssembly()
    {
        // The test assembly sits in tests/Able.FaultTests/bin/<configuration>/<framework>/; the service was built alongside.
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        var path = Path.Combine(RepositoryRoot.Path, "attribution", "Able.Attribution.Service", "bin", configuration, framework.Name, "Able.Attribution.Service.dll");
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"{path} is missing: build Able.sln in {configuration} first (./able test does).");
    }
}
