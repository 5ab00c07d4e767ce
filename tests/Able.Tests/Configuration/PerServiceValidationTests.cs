using Able.Attribution.Service;
using Able.Gateway;
using Able.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Tests.Configuration;

/// <summary>
/// Each service validates its own settings: a bad worker value stops the attribution service, not the gateway,
/// and a bad gateway value stops the gateway, not the attribution service. Shared sections stop both.
/// </summary>
public sealed class PerServiceValidationTests
{
    private static Dictionary<string, string?> ValidSettings() => new()
    {
        ["Able:Redis:Configuration"] = "localhost:6379",
        ["Able:Funnels:0:Mark"] = "acme",
        ["Able:Funnels:0:Hosts:0"] = "book.acme.example",
        ["Able:Funnels:0:Origin"] = "https://origin.acme.example",
    };

    private static IReadOnlyList<string> Failures(IReadOnlyList<Able.Schema.Configuration.IAbleOptionsSectionValidator> sections, string key, string value)
    {
        var settings = ValidSettings();
        settings[key] = value;
        try
        {
            AbleHost.ReadValidated(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), sections);
            return [];
        }
        catch (OptionsValidationException error)
        {
            return [.. error.Failures];
        }
    }

    /// <summary>
    /// Whether a failure names the key: validation messages start with it; the binder's name the top-level section
    /// and the setting (<c>Able:Gateway: ... CaptureOptions: 'QueueCapactiy'</c>).
    /// </summary>
    private static bool Names(string failure, string key)
    {
        var parts = key.Split(':');
        return failure.Contains(key, StringComparison.Ordinal)
            || (failure.StartsWith($"{parts[0]}:{parts[1]}", StringComparison.Ordinal) && failure.Contains($"'{parts[^1]}'", StringComparison.Ordinal));
    }

    public static TheoryData<string, string> WorkerValues => new()
    {
        { "Able:Worker:BatchSize", "5000" },        // out of range
        { "Able:Worker:BatchSize", "abc" },         // the wrong type: fails binding
        { "Able:Worker:BatchSzie", "100" },         // names no setting: a typo
        { "Able:Worker:Enabled", "maybe" },
    };

    [Theory]
    [MemberData(nameof(WorkerValues))]
    public void A_bad_worker_value_stops_the_attribution_service_but_not_the_gateway(string key, string value)
    {
        Assert.Empty(Failures(ServiceSections.Gateway, key, value));
        Assert.Contains(Failures(ServiceSections.Attribution, key, value), f => Names(f, key));
    }

    public static TheoryData<string, string> GatewayValues => new()
    {
        { "Able:Gateway:Capture:QueueCapacity", "0" },
        { "Able:Gateway:Capture:QueueCapacity", "abc" },
        { "Able:Gateway:Capture:QueueCapactiy", "100" },
        { "Able:Gateway:PublicUrl", "not a url" },
    };

    [Theory]
    [MemberData(nameof(GatewayValues))]
    public void A_bad_gateway_value_stops_the_gateway_but_not_the_attribution_service(string key, string value)
    {
        Assert.Empty(Failures(ServiceSections.Attribution, key, value));
        Assert.Contains(Failures(ServiceSections.Gateway, key, value), f => Names(f, key));
    }

    [Theory]
    [InlineData("Able:Attribution:Ingress:MaxBodyBytes", "abc")]
    [InlineData("Able:Attribution:Ingress:MaxBodyBytes", "1")]
    public void A_bad_ingress_value_stops_the_attribution_service_but_not_the_gateway(string key, string value)
    {
        Assert.Empty(Failures(ServiceSections.Gateway, key, value));
        Assert.Contains(Failures(ServiceSections.Attribution, key, value), f => Names(f, key));
    }

    [Theory]
    [InlineData("Able:Redis:ReadyTimeoutMilliseconds", "abc")]
    [InlineData("Able:Redis:ReadyTimeoutMilliseconds", "1")]
    [InlineData("Able:Funnels:0:RetentionDays", "ninety")]
    [InlineData("Able:Wroker:BatchSize", "100")]
    public void A_bad_shared_value_or_an_unknown_section_stops_both(string key, string value)
    {
        var named = key == "Able:Wroker:BatchSize" ? "Able:Wroker" : key;
        Assert.Contains(Failures(ServiceSections.Gateway, key, value), f => f.Contains(named, StringComparison.Ordinal));
        Assert.Contains(Failures(ServiceSections.Attribution, key, value), f => f.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public void A_section_another_service_owns_keeps_its_defaults_when_it_does_not_bind()
    {
        var settings = ValidSettings();
        settings["Able:Worker:BatchSize"] = "abc";
        var options = AbleHost.ReadValidated(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), ServiceSections.Gateway);
        Assert.Equal(new Able.Schema.Configuration.WorkerOptions(), options.Worker);
    }

    [Fact]
    public async Task Each_service_refuses_to_build_only_over_its_own_sections()
    {
        var file = Path.Combine(Path.GetTempPath(), $"able-config-{Guid.NewGuid():N}.json");
        File.Copy(Path.Combine(RepositoryRoot.Path, "config", "able.json"), file);
        try
        {
            var badWorker = new[] { "--config", file, "--Able:Worker:BatchSize=abc" };
            await GatewayApp.Build(badWorker).DisposeAsync();
            var error = Assert.Throws<OptionsValidationException>(() => AttributionApp.Build(badWorker));
            Assert.Contains("Able:Worker:BatchSize", AbleHost.DescribeConfigurationError(error), StringComparison.Ordinal);

            var badGateway = new[] { "--config", file, "--Able:Gateway:RateLimit:WindowSeconds=0" };
            await AttributionApp.Build(badGateway).DisposeAsync();
            error = Assert.Throws<OptionsValidationException>(() => GatewayApp.Build(badGateway));
            Assert.Contains("Able:Gateway:RateLimit:WindowSeconds must be between 1 and 86400", error.Failures);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
