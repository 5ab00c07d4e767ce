namespace Able.Testing;

/// <summary>
/// A fact that needs commands on PATH (such as <c>systemd-analyze</c>, or <c>pebble</c> and <c>certbot</c>). Where one is
/// missing the test is skipped with the reason, so the run reports it as skipped rather than as a pass that tested nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class CommandFactAttribute : FactAttribute
{
    public CommandFactAttribute(params string[] commands)
    {
        Commands = commands;
        var missing = commands.Where(command => FindOnPath(command) is null).ToList();
        if (missing.Count > 0)
        {
            Skip = missing.Count == 1
                ? $"{missing[0]} is not installed here."
                : $"{string.Join(" and ", missing)} are not installed here.";
        }
    }

    public IReadOnlyList<string> Commands { get; }

    /// <summary>The full path of <paramref name="command"/> on PATH, or null.</summary>
    public static string? FindOnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, command))
            .FirstOrDefault(File.Exists);
}
