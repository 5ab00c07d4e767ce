using Able.Schema.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Hosting.Configuration;

/// <summary>
/// Builds <see cref="AbleOptions"/> from configuration, for the start-up read and for each reload: each top-level
/// section is bound on its own, strictly (a key that names no setting, a value of the wrong type) if this service
/// owns it, leniently otherwise (a section that does not bind keeps its defaults: this service does not read it).
/// A top-level key under <c>Able</c> that names no section is an error for every service. Then
/// <see cref="AbleOptionsValidator"/> runs; any problem throws <see cref="OptionsValidationException"/> listing all of them.
/// </summary>
public sealed class AbleOptionsFactory(IConfiguration configuration, AbleOptionsValidator validator) : IOptionsFactory<AbleOptions>
{
    private static readonly string[] TopLevelKeys =
    [
        nameof(AbleOptions.Redis), nameof(AbleOptions.Gateway), nameof(AbleOptions.Attribution),
        nameof(AbleOptions.Worker), nameof(AbleOptions.Admin), nameof(AbleOptions.Funnels),
    ];

    public AbleOptions Create(string name)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(validator);
        var able = configuration.GetSection(AbleOptions.SectionName);
        var errors = new List<string>();
        foreach (var child in able.GetChildren())
        {
            if (!TopLevelKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{child.Path} names no setting (a typo?); the {AbleOptions.SectionName} section has {string.Join(", ", TopLevelKeys)}");
            }
        }

        var options = new AbleOptions
        {
            Redis = BindSection<RedisOptions>(able, nameof(AbleOptions.Redis), errors),
            Gateway = BindSection<GatewayOptions>(able, nameof(AbleOptions.Gateway), errors),
            Attribution = BindSection<AttributionOptions>(able, nameof(AbleOptions.Attribution), errors),
            Worker = BindSection<WorkerOptions>(able, nameof(AbleOptions.Worker), errors),
            Admin = BindSection<AdminOptions>(able, nameof(AbleOptions.Admin), errors),
            Funnels = BindFunnels(able.GetSection(nameof(AbleOptions.Funnels)), errors),
        };

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(name, typeof(AbleOptions), errors);
        }

        var result = validator.Validate(name, options);
        return result.Failed
            ? throw new OptionsValidationException(name, typeof(AbleOptions), result.Failures)
            : options;
    }

    private T BindSection<T>(IConfigurationSection able, string key, List<string> errors)
        where T : new()
    {
        var section = able.GetSection(key);
        if (validator.Owns(key))
        {
            return Bind<T>(section, errors) ?? new T();
        }

        try
        {
            return section.Get<T>() ?? new T();
        }
        catch (InvalidOperationException)
        {
            // Another service's section that does not bind (a value of the wrong type): that service reports it.
            return new T();
        }
    }

    /// <summary>
    /// Each funnel on its own: the binder silently skips a collection element that fails to bind, which would
    /// drop a whole funnel over one bad value; this names the problem instead.
    /// </summary>
    private static FunnelOptions[] BindFunnels(IConfigurationSection funnels, List<string> errors)
    {
        var bound = new List<FunnelOptions>();
        foreach (var funnel in funnels.GetChildren())
        {
            if (Bind<FunnelOptions>(funnel, errors) is { } options)
            {
                bound.Add(options);
            }
        }

        return [.. bound];
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
}
