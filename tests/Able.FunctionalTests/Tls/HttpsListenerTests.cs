using System.Net;
using System.Security.Authentication;
using System.Text.Json.Nodes;

namespace Able.FunctionalTests.Tls;

/// <summary>
/// The gateway's HTTPS listener against a real TLS client: SNI picks each funnel host's certificate (flat files, certbot's
/// layout, a wildcard), unknown and missing names get no certificate, HTTP/2 by ALPN, and certificate files replaced on disk
/// are served to new connections without a restart.
/// </summary>
public sealed class HttpsListenerTests : IDisposable
{
    private static readonly string[] Hosts = ["shop-a.test", "shop-b.test", "x.wild.test", "nocert.test"];

    private readonly TestCertificateAuthority authority = new();

    public void Dispose() => authority.Dispose();

    private async Task<(TlsGateway Gateway, IssuedCertificate A, IssuedCertificate B, IssuedCertificate Wild)> StartWithThreeCertificatesAsync(
        Action<TestConfig>? configure = null)
    {
        var a = authority.Issue(["shop-a.test"]);
        var b = authority.Issue(["shop-b.test", "www.shop-b.test"]);
        var wild = authority.Issue(["*.wild.test"]);
        var gateway = await TlsGateway.StartAsync(Hosts, (directory, config) =>
        {
            a.WriteFlat(directory, "shop-a.test");
            b.WriteCertbot(directory, "shop-b");
            wild.WriteFlat(directory, "wildcard");
            configure?.Invoke(config);
        });
        return (gateway, a, b, wild);
    }

