using Able.Hosting.Configuration;
using Able.Schema.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Able.Tests.Configuration;

/// <summary><see cref="AbleOptionsServiceCollectionExtensions.AddAbleOptions"/>: what both services and the test hosts register.</summary>
public sealed class AbleOptionsRegistrationTests
{
    private sealed class CountingValidator : IAbleOptionsSectionValidator
    {
        public int Calls { get; private set; }

        public string Section => nameof(AbleOptions.Worker);

        public void Validate(AbleOptions options, ICollection<string> errors) => Calls++;
    }

    private static (ServiceProvider Provider, IConfigurationRoot Configuration, AbleOptions AtStart) Register(CountingValidator counting)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Able:Funnels:0:Mark"] = "acme",
            ["Able:Funnels:0:Hosts:0"] = "book.acme.example",
            ["Able:Funnels:0:Origin"] = "https://origin.acme.example",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IMetricFactory>(Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()));
        var atStart = services.AddAbleOptions(configuration, [counting]);
        return (services.BuildServiceProvider(), configuration, atStart);
    }

    [Fact]
    public void The_start_up_value_is_validated_exactly_once()
    {
        var counting = new CountingValidator();
        var (provider, _, atStart) = Register(counting);
        using (provider)
        {
            var monitor = provider.GetRequiredService<IOptionsMonitor<AbleOptions>>();
            Assert.IsType<LastValidOptionsMonitor>(monitor);
            Assert.Same(atStart, monitor.CurrentValue);
            Assert.Same(atStart, monitor.Get(Options.DefaultName));
            Assert.Same(atStart, provider.GetRequiredService<IOptions<AbleOptions>>().Value);
            Assert.Equal(1, counting.Calls);
        }
    }

    [Fact]
    public void A_change_is_validated_and_a_bad_one_leaves_the_last_valid_in_force()
    {
        var counting = new CountingValidator();
        var (provider, configuration, atStart) = Register(counting);
        using (provider)
        {
            var monitor = provider.GetRequiredService<IOptionsMonitor<AbleOptions>>();
            Assert.Same(atStart, monitor.CurrentValue);

            configuration["Able:Funnels:0:RetentionDays"] = "30";
            configuration.Reload();
            Assert.Equal(30, monitor.CurrentValue.Funnels[0].RetentionDays);
            Assert.True(counting.Calls > 1, "a change is validated");

            configuration["Able:Funnels:0:Origin"] = "not a url";
            // The framework's own monitor listener throws the refusal back at whoever raised the change (here this
            // test; in a service the file watcher's thread); the monitor keeps serving the last valid value.
            Assert.NotNull(Record.Exception(configuration.Reload));
            Assert.Equal("https://origin.acme.example", monitor.CurrentValue.Funnels[0].Origin);
            Assert.Equal(30, monitor.CurrentValue.Funnels[0].RetentionDays);
        }
    }

    [Fact]
    public void A_bad_start_up_value_throws_at_registration_with_every_problem()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Able:Redis:KeyPrefix"] = "",
        }).Build();
        var error = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddAbleOptions(configuration, []));
        Assert.Contains("Able:Funnels must list at least one funnel", error.Failures);
        Assert.Contains(error.Failures, f => f.StartsWith("Able:Redis:KeyPrefix", StringComparison.Ordinal));
    }
}
