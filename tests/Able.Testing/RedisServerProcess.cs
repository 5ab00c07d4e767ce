using System.Diagnostics;
using System.Net.Sockets;

namespace Able.Testing;

/// <summary>
/// A real <c>redis-server</c> from PATH on a free loopback port with a temporary data folder. It can be
/// stopped and started again on the same port, so tests can take Redis away and bring it back.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly string dataDirectory;
    private readonly string[] extraArguments;
    private Process? process;

    private RedisServerProcess(string executable, int port, string[] extraArguments)
    {
        Executable = executable;
        Port = port;
        this.extraArguments = extraArguments;
        dataDirectory = Directory.CreateTempSubdirectory("able-redis-").FullName;
        // The shared server lives as long as the test process; this stops it and removes its folder then.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            Kill();
            process?.WaitForExit(TimeSpan.FromSeconds(5));
            DeleteDataDirectory();
        };
    }

    public string Executable { get; }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public bool IsRunning => process is { HasExited: false };

    /// <summary>The redis-server on PATH, or null.</summary>
    public static string? FindExecutable()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/local/bin")
            .Select(dir => Path.Combine(dir, "redis-server"))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Starts a server; <paramref name="extraArguments"/> are added to its command line (e.g. <c>--maxmemory 2mb</c>).</summary>
    public static async Task<RedisServerProcess> StartAsync(params string[] extraArguments)
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException(RedisTestServer.HowToInstall);
        var server = new RedisServerProcess(executable, FreePort.Next(), extraArguments);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on its port and waits until it answers PING.</summary>
    public async Task StartAgainAsync()
    {
        if (IsRunning)
        {
            return;
        }

        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--dir", dataDirectory, "--save", "", "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no",
                 }.Concat(extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitUntilAsync(answers: true);
    }

    /// <summary>
    /// Freezes the server (SIGSTOP): connections stay open and nothing answers, as with a Redis stuck in a long
    /// fork, a swapped-out host or a paused VM. <see cref="Resume"/> lets it go on where it was.
    /// </summary>
    public void Pause() => Signal(StopSignal);

    /// <summary>Lets a paused server go on (SIGCONT).</summary>
    public void Resume() => Signal(ContinueSignal);

    /// <summary>Kills the server (as a crash would) and waits until its port refuses connections.</summary>
    public async Task StopAsync()
    {
        Kill();
        if (process is not null)
        {
            await process.WaitForExitAsync();
        }

        await WaitUntilAsync(answers: false);
    }

    /// <summary>
    /// Stops the server as an operator or a supervisor would (SIGTERM): with AOF on it flushes the file before it
    /// exits, so <see cref="StartAgainAsync"/> brings back everything it had acknowledged.
    /// </summary>
    public async Task TerminateAsync()
    {
        Signal(TerminateSignal);
        await process!.WaitForExitAsync();
        await WaitUntilAsync(answers: false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        process?.Dispose();
        process = null;
        DeleteDataDirectory();
    }

    private void DeleteDataDirectory()
    {
        try
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Still in use by a server that would not stop; nothing else can be done here.
        }
    }

    private const int TerminateSignal = 15; // SIGTERM
    private const int StopSignal = 19;      // SIGSTOP on Linux
    private const int ContinueSignal = 18;  // SIGCONT on Linux

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private void Signal(int signal)
    {
        if (process is not { HasExited: false } running || SendSignal(running.Id, signal) != 0)
        {
            throw new InvalidOperationException($"Could not signal redis-server on port {Port} ({signal}).");
        }
    }

    private void Kill()
    {
        try
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private async Task WaitUntilAsync(bool answers)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (await AnswersPingAsync() == answers)
            {
                return;
            }

            if (answers && process is { HasExited: true })
            {
                throw new InvalidOperationException($"redis-server exited with code {process.ExitCode} on port {Port}.");
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"redis-server on port {Port} did not {(answers ? "start" : "stop")} within 10 s.");
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
            return read > 0 && buffer[0] == (byte)'+';
        }
        catch (Exception error) when (error is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }
}
