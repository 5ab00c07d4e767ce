using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Able.FunctionalTests.Tls;

/// <summary>
/// The HTTPS edge end to end: the gateway runs with its HTTPS listener and no certificate yet; <c>./able certs</c> (the gateway's
/// <c>certs</c> command, in process) runs real certbot against Pebble, which validates HTTP-01 for real by fetching the token
/// from the gateway's plain-HTTP port (challtestsrv resolves the name to 127.0.0.1); then, without a restart, a new TLS
/// connection with that SNI gets the certificate Pebble issued.
/// </summary>
public sealed class AcmeEndToEndTests
{
    [CommandFact("pebble", "pebble-challtestsrv", "certbot")]
    public async Task Certs_gets_a_certificate_through_the_gateways_webroot_and_the_running_gateway_serves_it_by_SNI()
    {
        await using var origin = await LoopbackServer.StartAsync(app => app.MapGet("/", () => Results.Text("hello from the origin")));
        var redis = await RedisTestServer.GetAsync();
        using var config = TestConfig.Create(redis.ConnectionString, origin.Url);
        var httpPort = AcmeScenario.GatewayHttpPort(config);
        await using var pebble = await PebbleServer.StartAsync(httpPort);
        using var scenario = AcmeScenario.Create(config, pebble, AcmeScenario.Host, "localhost");
        var httpsPort = new Uri((string)config.Able["Gateway"]!["Tls"]!["Url"]!).Port;
        await using var gateway = await RunningService.StartGatewayAsync(config);

        // The gateway serves the webroot's challenge files on its plain-HTTP port, for a funnel host.
        var probe = Path.Combine(scenario.AcmeWebroot, ".well-known", "acme-challenge", "probe-token");
        Directory.CreateDirectory(Path.GetDirectoryName(probe)!);
        await File.WriteAllTextAsync(probe, "probe-token.key-authorization");
        using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{httpPort}/.well-known/acme-challenge/probe-token")))
        {
            request.Headers.Host = AcmeScenario.Host;
            using var response = await gateway.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("probe-token.key-authorization", await response.Content.ReadAsStringAsync());
        }

        File.Delete(probe);

        var (exitCode, output) = await scenario.RunCertsAsync(pebble);

        var context = $"{output}{Environment.NewLine}{pebble.Log}";
        Assert.True(exitCode == 0, $"./able certs exited with {exitCode}:{Environment.NewLine}{context}");
        Assert.Contains($"funnel acme: obtained a certificate for {AcmeScenario.Host} (", output, StringComparison.Ordinal);
        Assert.Contains("funnel acme: skipped host localhost", output, StringComparison.Ordinal);
        Assert.True(pebble.ValidatedByHttp01(AcmeScenario.Host), $"Pebble validated HTTP-01 against the gateway:{Environment.NewLine}{context}");
        Assert.True(File.Exists(scenario.Fullchain), context);

        // No restart: the gateway's reload check (1 s) picks the new files up; each attempt is a new connection.
        Presented? presented = null;
        string lastProblem = "no attempt";
        var served = await Eventually.TrueAsync(async () =>
        {
            (presented, lastProblem) = await HandshakeAsync(httpsPort, AcmeScenario.Host, pebble);
            return presented is { ChainsToPebbleRoot: true };
        }, TimeSpan.FromSeconds(30));

        Assert.True(served, $"the gateway did not present Pebble's certificate for {AcmeScenario.Host} within 30 s: {lastProblem}");
        Assert.Equal(pebble.Intermediate.Subject, presented!.Issuer);
        Assert.Contains(AcmeScenario.Host, presented.DnsNames);
        Assert.True(presented.IntermediateSent, "the gateway sends the intermediate (fullchain.pem), not the leaf alone");
        Assert.Equal(HttpStatusCode.OK, presented.Status);
        Assert.Equal("hello from the origin", presented.Body);
    }

    private sealed record Presented(string Issuer, List<string> DnsNames, bool ChainsToPebbleRoot, bool IntermediateSent, HttpStatusCode Status, string Body);

    /// <summary>
    /// GET https://<paramref name="host"/>:<paramref name="port"/>/ over a new connection to 127.0.0.1 (SNI = the host), trusting
    /// only Pebble's root and only what the server sent besides its leaf. Returns what was presented, or the problem.
    /// </summary>
    private static async Task<(Presented?, string)> HandshakeAsync(int port, string host, PebbleServer pebble)
    {
        X509Certificate2? leaf = null;
        var chainsToRoot = false;
        var intermediateSent = false;
        using var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    leaf = new X509Certificate2(certificate);
                    using var verify = new X509Chain();
                    verify.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    verify.ChainPolicy.CustomTrustStore.Add(pebble.IssuingRoot);
                    verify.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    verify.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1"));
                    if (chain is not null)
                    {
                        verify.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
                        intermediateSent = chain.ChainPolicy.ExtraStore.Any(c => c.Thumbprint == pebble.Intermediate.Thumbprint);
                    }

                    // Without the intermediate from the server the chain cannot be built: check the rest with Pebble's copy.
                    chainsToRoot = intermediateSent
                        ? verify.Build(leaf)
                        : TestCertificateAuthority.ChainsTo(leaf, pebble.IssuingRoot, pebble.Intermediate);
                    return chainsToRoot && AcmeCertbotCommandTests.DnsNames(leaf).Contains(host, StringComparer.OrdinalIgnoreCase);
                },
            },
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await client.GetAsync(new Uri($"https://{host}:{port}/"));
            var body = await response.Content.ReadAsStringAsync();
            return (new Presented(leaf!.Issuer, AcmeCertbotCommandTests.DnsNames(leaf), chainsToRoot, intermediateSent, response.StatusCode, body), "");
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException or IOException)
        {
            var seen = leaf is null ? "no certificate" : $"certificate {leaf.Subject} from {leaf.Issuer}";
            return (null, $"{error.GetType().Name}: {error.GetBaseException().Message} ({seen})");
        }
    }
}
