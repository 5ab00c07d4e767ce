using Microsoft.Extensions.Configuration;

namespace Able.Hosting.Configuration;

/// <summary>
/// Where configuration comes from, in rising precedence: <c>config/able.json</c> (or the file named by
/// <c>--config</c> or <c>ABLE_CONFIG</c>), environment variables, then command-line arguments.
/// </summary>
public static class AbleConfiguration
{
    public const string PathVariable = "ABLE_CONFIG";
    public const string DefaultRelativePath = "config/able.json";

    /// <summary>Replaces the builder's sources with the Able ones.</summary>
    public static void UseAbleSources(this IConfigurationManager configuration, string[] args)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var path = ResolvePath(args);
        configuration.Sources.Clear();
        configuration.AddJsonFile(path, optional: false, reloadOnChange: true);
        configuration.AddEnvironmentVariables();
        configuration.AddCommandLine(args);
    }

    /// <summary>
    /// The configuration file: <c>--config</c>, else <c>ABLE_CONFIG</c>, else <c>config/able.json</c> in the
    /// current folder or the nearest parent that has one (so <c>dotnet run</c> works anywhere in the repo).
    /// </summary>
    public static string ResolvePath(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var explicitPath = new ConfigurationBuilder().AddCommandLine(args).Build()["config"]
            ?? Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            var full = Path.GetFullPath(explicitPath);
            return File.Exists(full)
                ? full
                : throw new FileNotFoundException($"Configuration file {full} (from --config or {PathVariable}) does not exist.", full);
        }

        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, DefaultRelativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(
            $"No {DefaultRelativePath} in {Directory.GetCurrentDirectory()} or its parents; pass --config <file> or set {PathVariable}.");
    }
}