    [Fact]
    public async Task Each_funnel_host_receives_its_own_certificate_by_SNI_flat_certbot_and_wildcard()
    {
        var (gateway, a, b, wild) = await StartWithThreeCertificatesAsync();
        await using var _ = gateway;

        Assert.Equal(a.Thumbprint, (await gateway.HandshakeAsync("shop-a.test")).Certificate?.Thumbprint);
        Assert.Equal(b.Thumbprint, (await gateway.HandshakeAsync("shop-b.test")).Certificate?.Thumbprint);
        Assert.Equal(wild.Thumbprint, (await gateway.HandshakeAsync("x.wild.test")).Certificate?.Thumbprint);
        // Case and a trailing dot do not change the name.
        Assert.Equal(a.Thumbprint, (await gateway.HandshakeAsync("SHOP-A.test")).Certificate?.Thumbprint);

        using var client = gateway.HttpsClient(authority);
        using var response = await client.GetAsync(new Uri("https://shop-b.test/landing?ttclid=abc"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("calendly.com/acme/intro", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_names_no_SNI_and_a_funnel_host_without_a_certificate_fail_the_handshake_and_are_counted_without_harming_others()
    {
        var (gateway, a, _, _) = await StartWithThreeCertificatesAsync();
        await using var _ = gateway;

        // A name no funnel serves, even one a loaded certificate would cover (www.shop-b.test is in shop-b's SANs, and
        // y.wild.test matches the wildcard): no default certificate, nothing about other customers leaks.
        foreach (var name in new[] { "unknown.test", "www.shop-b.test", "y.wild.test", "nocert.test", "127.0.0.1" })
        {
            var refused = await gateway.HandshakeAsync(name);
            Assert.False(refused.Succeeded, $"{name}: the handshake succeeded");
            Assert.Null(refused.Certificate);
        }

        Assert.Equal(a.Thumbprint, (await gateway.HandshakeAsync("shop-a.test")).Certificate?.Thumbprint);
        var metrics = await gateway.MetricsAsync();
        Assert.Contains("able_tls_handshakes_total{outcome=\"unknown_host\"} 3", metrics, StringComparison.Ordinal);
        Assert.Contains("able_tls_handshakes_total{outcome=\"no_certificate\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("able_tls_handshakes_total{outcome=\"no_sni\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("able_tls_handshakes_total{outcome=\"ok\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("able_tls_hosts_without_certificate 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_HTTP_sent_to_the_HTTPS_port_ends_the_connection_and_is_counted_as_failed()
    {
        var (gateway, a, _, _) = await StartWithThreeCertificatesAsync();
        await using var _ = gateway;
        using (var tcp = new System.Net.Sockets.TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, gateway.HttpsPort);
            var stream = tcp.GetStream();
            await stream.WriteAsync("GET / HTTP/1.1\r\nHost: shop-a.test\r\n\r\n"u8.ToArray());
            var buffer = new byte[256];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                while (await stream.ReadAsync(buffer, timeout.Token) > 0)
                {
                }
            }
            catch (IOException)
            {
                // Reset rather than closed: ended all the same.
            }
        }

        Assert.True(await Eventually.TrueAsync(
            async () => Counted(await gateway.MetricsAsync(), "able_tls_handshakes_total{outcome=\"failed\"}") == 1,
            TimeSpan.FromSeconds(10)), "the failed handshake was not counted");
        Assert.Equal(a.Thumbprint, (await gateway.HandshakeAsync("shop-a.test")).Certificate?.Thumbprint);
    }

    [Fact]
    public async Task HTTP2_is_negotiated_by_ALPN_HTTP11_still_works_and_only_TLS12_and_13_are_offered()
    {
        var (gateway, _, _, _) = await StartWithThreeCertificatesAsync();
        await using var _ = gateway;

        Assert.Equal("h2", (await gateway.HandshakeAsync("shop-a.test")).Protocol.ToString());
        Assert.Equal("http/1.1", (await gateway.HandshakeAsync("shop-a.test", offerHttp2: false)).Protocol.ToString());
        Assert.Equal(SslProtocols.Tls12, (await gateway.HandshakeAsync("shop-a.test", SslProtocols.Tls12)).TlsVersion);
        Assert.Equal(SslProtocols.Tls13, (await gateway.HandshakeAsync("shop-a.test", SslProtocols.Tls13)).TlsVersion);

        using var client = gateway.HttpsClient(authority);
        using var http2 = new HttpRequestMessage(HttpMethod.Get, "https://shop-a.test/") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var answered2 = await client.SendAsync(http2);
        Assert.Equal(HttpVersion.Version20, answered2.Version);
        Assert.Equal(HttpStatusCode.OK, answered2.StatusCode);

        using var http11 = new HttpRequestMessage(HttpMethod.Get, "https://shop-a.test/") { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var answered11 = await client.SendAsync(http11);
        Assert.Equal(HttpVersion.Version11, answered11.Version);
        Assert.Equal(HttpStatusCode.OK, answered11.StatusCode);
    }

    [Fact]
    public async Task A_replaced_certificate_is_served_to_new_connections_without_a_restart_and_a_half_written_one_is_never_used()
    {
        var (gateway, a, _, _) = await StartWithThreeCertificatesAsync();
        await using var _ = gateway;
        using var client = gateway.HttpsClient(authority);
        using var before = await client.GetAsync(new Uri("https://shop-a.test/"));
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        // Half-written: the new chain cut off in the middle of its second block (the leaf whole, its issuer not), the new key
        // complete. A reader that took the complete blocks would serve the new leaf without its chain.
        var renewed = authority.Issue(["shop-a.test"]);
        var crt = Path.Combine(gateway.CertificateDirectory, "shop-a.test.crt");
        File.WriteAllText(Path.Combine(gateway.CertificateDirectory, "shop-a.test.key"), renewed.KeyPem);
        var secondBlock = renewed.ChainPem.IndexOf("-----BEGIN", 10, StringComparison.Ordinal);
        File.WriteAllText(crt, renewed.ChainPem[..(secondBlock + 100)]);
        Assert.True(await Eventually.TrueAsync(
            async () => Counted(await gateway.MetricsAsync(), "able_tls_certificate_loads_total{outcome=\"rejected\"}") >= 1,
            TimeSpan.FromSeconds(10)), "the half-written certificate was never checked");
        // Still the old certificate, over and over, while the file stays half-written.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(a.Thumbprint, (await gateway.HandshakeAsync("shop-a.test")).Certificate?.Thumbprint);
            await Task.Delay(400);
        }

        // The connection the client already holds keeps working throughout.
        using var during = await client.GetAsync(new Uri("https://shop-a.test/"));
        Assert.Equal(HttpStatusCode.OK, during.StatusCode);

        File.WriteAllText(crt, renewed.ChainPem);
        Assert.True(await Eventually.TrueAsync(
            async () => (await gateway.HandshakeAsync("shop-a.test")).Certificate?.Thumbprint == renewed.Thumbprint,
            TimeSpan.FromSeconds(10)), "the renewed certificate was not served without a restart");
        var metrics = await gateway.MetricsAsync();
        Assert.Contains($"able_tls_certificate_expiry_seconds{{host=\"shop-a.test\"}} {new DateTimeOffset(renewed.NotAfter).ToUnixTimeSeconds()}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_added_later_is_picked_up_and_a_removed_one_is_no_longer_served()
    {
        var (gateway, _, _, _) = await StartWithThreeCertificatesAsync();
        await using var _ = gateway;
        Assert.False((await gateway.HandshakeAsync("nocert.test")).Succeeded);

        var added = authority.Issue(["nocert.test"]);
        added.WriteCertbot(gateway.CertificateDirectory, "nocert.test");
        Assert.True(await Eventually.TrueAsync(
            async () => (await gateway.HandshakeAsync("nocert.test")).Certificate?.Thumbprint == added.Thumbprint,
            TimeSpan.FromSeconds(10)), "the new certificate was not picked up");

        Directory.Delete(Path.Combine(gateway.CertificateDirectory, "live", "nocert.test"), recursive: true);
        Assert.True(await Eventually.TrueAsync(
            async () => !(await gateway.HandshakeAsync("nocert.test")).Succeeded,
            TimeSpan.FromSeconds(10)), "the removed certificate was still served");
    }

    [Fact]
    public async Task Of_two_certificates_for_one_host_the_valid_one_expiring_last_is_served()
    {
        var later = authority.Issue(["shop-a.test"], DateTimeOffset.UtcNow.AddDays(80));
        var sooner = authority.Issue(["shop-a.test"], DateTimeOffset.UtcNow.AddDays(20));
        await using var gateway = await TlsGateway.StartAsync(["shop-a.test"], (directory, _) =>
        {
            sooner.WriteFlat(directory, "old");
            later.WriteCertbot(directory, "shop-a.test");
        });
        Assert.Equal(later.Thumbprint, (await gateway.HandshakeAsync("shop-a.test")).Certificate?.Thumbprint);
    }

    [Fact]
    public async Task A_funnel_host_added_by_a_configuration_reload_gets_its_certificate_and_its_expiry_gauge_without_a_restart()
    {
        var later = authority.Issue(["later.test"]);
        await using var gateway = await TlsGateway.StartAsync(["shop-a.test"], (directory, _) => later.WriteFlat(directory, "later.test"));
        // Loaded, but not a funnel host yet: refused like any unknown name.
        Assert.False((await gateway.HandshakeAsync("later.test")).Succeeded);

        gateway.Config.Funnel["Hosts"] = new JsonArray("shop-a.test", "later.test");
        gateway.Config.Write();
        Assert.True(await Eventually.TrueAsync(
            async () => (await gateway.HandshakeAsync("later.test")).Certificate?.Thumbprint == later.Thumbprint,
            TimeSpan.FromSeconds(15)), "the host added by the reload was not served");
        Assert.True(await Eventually.TrueAsync(
            async () => (await gateway.MetricsAsync()).Contains("able_tls_certificate_expiry_seconds{host=\"later.test\"}", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10)), "the expiry gauge did not follow the reload");
    }

    [CommandFact("openssl")]
    public async Task Openssl_s_client_receives_the_right_certificate_per_host_and_none_for_an_unknown_name()
    {
        var (gateway, _, _, _) = await StartWithThreeCertificatesAsync();
        await using var _ = gateway;

        var a = await SClientAsync(gateway.HttpsPort, "shop-a.test");
        Assert.Contains("subject=CN = shop-a.test", a, StringComparison.Ordinal);
        var wild = await SClientAsync(gateway.HttpsPort, "x.wild.test");
        Assert.Contains("subject=CN = *.wild.test", wild, StringComparison.Ordinal);
        var unknown = await SClientAsync(gateway.HttpsPort, "unknown.test");
        Assert.DoesNotContain("subject=", unknown, StringComparison.Ordinal);
        Assert.Contains("no peer certificate available", unknown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_visitor_cookie_arrives_over_HTTPS_and_HSTS_is_sent_over_HTTPS_only()
    {
        var (gateway, _, _, _) = await StartWithThreeCertificatesAsync(config =>
            config.Funnel["Https"] = new JsonObject { ["HstsMaxAgeSeconds"] = 31536000, ["HstsIncludeSubDomains"] = true });
        await using var _ = gateway;
        using var client = gateway.HttpsClient(authority);

        // A browser's navigation: capture runs for GETs that accept HTML, from a browser.
        using var navigation = new HttpRequestMessage(HttpMethod.Get, "https://shop-a.test/?ttclid=E.C.P.cookie-over-https");
        navigation.Headers.Accept.ParseAdd("text/html");
        navigation.Headers.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0");
        using var response = await client.SendAsync(navigation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), value => value.StartsWith("able_vid=", StringComparison.Ordinal));
        Assert.Contains("Secure", cookie, StringComparison.Ordinal);
        Assert.Contains("HttpOnly", cookie, StringComparison.Ordinal);
        Assert.Equal("max-age=31536000; includeSubDomains", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));

        // Over HTTP (a host without a certificate, so not redirected) there is no HSTS header.
        using var http = gateway.HttpClient();
        using var plain = await http.GetAsync(new Uri($"http://nocert.test:{gateway.HttpPort}/"));
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
    }

    /// <summary>The value of one series in a Prometheus text page, 0 when it is absent.</summary>
    private static double Counted(string metrics, string series) =>
        metrics.Split('\n').Where(line => line.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(line => double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();

    private static async Task<string> SClientAsync(int port, string serverName) =>
        (await CommandRun.RunAsync("openssl", ["s_client", "-connect", $"127.0.0.1:{port}", "-servername", serverName], timeout: TimeSpan.FromSeconds(20))).Output;
}
