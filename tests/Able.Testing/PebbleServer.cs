using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Able.Testing;

/// <summary>
/// Let's Encrypt's ACME test CA: Debian's <c>pebble</c> with <c>pebble-challtestsrv</c> as its DNS, both on free loopback
/// ports, stopped on dispose. Validation is real: challtestsrv answers every A query with 127.0.0.1 (and no AAAA), so Pebble
/// fetches <c>http://&lt;host&gt;:<see cref="HttpChallengePort"/>/.well-known/acme-challenge/&lt;token&gt;</c> from whatever
/// listens there on loopback (the gateway's plain-HTTP port). Pebble's own HTTPS endpoint uses a certificate from a test root
/// made here (<see cref="CaBundlePath"/>, for certbot's <c>REQUESTS_CA_BUNDLE</c>); the root Pebble issues under is made anew
/// at each start and read from its management interface (<see cref="IssuingRoot"/>).
/// </summary>
public sealed class PebbleServer : IAsyncDisposable
{
    private readonly string folder;
    private readonly ConcurrentQueue<string> log = new();
    private readonly TestCertificateAuthority endpointAuthority;
    private readonly List<Process> processes = [];

    private PebbleServer(string folder, int httpChallengePort, TestCertificateAuthority endpointAuthority)
    {
        this.folder = folder;
        this.endpointAuthority = endpointAuthority;
        HttpChallengePort = httpChallengePort;
        CaBundlePath = Path.Combine(folder, "endpoint-root.pem");
    }

    /// <summary>The port Pebble's HTTP-01 validation connects to.</summary>
    public int HttpChallengePort { get; }

    /// <summary>Pebble's ACME directory URL, e.g. <c>https://127.0.0.1:21000/dir</c>.</summary>
    public string DirectoryUrl { get; private set; } = "";

    /// <summary>PEM of the test root that signed Pebble's own HTTPS certificate (its ACME and management endpoints).</summary>
    public string CaBundlePath { get; }

    /// <summary>What certbot needs in its environment to trust Pebble's endpoint.</summary>
    public IReadOnlyDictionary<string, string> CertbotEnvironment =>
        new Dictionary<string, string>(StringComparer.Ordinal) { ["REQUESTS_CA_BUNDLE"] = CaBundlePath };

    /// <summary>The root Pebble issues certificates under (its <c>/roots/0</c>), new at each start.</summary>
    public X509Certificate2 IssuingRoot { get; private set; } = null!;

    /// <summary>The intermediate that signs Pebble's certificates (its <c>/intermediates/0</c>).</summary>
    public X509Certificate2 Intermediate { get; private set; } = null!;

    /// <summary>What pebble and pebble-challtestsrv printed so far, for assertions and failure messages.</summary>
    public string Log => string.Join(Environment.NewLine, log);

