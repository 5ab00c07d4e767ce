namespace Able.FunctionalTests;

/// <summary>Runs a command of the attribution service's program in the test process, its stdout and stderr together.</summary>
internal static class CommandOutput
{
    public static async Task<(int ExitCode, string Output)> RunAsync(
        Func<string[], TextWriter, TextWriter, CancellationToken, Task<int>> command, string[] args)
    {
        using var output = new StringWriter();
        var exitCode = await command(args, output, output, CancellationToken.None);
        return (exitCode, output.ToString());
    }
}
