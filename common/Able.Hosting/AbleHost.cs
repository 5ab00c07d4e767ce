using System.Net;
using Able.Hosting.Configuration;
using Able.Hosting.Management;
using Able.Hosting.Redis;
using Able.Schema.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Able.Hosting;

/// <summary>What both services share at start-up: configuration sources, validated options, Redis, ports.</summary>
public static class AbleHost
{
    /// <summary>
    /// A builder with the Able configuration sources, <see cref="AbleOptions"/> bound and validated now
    /// (so a bad value stops the service before it listens) as this service sees them: the shared sections and
    /// <paramref name="ownSections"/> (see <see cref="AbleOptionsServiceCollectionExtensions.AddAbleOptions"/>),
    /// one Redis multiplexer, and Kestrel listening on the service's public and management URLs.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(
        string[] args, Func<AbleOptions, IServiceEndpoints> endpointsOf, IEnumerable<IAbleOptionsSectionValidator> ownSections)
    {
        ArgumentNullException.ThrowIfNull(endpointsOf);
        // The default appsettings.json sources, which UseAbleSources replaces, would otherwise leave a watcher on the content
        // root (the working directory) and everything below it running for the life of the process: from a checkout or a
        // state directory that is a watch per folder and a wake-up for every write under it (Redis's append-only file,
        // logs); the bench found the gateway with 324 such watches.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. args, $"--{ReloadConfigOnChangeKey}=false"] });
        builder.Configuration.UseAbleSources(args);

        var options = builder.Services.AddAbleOptions(builder.Configuration, ownSections);
        var endpoints = endpointsOf(options);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Explicit listeners rather than UseUrls, so a service can add its own (the gateway's HTTPS listener)
            // without Kestrel then ignoring these two.
            Listen(kestrel, new Uri(endpoints.PublicUrl));
            Listen(kestrel, new Uri(endpoints.ManagementUrl));
        });

        // Under systemd (Type=notify) say when started and stopping; elsewhere a no-op.
        builder.Host.UseSystemd();
        // The default, stated: a background service that fails stops the host, and RunAsync then exits non-zero.
        builder.Services.Configure<HostOptions>(host => host.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost);
        builder.Services.AddAbleRedis();
        // The secrets overlay these sources read, for what writes to it (the Calendly subscription watchdog).
        builder.Services.AddSingleton(new SecretsOverlayFile(AbleConfiguration.ResolveSecretsPath(args, AbleConfiguration.ResolvePath(args))));
        builder.Services.AddManagementEndpoints(new Uri(endpoints.ManagementUrl).Port);
        return builder;
    }

    /// <summary>The host setting that makes the default configuration files reload on change (and so watch their folder).</summary>
    private const string ReloadConfigOnChangeKey = "hostBuilder:reloadConfigOnChange";

    /// <summary>
    /// Listens where <paramref name="url"/> says, as <c>UseUrls</c> would: an IP address binds that address,
    /// <c>localhost</c> binds both loopbacks, any other name binds every address. The scheme is the caller's business
    /// (<paramref name="configure"/> adds HTTPS).
    /// </summary>
    public static void Listen(KestrelServerOptions kestrel, Uri url, Action<ListenOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(url);
        configure ??= _ => { };
        var host = url.Host.Trim('[', ']');
        if (IPAddress.TryParse(host, out var address))
        {
            kestrel.Listen(address, url.Port, configure);
        }
        else if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(url.Port, configure);
        }
        else
        {
            kestrel.ListenAnyIP(url.Port, configure);
        }
    }

    /// <summary>
    /// Binds and validates the Able section as a service owning <paramref name="ownSections"/> sees it, throwing
    /// <see cref="OptionsValidationException"/> with every problem. Binding of the shared and owned sections is strict:
    /// a key that names no setting (a typo) and a value of the wrong type are errors.
    /// </summary>
    public static AbleOptions ReadValidated(IConfiguration configuration, IEnumerable<IAbleOptionsSectionValidator> ownSections) =>
        new AbleOptionsFactory(configuration, new AbleOptionsValidator(ownSections)).Create(Options.DefaultName);

    /// <summary>Exit code when the configuration is not valid.</summary>
    public const int ConfigurationErrorExitCode = 2;

    /// <summary>Exit code when Kestrel cannot listen.</summary>
    public const int CannotListenExitCode = 3;

    /// <summary>Exit code when a background service (a worker loop, the capture writer) ended on an unexpected error (EX_SOFTWARE).</summary>
    public const int BackgroundServiceFailedExitCode = 70;

    /// <summary>
    /// Builds and runs a service; returns the process exit code: 0 after a requested stop, <see cref="ConfigurationErrorExitCode"/>
    /// for a configuration problem (printed plainly), <see cref="CannotListenExitCode"/> when a port is taken, and
    /// <see cref="BackgroundServiceFailedExitCode"/> when a background service failed and so stopped the host, so that
    /// systemd (<c>Restart=on-failure</c> or <c>always</c>), Kubernetes and compose restart it.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, Func<string[], WebApplication> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        WebApplication app;
        try
        {
            app = build(args);
        }
        catch (Exception error) when (error is OptionsValidationException or FileNotFoundException)
        {
            await Console.Error.WriteLineAsync(DescribeConfigurationError(error));
            return ConfigurationErrorExitCode;
        }

        try
        {
            // Taken now: RunAsync disposes the service provider when it returns.
            var backgroundServices = app.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
            await app.RunAsync();
            return await FailedBackgroundServicesExitCodeAsync(backgroundServices);
        }
        catch (OptionsValidationException error)
        {
            await Console.Error.WriteLineAsync(DescribeConfigurationError(error));
            return ConfigurationErrorExitCode;
        }
        catch (IOException error) when (error.InnerException is AddressInUseException || error.Message.Contains("bind", StringComparison.OrdinalIgnoreCase))
        {
            // Kestrel could not listen: say so plainly instead of an unhandled-exception dump.
            await Console.Error.WriteLineAsync(
                $"Cannot listen: {error.Message} Another process may hold the port; choose other PublicUrl/ManagementUrl settings.");
            return CannotListenExitCode;
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>
    /// 0 when every background service ended normally, else <see cref="BackgroundServiceFailedExitCode"/> after naming the
    /// failed ones on standard error (the host has logged each failure with its exception already).
    /// </summary>
    private static async Task<int> FailedBackgroundServicesExitCodeAsync(IEnumerable<BackgroundService> backgroundServices)
    {
        var failed = backgroundServices.Where(service => service.ExecuteTask is { IsFaulted: true }).ToList();
        foreach (var service in failed)
        {
            var error = service.ExecuteTask!.Exception!.GetBaseException();
            await Console.Error.WriteLineAsync(
                $"{service.GetType().Name} stopped on {error.GetType().Name}: {error.Message} (exit code {BackgroundServiceFailedExitCode}; restart the service).");
        }

        return failed.Count == 0 ? 0 : BackgroundServiceFailedExitCode;
    }

    public static string DescribeConfigurationError(Exception error) => error switch
    {
        OptionsValidationException validation =>
            "Configuration is not valid:" + string.Concat(validation.Failures.Select(f => $"{Environment.NewLine}  - {f}")),
        _ => $"Configuration is not valid: {error.Message}",
    };
}
