namespace Able.Testing;

/// <summary>
/// A fact that needs a command on PATH (such as <c>systemd-analyze</c>). Where it is missing the test is skipped with
/// the reason, so the run reports it as skipped rather than as a pass that tested nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class CommandFactAttribute : FactAttribute
{
    public CommandFactAttribute(string command)
    {
        Command = command;
        if (FindOnPath(command) is null)
        {
            Skip = $"{command} is not installed here.";
        }
    }

    public string Command { get; }

    /// <summary>The full path of <paramref name="command"/> on PATH, or null.</summary>
    public static string? FindOnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, command))
            .FirstOrDefault(File.Exists);
}
