using System.Diagnostics;

namespace Able.Testing;

/// <summary>What a command printed and how it ended.</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Standard output then standard error, as a terminal would show them (roughly).</summary>
    public string Output => StandardOutput + StandardError;
}

/// <summary>Runs a command line tool (promtool, systemd-analyze, openssl) to completion: no shell, empty standard input.</summary>
public static class CommandRun
{
    public static async Task<CommandResult> RunAsync(string command, IEnumerable<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command}.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} {string.Join(' ', start.ArgumentList)} did not finish in time.");
        }

        return new CommandResult(process.ExitCode, await output, await error);
    }
}
