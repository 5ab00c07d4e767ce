using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Able.FunctionalTests.Tls;

/// <summary>
/// <c>./able certs</c> (the gateway's <c>certs</c> command) against a real ACME CA (Pebble) with real certbot and real HTTP-01
/// validation, the challenges served from the webroot by a small loopback server standing in for the gateway. This tests
/// certbot, Pebble and our command together, not the gateway (AcmeEndToEndTests does).
/// </summary>
public sealed class AcmeCertbotCommandTests
{
    [CommandFact("pebble", "pebble-challtestsrv", "certbot")]
    public async Task Certs_obtains_a_certificate_from_Pebble_by_HTTP01_keeps_tests_and_renews_it_and_reports_a_failing_funnel_with_the_CAs_reason()
    {
        const string broken = "broken.able-e2e.test";
        var challenges = new ConcurrentQueue<(string Host, string Token, int Status)>();
        string? webroot = null;
        await using var webrootServer = await LoopbackServer.StartAsync(app => app.MapGet("/.well-known/acme-challenge/{token}",
            (HttpContext context, string token) =>
            {
                var file = Path.Combine(webroot!, ".well-known", "acme-challenge", token);
                var host = context.Request.Host.Host;
                var found = host != broken && !token.Contains('/', StringComparison.Ordinal) && File.Exists(file);
                challenges.Enqueue((host, token, found ? 200 : 404));
                return found ? Results.Text(File.ReadAllText(file), "text/plain") : Results.NotFound();
            }));
        await using var pebble = await PebbleServer.StartAsync(new Uri(webrootServer.Url).Port);
        using var config = TestConfig.Create("127.0.0.1:9");
        // A second funnel whose host the "gateway" refuses to answer for: its certificate must fail with Pebble's reason.
        var second = config.Funnel.DeepClone().AsObject();
        second["Mark"] = "broken";
        second["Hosts"] = new JsonArray(broken);
        config.Able["Funnels"]!.AsArray().Add(second);
        using var scenario = AcmeScenario.Create(config, pebble, AcmeScenario.Host, $"{AcmeScenario.Host}:8080", "localhost", "127.0.0.1");
        webroot = scenario.AcmeWebroot;

        var (exitCode, output) = await scenario.RunCertsAsync(pebble);

        var context = $"{output}{Environment.NewLine}{pebble.Log}";
        Assert.True(exitCode == 1, $"exit code {exitCode} (one funnel fails):{Environment.NewLine}{context}");
        Assert.Contains("funnel acme: skipped host localhost: localhost", output, StringComparison.Ordinal);
        Assert.Contains("funnel acme: skipped host 127.0.0.1: an IP address", output, StringComparison.Ordinal);
        Assert.Contains($"funnel acme: obtained a certificate for {AcmeScenario.Host} (", output, StringComparison.Ordinal);
        Assert.Contains($"funnel broken: FAILED for {broken}: {broken}: ", output, StringComparison.Ordinal);
        Assert.Contains("404", output, StringComparison.Ordinal);

        // Real validation: Pebble fetched the token certbot wrote into the webroot, over HTTP, by the host name.
        Assert.Contains(challenges, c => c.Host == AcmeScenario.Host && c.Status == 200);
        Assert.Contains(challenges, c => c.Host == broken && c.Status == 404);
        Assert.True(pebble.ValidatedByHttp01(AcmeScenario.Host), context);
        Assert.False(pebble.ValidatedByHttp01(broken), context);

        Assert.True(File.Exists(scenario.Fullchain), context);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(scenario.Fullchain);
        using var leaf = chain[0];
        Assert.Equal(pebble.Intermediate.Subject, leaf.Issuer);
        Assert.True(TestCertificateAuthority.ChainsTo(leaf, pebble.IssuingRoot, chain.Count > 1 ? chain[1] : null), "the chain verifies up to Pebble's root");
        Assert.Equal([AcmeScenario.Host], DnsNames(leaf));
        Assert.True(File.Exists(Path.Combine(scenario.CertificateDirectory, "live", scenario.Mark, "privkey.pem")));

        // Again: certbot keeps a certificate that is not due, and says so.
        var before = await File.ReadAllBytesAsync(scenario.Fullchain);
        var (againExitCode, again) = await scenario.RunCertsAsync(pebble);
        Assert.True(againExitCode == 1, again);
        Assert.Contains($"funnel acme: kept the certificate for {AcmeScenario.Host}, not yet due for renewal", again, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(scenario.Fullchain));

        // certbot's own --dry-run (after --) validates again and saves nothing; --force-renewal replaces the certificate.
        var (testedExitCode, tested) = await scenario.RunCertsAsync(pebble, "--", "--dry-run");
        Assert.True(testedExitCode == 1, tested);
        Assert.Contains($"funnel acme: tested {AcmeScenario.Host}: certbot's own --dry-run", tested, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(scenario.Fullchain));

        var (renewedExitCode, renewed) = await scenario.RunCertsAsync(pebble, "--force-renewal");
        Assert.True(renewedExitCode == 1, renewed);
        Assert.Contains($"funnel acme: renewed the certificate for {AcmeScenario.Host} (", renewed, StringComparison.Ordinal);
        Assert.NotEqual(before, await File.ReadAllBytesAsync(scenario.Fullchain));
    }

    [CommandFact("pebble", "pebble-challtestsrv", "certbot")]
    public async Task Certs_dry_run_prints_the_certbot_command_and_runs_nothing()
    {
        await using var pebble = await PebbleServer.StartAsync(FreePort.Next());
        using var config = TestConfig.Create("127.0.0.1:9");
        using var scenario = AcmeScenario.Create(config, pebble, AcmeScenario.Host);

        var (exitCode, output) = await scenario.RunCertsAsync(pebble, "--dry-run");

        Assert.Equal(0, exitCode);
        Assert.Contains($"funnel acme: would run: certbot certonly --webroot -w {scenario.AcmeWebroot} --config-dir {scenario.CertificateDirectory}", output, StringComparison.Ordinal);
        Assert.Contains($"--server {pebble.DirectoryUrl} ", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(scenario.CertificateDirectory));
    }

    internal static List<string> DnsNames(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(san => san.EnumerateDnsNames()).ToList();
}
