using Able.Hosting;
using Able.Hosting.Configuration;
using Able.Schema.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.Commands;

/// <summary>What a command of the attribution service's program reads: the configuration the service reads, validated alike.</summary>
internal static class CommandConfiguration
{
    /// <summary>
    /// The configuration (file, secrets overlay, environment) from <paramref name="sources"/> (<c>--config</c>, <c>--secrets</c>),
    /// validated as the service validates it, and where the secrets overlay is; or null after saying on <paramref name="error"/>
    /// what is wrong, as a service does when it refuses to start (exit code <see cref="AbleHost.ConfigurationErrorExitCode"/>).
    /// </summary>
    public static async Task<(AbleOptions Options, string SecretsPath)?> ReadAsync(string[] sources, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            using var configuration = new ConfigurationManager();
            configuration.UseAbleSources(sources);
            var secretsPath = AbleConfiguration.ResolveSecretsPath(sources, AbleConfiguration.ResolvePath(sources));
            return (AbleHost.ReadValidated(configuration, AttributionApp.OptionsSections), secretsPath);
        }
        catch (Exception failure) when (failure is OptionsValidationException or FileNotFoundException or InvalidDataException or FormatException)
        {
            await error.WriteLineAsync(AbleHost.DescribeConfigurationError(failure));
            return null;
        }
    }
}
