using Able.Hosting.Configuration;
using Able.Schema.Configuration;
using Able.Tests.Configuration;

namespace Able.Tests.Tls;

public sealed class TlsOptionsValidationTests
{
    private static List<string> Failures(GatewayTlsOptions tls, FunnelHttpsOptions? https = null)
    {
        var options = new AbleOptions
        {
            Gateway = new GatewayOptions { Tls = tls },
            Funnels = [new FunnelOptions { Mark = "acme", Hosts = ["acme.test"], Origin = "http://127.0.0.1:9000", Https = https ?? new() }],
        };
        var result = new AbleOptionsValidator(ServiceSections.Gateway).Validate(null, options);
        return result.Failures?.ToList() ?? [];
    }

    [Fact]
    public void Off_by_default_and_the_defaults_are_valid_when_turned_on()
    {
        Assert.Empty(Failures(new GatewayTlsOptions()));
        Assert.Empty(Failures(new GatewayTlsOptions { Enabled = true }));
    }

    [Theory]
    [InlineData("http://0.0.0.0:8443", "Able:Gateway:Tls:Url must be an https URL with no path, such as https://0.0.0.0:8443 (got 'http://0.0.0.0:8443')")]
    [InlineData("https://0.0.0.0:8443/tls", "Able:Gateway:Tls:Url must be an https URL with no path, such as https://0.0.0.0:8443 (got 'https://0.0.0.0:8443/tls')")]
    [InlineData("https://0.0.0.0:8080", "Able:Gateway:Tls:Url must use a port of its own, not PublicUrl's or ManagementUrl's")]
    [InlineData("https://127.0.0.1:9080", "Able:Gateway:Tls:Url must use a port of its own, not PublicUrl's or ManagementUrl's")]
    public void A_bad_listener_URL_is_named(string url, string message) =>
        Assert.Contains(message, Failures(new GatewayTlsOptions { Enabled = true, Url = url }));

    [Fact]
    public void Directories_reload_check_redirect_port_CA_and_HSTS_are_checked()
    {
        var failures = Failures(
            new GatewayTlsOptions
            {
                Enabled = true, CertificateDirectory = " ", AcmeWebroot = "", ReloadCheckSeconds = 0, RedirectPort = 70000,
                Acme = new AcmeOptions { Directory = "letsencrypt" },
            },
            new FunnelHttpsOptions { HstsMaxAgeSeconds = -1 });
        Assert.Contains("Able:Gateway:Tls:CertificateDirectory must name a directory when Able:Gateway:Tls:Enabled is true", failures);
        Assert.Contains("Able:Gateway:Tls:AcmeWebroot must name a directory when Able:Gateway:Tls:Enabled is true", failures);
        Assert.Contains("Able:Gateway:Tls:ReloadCheckSeconds must be between 1 and 3600", failures);
        Assert.Contains("Able:Gateway:Tls:RedirectPort must be between 1 and 65535", failures);
        Assert.Contains("Able:Gateway:Tls:Acme:Directory must be an absolute http or https URL (got 'letsencrypt')", failures);
        Assert.Contains("Able:Funnels:0:Https:HstsMaxAgeSeconds must be between 0 and 63072000", failures);
    }
}
