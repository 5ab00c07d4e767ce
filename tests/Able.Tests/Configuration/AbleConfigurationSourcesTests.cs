using Able.Gateway;
using Able.Hosting;
using Able.Hosting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Tests.Configuration;

public sealed class AbleConfigurationSourcesTests : IDisposable
{
    private readonly string file = Path.Combine(Path.GetTempPath(), $"able-config-{Guid.NewGuid():N}.json");

    public AbleConfigurationSourcesTests() => File.Copy(Path.Combine(RepositoryRoot.Path, "config", "able.json"), file);

    public void Dispose() => File.Delete(file);

    [Fact]
    public void The_environment_overrides_the_file_and_the_command_line_overrides_both()
    {
        // A variable name that no other test in this assembly reads.
        const string variable = "Able__Funnels__0__Calendly__CarrierParam";
        Environment.SetEnvironmentVariable(variable, "utm_term");
        try
        {
            var fromEnvironment = new ConfigurationManager();
            fromEnvironment.UseAbleSources(["--config", file]);
            Assert.Equal("utm_term", AbleHost.ReadValidated(fromEnvironment, ServiceSections.Both).Funnels[0].Calendly.CarrierParam);
            Assert.Equal("localhost:6379", fromEnvironment["Able:Redis:Configuration"]);

            var fromArguments = new ConfigurationManager();
            fromArguments.UseAbleSources(["--config", file, "--Able:Funnels:0:Calendly:CarrierParam=utm_content"]);
            Assert.Equal("utm_content", AbleHost.ReadValidated(fromArguments, ServiceSections.Both).Funnels[0].Calendly.CarrierParam);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void A_missing_config_file_names_the_path_and_how_to_choose_one()
    {
        var missing = Path.Combine(Path.GetTempPath(), "does-not-exist", "able.json");
        var error = Assert.Throws<FileNotFoundException>(() => AbleConfiguration.ResolvePath(["--config", missing]));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains(AbleConfiguration.PathVariable, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_service_with_bad_configuration_refuses_to_start_with_the_key_named()
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            GatewayApp.Build(["--config", file, "--Able:Funnels:0:Hosts:0=", "--Able:Funnels:0:Hosts:1="]));
        var message = AbleHost.DescribeConfigurationError(error);
        Assert.Contains("Configuration is not valid:", message, StringComparison.Ordinal);
        Assert.Contains("Able:Funnels:0:Hosts:0 must be a host name", message, StringComparison.Ordinal);
    }
}
