using System.Text.Json.Nodes;
using Able.Gateway.Acme;

namespace Able.FunctionalTests.Tls;

/// <summary>
/// The folders and configuration one <c>./able certs</c> run against Pebble needs: a certificate directory (certbot's
/// --config-dir), an ACME webroot, certbot's work and logs folders, all in one temp folder removed on dispose.
/// </summary>
internal sealed class AcmeScenario : IDisposable
{
    /// <summary>A name under a TLD reserved for testing (RFC 2606); Pebble issues for it, challtestsrv resolves it to 127.0.0.1.</summary>
    public const string Host = "shop.able-e2e.test";

    private AcmeScenario(TestConfig config)
    {
        Config = config;
        Folder = Directory.CreateTempSubdirectory("able-acme-").FullName;
    }

    public TestConfig Config { get; }

    public string Folder { get; }

    public string CertificateDirectory => Path.Combine(Folder, "certificates");

    public string AcmeWebroot => Path.Combine(Folder, "acme-webroot");

    public string Mark => (string)Config.Funnel["Mark"]!;

    public string Fullchain => Path.Combine(CertificateDirectory, "live", Mark, "fullchain.pem");

    /// <summary>
    /// A config whose first funnel has <paramref name="hosts"/>, whose gateway has TLS on (HTTPS on a free port) and whose
    /// ACME CA is <paramref name="pebble"/>.
    /// </summary>
    public static AcmeScenario Create(TestConfig config, PebbleServer pebble, params string[] hosts)
    {
        var scenario = new AcmeScenario(config);
        config.Funnel["Hosts"] = new JsonArray(hosts.Select(host => (JsonNode)host).ToArray());
        config.Able["Gateway"]!["Tls"] = new JsonObject
        {
            ["Enabled"] = true,
            ["Url"] = $"https://127.0.0.1:{FreePort.Next()}",
            ["CertificateDirectory"] = scenario.CertificateDirectory,
            ["AcmeWebroot"] = scenario.AcmeWebroot,
            ["ReloadCheckSeconds"] = 1,
            ["Acme"] = new JsonObject { ["Directory"] = pebble.DirectoryUrl },
        };
        config.Write();
        return scenario;
    }

    /// <summary>The plain-HTTP port of a config's gateway (where Pebble must find the challenges).</summary>
    public static int GatewayHttpPort(TestConfig config) => new Uri((string)config.Able["Gateway"]!["PublicUrl"]!).Port;

    /// <summary>How the test runs certbot: trusting Pebble's endpoint, with its work and logs in this scenario's folder.</summary>
    public CertbotRunSettings Settings(PebbleServer pebble) => new()
    {
        Environment = pebble.CertbotEnvironment,
        Directories = new CertbotDirectories(Path.Combine(Folder, "certbot-work"), Path.Combine(Folder, "certbot-logs")),
    };

    /// <summary><c>./able certs --config &lt;this config&gt;</c>, in process; certbot is a real child process.</summary>
    public async Task<(int ExitCode, string Output)> RunCertsAsync(PebbleServer pebble, params string[] extraArguments)
    {
        using var output = new StringWriter();
        var exitCode = await CertbotCommand.RunAsync(["--config", Config.FilePath, .. extraArguments], output, output, Settings(pebble));
        return (exitCode, output.ToString());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Left in the temp folder.
        }
    }
}
