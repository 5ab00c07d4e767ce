using Able.Hosting.Configuration;
using Able.Hosting.Management;
using Able.Hosting.Redis;
using Able.Schema.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Able.Hosting;

/// <summary>What both services share at start-up: configuration sources, validated options, Redis, ports.</summary>
public static class AbleHost
{
    /// <summary>
    /// A builder with the Able configuration sources, <see cref="AbleOptions"/> bound and validated now
    /// (so a bad value stops the service before it listens), one Redis multiplexer, and Kestrel listening
    /// on the service's public and management URLs.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args, Func<AbleOptions, IServiceEndpoints> endpointsOf)
    {
        ArgumentNullException.ThrowIfNull(endpointsOf);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        builder.Configuration.UseAbleSources(args);

        var options = ReadValidated(builder.Configuration);
        var endpoints = endpointsOf(options);
        builder.WebHost.UseUrls(endpoints.PublicUrl, endpoints.ManagementUrl);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        builder.Services.AddSingleton<IValidateOptions<AbleOptions>, AbleOptionsValidator>();
        builder.Services.AddOptions<AbleOptions>().BindConfiguration(AbleOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IOptionsMonitor<AbleOptions>, LastValidOptionsMonitor>();
        builder.Services.AddAbleRedis();
        builder.Services.AddManagementEndpoints(new Uri(endpoints.ManagementUrl).Port);
        return builder;
    }

    /// <summary>
    /// Binds and validates the Able section, throwing <see cref="OptionsValidationException"/> with every problem.
    /// Binding is strict: a key that names no setting (a typo) and a value of the wrong type are errors.
    /// </summary>
    public static AbleOptions ReadValidated(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(AbleOptions.SectionName);
        var bindingErrors = new List<string>();
        var options = Bind<AbleOptions>(section, bindingErrors) ?? new AbleOptions();

        // The binder silently skips a collection element that fails to bind, which would drop a whole
        // funnel over one bad value; bind each funnel on its own to name the problem instead.
        var funnelSections = section.GetSection(nameof(AbleOptions.Funnels)).GetChildren().ToList();
        if (funnelSections.Count != options.Funnels.Length)
        {
            foreach (var funnel in funnelSections)
            {
                Bind<FunnelOptions>(funnel, bindingErrors);
            }
        }

        if (bindingErrors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(AbleOptions), bindingErrors);
        }

        var result = new AbleOptionsValidator().Validate(Options.DefaultName, options);
        return result.Failed
            ? throw new OptionsValidationException(Options.DefaultName, typeof(AbleOptions), result.Failures)
            : options;
    }

    private static T? Bind<T>(IConfigurationSection section, List<string> errors)
    {
        try
        {
            return section.Get<T>(binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException bindingError)
        {
            // The binder's message names the key and the type ("Failed to convert configuration value at 'Able:...'")
            // or the unknown setting; say which section it is about.
            errors.Add($"{section.Path}: {bindingError.Message}");
            return default;
        }
    }

    /// <summary>Builds and runs a service; a configuration problem is printed plainly and exits with code 2.</summary>
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
            return 2;
        }

        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (OptionsValidationException error)
        {
            await Console.Error.WriteLineAsync(DescribeConfigurationError(error));
            return 2;
        }
        catch (IOException error) when (error.InnerException is AddressInUseException || error.Message.Contains("bind", StringComparison.OrdinalIgnoreCase))
        {
            // Kestrel could not listen: say so plainly instead of an unhandled-exception dump.
            await Console.Error.WriteLineAsync(
                $"Cannot listen: {error.Message} Another process may hold the port; choose other PublicUrl/ManagementUrl settings.");
            return 3;
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    public static string DescribeConfigurationError(Exception error) => error switch
    {
        OptionsValidationException validation =>
            "Configuration is not valid:" + string.Concat(validation.Failures.Select(f => $"{Environment.NewLine}  - {f}")),
        _ => $"Configuration is not valid: {error.Message}",
    };
}
