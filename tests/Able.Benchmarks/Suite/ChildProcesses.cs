using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Able.Benchmarks.Suite;

/// <summary>
/// Every process the suite starts (Redis, origin, nginx, bare YARP, gateways, wrk): their output goes to a log file
/// each, and all of them are killed, with their children, when the suite ends, whether it finishes, fails, or is
/// stopped with Ctrl-C or SIGTERM. Their ids are also kept in a file that <c>./able bench</c> reads after the suite
/// exits, so that not even a killed suite leaves one behind.
/// </summary>
internal sealed class ChildProcesses : IDisposable
{
    private readonly Lock gate = new();
    private readonly List<Process> running = [];
    private readonly string logDirectory;
    private readonly string pidFile;
    private readonly PosixSignalRegistration[] signals;
    private readonly CancellationTokenSource stopping = new();

    public ChildProcesses(string stateDirectory)
    {
        logDirectory = Path.Combine(stateDirectory, "logs");
        Directory.CreateDirectory(logDirectory);
        pidFile = Path.Combine(stateDirectory, "pids");
        File.WriteAllText(pidFile, "");
        signals =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal),
        ];
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    /// <summary>Cancelled when the suite is asked to stop (Ctrl-C, SIGTERM, SIGHUP).</summary>
    public CancellationToken Stopping => stopping.Token;

    public string LogDirectory => logDirectory;

    /// <summary>Starts a long-running process whose output goes to <c>logs/{name}.log</c>.</summary>
    public Process Start(string name, string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = Info(fileName, arguments, environment, workingDirectory);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var log = new StreamWriter(Path.Combine(logDirectory, name + ".log"), append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Exited += (_, _) =>
        {
            lock (log)
            {
                log.Dispose();
            }
        };
        Track(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs a process to its end (killed if the suite stops first) and returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Output, string Error)> RunAsync(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var process = new Process { StartInfo = Info(fileName, arguments, environment, null) };
        Track(process);
        var output = process.StandardOutput.ReadToEndAsync(Stopping);
        var error = process.StandardError.ReadToEndAsync(Stopping);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
        deadline.CancelAfter(timeout ?? TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return (process.ExitCode, await output, await error);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }
        finally
        {
            Forget(process);
            process.Dispose();
        }
    }

    /// <summary>Kills a process started here (with its children) and waits for it to be gone.</summary>
    public void Stop(Process process)
    {
        Kill(process);
        Forget(process);
    }

    public void Dispose()
    {
        KillAll();
        foreach (var signal in signals)
        {
            signal.Dispose();
        }

        stopping.Dispose();
    }

    private static ProcessStartInfo Info(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, string? workingDirectory)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return info;
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            if (log.BaseStream is not null)
            {
                try
                {
                    log.WriteLine(line);
                }
                catch (ObjectDisposedException)
                {
                    // The process exited and its log was closed; a last line may arrive after that.
                }
            }
        }
    }

    private void Track(Process process)
    {
        lock (gate)
        {
            process.Start();
            running.Add(process);
            WritePidFile();
        }
    }

    private void Forget(Process process)
    {
        lock (gate)
        {
            running.Remove(process);
            WritePidFile();
        }
    }

    /// <summary>The ids of the processes running now (called under the lock), one a line.</summary>
    private void WritePidFile() =>
        File.WriteAllLines(pidFile, running.Select(p => p.Id.ToString(CultureInfo.InvariantCulture)));

    private void OnSignal(PosixSignalContext context)
    {
        // Handled here: the suite unwinds (its finally blocks write what was measured) and then kills the rest.
        context.Cancel = true;
        Console.Error.WriteLine($"[bench] {context.Signal}: stopping");
        stopping.Cancel();
        KillAll();
    }

    private void KillAll()
    {
        Process[] all;
        lock (gate)
        {
            all = [.. running];
        }

        foreach (var process in all)
        {
            Kill(process);
            Forget(process);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }
    }
}
