using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Able.FunctionalTests.Decoration;
using Microsoft.AspNetCore.Http;

namespace Able.FunctionalTests.Tls;

/// <summary>
/// The gateway with its HTTPS listener on a free loopback port, certificates in a temporary directory (checked every second),
/// an ACME webroot, and an HTML origin; one funnel <c>acme</c> whose hosts the test chooses. Clients connect to loopback
/// whatever host they name, so SNI and Host are the funnel host's.
/// </summary>
public sealed class TlsGateway : IAsyncDisposable
{
    public const string Page = "<html><body><a href=\"https://calendly.com/acme/intro\">Book</a></body></html>";

    private TlsGateway(string root, HtmlOrigin origin, TestConfig config, RunningService gateway, int httpsPort)
    {
        Root = root;
        Origin = origin;
        Config = config;
        Gateway = gateway;
        HttpsPort = httpsPort;
    }

    public string Root { get; }

    public string CertificateDirectory => Path.Combine(Root, "certificates");

    public string AcmeWebroot => Path.Combine(Root, "webroot");

    public HtmlOrigin Origin { get; }

    public TestConfig Config { get; }

    public RunningService Gateway { get; }

    public int HttpsPort { get; }

    public int HttpPort => Gateway.PublicBase.Port;

    /// <summary>
    /// Starts it. <paramref name="beforeStart"/> may write certificates into the (already created) certificate directory and
    /// change the config; <paramref name="origin"/> answers in place of the <see cref="Page"/> origin.
    /// </summary>
    public static async Task<TlsGateway> StartAsync(string[] hosts, Action<string, TestConfig>? beforeStart = null, RequestDelegate? origin = null)
    {
        var root = Directory.CreateTempSubdirectory("able-tls-").FullName;
        var certificates = Directory.CreateDirectory(Path.Combine(root, "certificates")).FullName;
        // What certbot's webroot mode makes before it writes a token.
        Directory.CreateDirectory(Path.Combine(root, "webroot", ".well-known", "acme-challenge"));
        var htmlOrigin = await HtmlOrigin.StartAsync(origin ?? (context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync(Page);
        }));
        var redis = await RedisTestServer.GetAsync();
        var config = TestConfig.Create(redis.ConnectionString, htmlOrigin.Url);
        var httpsPort = FreePort.Next();
        config.Funnel["Hosts"] = new JsonArray([.. hosts.Select(host => (JsonNode)host)]);
        config.Able["Gateway"]!["Tls"] = new JsonObject
        {
            ["Enabled"] = true,
            ["Url"] = $"https://127.0.0.1:{httpsPort}",
            ["CertificateDirectory"] = certificates,
            ["AcmeWebroot"] = Path.Combine(root, "webroot"),
            ["ReloadCheckSeconds"] = 1,
        };
        beforeStart?.Invoke(certificates, config);
        var gateway = await RunningService.StartGatewayAsync(config);
        return new TlsGateway(root, htmlOrigin, config, gateway, httpsPort);
    }

    /// <summary>
    /// A TLS handshake with <paramref name="serverName"/> as SNI (an IP literal sends none): the certificate received,
    /// or the error the handshake ended with.
    /// </summary>
    public async Task<Handshake> HandshakeAsync(string serverName, SslProtocols protocols = SslProtocols.None, bool offerHttp2 = true)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, HttpsPort);
        await using var tls = new SslStream(tcp.GetStream());
        X509Certificate2? received = null;
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = serverName,
                EnabledSslProtocols = protocols,
                ApplicationProtocols = offerHttp2 ? [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11] : [SslApplicationProtocol.Http11],
                // The test examines the certificate it receives (which one, whose): accepting it here is the point.
#pragma warning disable CA5359
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    received = certificate is null ? null : new X509Certificate2(certificate);
                    return true;
                },
#pragma warning restore CA5359
            });
            return new Handshake(received, tls.NegotiatedApplicationProtocol, tls.SslProtocol, null);
        }
        catch (Exception error) when (error is AuthenticationException or IOException)
        {
            return new Handshake(received, default, default, error);
        }
    }

    /// <summary>An HttpClient that sends every request to the gateway's HTTPS port, trusting <paramref name="authority"/>'s root only.</summary>
    public HttpClient HttpsClient(TestCertificateAuthority authority) =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectCallback = LoopbackPort(HttpsPort),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    certificate is not null && authority.Issued(new X509Certificate2(certificate))
                    && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0,
            },
        })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };

    /// <summary>An HttpClient that sends every request to the gateway's plain HTTP port, whatever host the URL names.</summary>
    public HttpClient HttpClient() =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectCallback = LoopbackPort(HttpPort),
        })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };

    /// <summary>Connects to <paramref name="port"/> on loopback whatever host the request names (SNI and Host stay that host).</summary>
    private static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> LoopbackPort(int port) =>
        async (_, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        };

    public async Task<string> MetricsAsync() => await Gateway.Client.GetStringAsync(new Uri(Gateway.ManagementBase, "/metrics"));

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Origin.DisposeAsync();
        Config.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}

/// <summary>What a TLS handshake gave: the server's certificate, the ALPN protocol and TLS version, or the error.</summary>
public sealed record Handshake(X509Certificate2? Certificate, SslApplicationProtocol Protocol, SslProtocols TlsVersion, Exception? Error)
{
    public bool Succeeded => Error is null;

    public IReadOnlyList<string> Names =>
        Certificate?.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToList() ?? [];
}