    /// <summary>Starts challtestsrv and Pebble; Pebble validates HTTP-01 on <paramref name="httpChallengePort"/>.</summary>
    public static async Task<PebbleServer> StartAsync(int httpChallengePort)
    {
        var folder = Directory.CreateTempSubdirectory("able-pebble-").FullName;
        var authority = new TestCertificateAuthority("Able test root for Pebble's endpoint");
        var server = new PebbleServer(folder, httpChallengePort, authority);
        try
        {
            await server.StartProcessesAsync(authority.Issue(["127.0.0.1", "localhost"]));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task StartProcessesAsync(IssuedCertificate endpoint)
    {
        await File.WriteAllTextAsync(CaBundlePath, endpointAuthority.Root.ExportCertificatePem());
        var certificate = Path.Combine(folder, "endpoint.pem");
        var key = Path.Combine(folder, "endpoint-key.pem");
        await File.WriteAllTextAsync(certificate, endpoint.ChainPem);
        await File.WriteAllTextAsync(key, endpoint.KeyPem);

        var dnsPort = FreePort.Next();
        var challtestsrvManagementPort = FreePort.Next();
        var acmePort = FreePort.Next();
        var managementPort = FreePort.Next();
        var unusedTlsPort = FreePort.Next();

        // challtestsrv only as Pebble's DNS: its own challenge servers off, A records 127.0.0.1, no AAAA records.
        Start("pebble-challtestsrv", [
            "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
            "-dns01", $"127.0.0.1:{dnsPort}", "-http01", "", "-https01", "", "-tlsalpn01", "",
            "-management", $"127.0.0.1:{challtestsrvManagementPort}",
        ], new Dictionary<string, string>());

        var config = Path.Combine(folder, "pebble-config.json");
        await File.WriteAllTextAsync(config, new JsonObject
        {
            ["pebble"] = new JsonObject
            {
                ["listenAddress"] = $"127.0.0.1:{acmePort}",
                ["managementListenAddress"] = $"127.0.0.1:{managementPort}",
                ["certificate"] = certificate,
                ["privateKey"] = key,
                ["httpPort"] = HttpChallengePort,
                ["tlsPort"] = unusedTlsPort,
                ["ocspResponderURL"] = "",
                ["externalAccountBindingRequired"] = false,
            },
        }.ToJsonString());

        // No random 0-15 s sleep before validating; no deliberately rejected nonces (certbot retries them, but a test
        // run should not depend on a 5 % coin).
        Start("pebble", ["-config", config, "-dnsserver", $"127.0.0.1:{dnsPort}", "-strict=false"], new Dictionary<string, string>
        {
            ["PEBBLE_VA_NOSLEEP"] = "1",
            ["PEBBLE_WFE_NONCEREJECT"] = "0",
        });

        DirectoryUrl = $"https://127.0.0.1:{acmePort}/dir";
        using var client = CreateClient();
        var management = $"https://127.0.0.1:{managementPort}";
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            ThrowIfExited();
            try
            {
                using var response = await client.GetAsync(new Uri(DirectoryUrl));
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Pebble did not answer {DirectoryUrl} within 20 s.{Environment.NewLine}{Log}");
            }

            await Task.Delay(50);
        }

        IssuingRoot = X509Certificate2.CreateFromPem(await client.GetStringAsync(new Uri($"{management}/roots/0")));
        Intermediate = X509Certificate2.CreateFromPem(await client.GetStringAsync(new Uri($"{management}/intermediates/0")));
    }

    /// <summary>A client that trusts Pebble's endpoint (its ACME directory and management interface) and nothing else.</summary>
    public HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && endpointAuthority.Issued(new X509Certificate2(certificate)),
        },
    })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>
    /// Whether Pebble's log shows an HTTP-01 fetch from <paramref name="host"/> on <see cref="HttpChallengePort"/> followed by an
    /// authorization set VALID by it (Pebble validates one task at a time: "Pulled a task ... Value:host", "Attempting to
    /// validate w/ HTTP: http://host:port/.well-known/acme-challenge/token", "authz X set VALID by completed challenge").
    /// </summary>
    public bool ValidatedByHttp01(string host)
    {
        var fetched = $"Attempting to validate w/ HTTP: http://{host}:{HttpChallengePort}/.well-known/acme-challenge/";
        var current = false;
        foreach (var line in log)
        {
            if (line.Contains("Pulled a task from the Tasks queue", StringComparison.Ordinal))
            {
                current = false;
            }
            else if (line.Contains(fetched, StringComparison.Ordinal))
            {
                current = true;
            }
            else if (current && line.Contains(" set VALID by completed challenge", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private void Start(string command, string[] arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command}.");
        processes.Add(process);
        var label = Path.GetFileName(command);
        process.OutputDataReceived += (_, line) => Record(label, line.Data);
        process.ErrorDataReceived += (_, line) => Record(label, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void Record(string name, string? line)
    {
        if (line is not null)
        {
            log.Enqueue($"{name}: {line}");
        }
    }

    private void ThrowIfExited()
    {
        foreach (var process in processes.Where(p => p.HasExited))
        {
            throw new InvalidOperationException(
                $"{process.StartInfo.FileName} exited with code {process.ExitCode}.{Environment.NewLine}{Log}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
                }
            }
            catch (Exception error) when (error is InvalidOperationException or TimeoutException)
            {
                // Already gone, or it would not go: nothing else to do here.
            }

            process.Dispose();
        }

        endpointAuthority.Dispose();
        IssuingRoot?.Dispose();
        Intermediate?.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Left in the temp folder.
        }
    }
}
