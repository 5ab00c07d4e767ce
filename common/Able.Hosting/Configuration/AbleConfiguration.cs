using Able.Schema.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace Able.Hosting.Configuration;

/// <summary>
/// Where configuration comes from, in rising precedence: <c>config/able.json</c> (or the file named by
/// <c>--config</c> or <c>ABLE_CONFIG</c>), the secrets overlay (<see cref="SecretsOverlayFile"/>: <c>able.secrets.json</c>
/// beside it, or the file named by <c>--secrets</c> or <c>ABLE_SECRETS</c>), environment variables, then command-line arguments.
/// </summary>
public static class AbleConfiguration
{
    public const string PathVariable = "ABLE_CONFIG";
    public const string DefaultRelativePath = "config/able.json";
    public const string SecretsPathVariable = "ABLE_SECRETS";

    /// <summary>Replaces the builder's sources with the Able ones.</summary>
    public static void UseAbleSources(this IConfigurationManager configuration, string[] args)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var path = ResolvePath(args);
        configuration.Sources.Clear();
        var secrets = ResolveSecretsPath(args, path);
        if (!Directory.Exists(Path.GetDirectoryName(secrets)))
        {
            throw new FileNotFoundException(
                $"The folder of the secrets overlay {secrets} does not exist; create it, or choose another file with --secrets or {SecretsPathVariable}.", secrets);
        }

        // One folder watcher per folder, disposed with the configuration (the file sources leave a watcher they did not
        // create running, and inotify instances are a scarce per-user resource). Usually both files share one.
        var configFolder = new PhysicalFileProvider(Path.GetDirectoryName(path)!);
        var secretsFolder = string.Equals(Path.GetDirectoryName(secrets), configFolder.Root.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal)
            ? configFolder
            : new PhysicalFileProvider(Path.GetDirectoryName(secrets)!);
        configuration.Add(new DisposedWithConfigurationSource(configFolder, secretsFolder));
        configuration.AddJsonFile(configFolder, Path.GetFileName(path), optional: false, reloadOnChange: true);
        var root = (IConfigurationRoot)configuration;
        configuration.Add(new SecretsOverlaySource
        {
            FileProvider = secretsFolder,
            Path = Path.GetFileName(secrets),
            Optional = true,
            ReloadOnChange = true,
            AllProviders = () => root.Providers,
        });
        configuration.AddEnvironmentVariables();
        configuration.AddCommandLine(args);

        // Mapped once every source is there (a funnel may come from the environment), and again whenever able.json changes.
        var overlay = root.Providers.OfType<SecretsOverlayProvider>().Single();
        overlay.Remap();
        var json = root.Providers.OfType<JsonConfigurationProvider>().First();
        ChangeToken.OnChange(json.GetReloadToken, overlay.Remap);
    }

    /// <summary>The secrets overlay: <c>--secrets</c>, else <c>ABLE_SECRETS</c>, else <c>able.secrets.json</c> beside <paramref name="configPath"/>.</summary>
    public static string ResolveSecretsPath(string[] args, string configPath)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentException.ThrowIfNullOrEmpty(configPath);
        var explicitPath = new ConfigurationBuilder().AddCommandLine(args).Build()["secrets"]
            ?? Environment.GetEnvironmentVariable(SecretsPathVariable);
        return string.IsNullOrWhiteSpace(explicitPath)
            ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configPath))!, SecretsOverlayFile.DefaultFileName)
            : Path.GetFullPath(explicitPath);
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
