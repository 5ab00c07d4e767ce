using Able.Schema.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Able.Hosting.Configuration;

public static class AbleOptionsServiceCollectionExtensions
{
    /// <summary>
    /// Reads and validates <see cref="AbleOptions"/> now, as this service sees it (the shared sections and
    /// <paramref name="ownSections"/>), throwing <see cref="OptionsValidationException"/> with every problem, so a
    /// bad value stops the service before it listens; then registers them: <see cref="IOptionsMonitor{TOptions}"/> is
    /// <see cref="LastValidOptionsMonitor"/>, seeded with the value validated here (validated once at start; the
    /// factory runs again only when the configuration changes), and <see cref="IOptions{TOptions}"/> is its current value.
    /// Both services (<see cref="AbleHost.CreateBuilder"/>) and the test hosts register options through this.
    /// </summary>
    /// <returns>The options the service starts with.</returns>
    public static AbleOptions AddAbleOptions(
        this IServiceCollection services, IConfiguration configuration, IEnumerable<IAbleOptionsSectionValidator> ownSections)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var validator = new AbleOptionsValidator(ownSections);
        var factory = new AbleOptionsFactory(configuration, validator);
        var atStart = factory.Create(Options.DefaultName);

        var cache = new OptionsCache<AbleOptions>();
        cache.TryAdd(Options.DefaultName, atStart);
        services.AddOptions();
        services.AddSingleton(validator);
        services.AddSingleton<IOptionsFactory<AbleOptions>>(factory);
        services.AddSingleton<IOptionsMonitorCache<AbleOptions>>(cache);
        services.AddSingleton<IOptionsChangeTokenSource<AbleOptions>>(
            new ConfigurationChangeTokenSource<AbleOptions>(Options.DefaultName, configuration.GetSection(AbleOptions.SectionName)));
        services.AddSingleton<IOptionsMonitor<AbleOptions>, LastValidOptionsMonitor>();
        services.AddSingleton<IOptions<AbleOptions>>(provider =>
            Options.Create(provider.GetRequiredService<IOptionsMonitor<AbleOptions>>().CurrentValue));
        return atStart;
    }
}
