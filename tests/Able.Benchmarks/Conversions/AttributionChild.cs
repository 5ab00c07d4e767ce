using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Able.Benchmarks.Conversions;

/// <summary>
/// The built attribution service (<c>dotnet Able.Attribution.Service.dll --config file</c>) as a child process, on a
/// configuration derived from a base file: Redis and a fresh key prefix, free loopback ports, the fake TikTok as the
/// Events API, no late-join grace period, an ingress rate limit that does not get in the way, and one funnel
/// (<see cref="Mark"/>) with a TikTok access token (so events are sent) and a Calendly signing key.
/// </summary>
internal sealed class AttributionChild : IAsyncDisposable
{
    public const string Mark = "bench";
    public const string SigningKey = "bench-calendly-signing-key";
    private readonly Queue<string> output = new();
    private readonly string configFile;
    private Process? process;

    private AttributionChild(string configFile, Uri publicBase, Uri managementBase, string keyPrefix)
    {
        this.configFile = configFile;
        PublicBase = publicBase;
        ManagementBase = managementBase;
        KeyPrefix = keyPrefix;
    }

    public Uri PublicBase { get; }

    public Uri ManagementBase { get; }

    public string KeyPrefix { get; }

    public int ProcessId => process?.Id ?? 0;

    public string OutputTail
    {
        get
        {
            lock (output)
            {
                return string.Join('\n', output);
            }
        }
    }

    public static async Task<AttributionChild> StartAsync(string dll, string? baseConfig, string redis, Uri tikTok, IReadOnlyDictionary<string, string> environment)
    {
        var root = baseConfig is null ? new JsonObject() : JsonNode.Parse(await File.ReadAllTextAsync(baseConfig))!.AsObject();
        var logging = root["Logging"] as JsonObject ?? [];
        root["Logging"] = logging;
        logging["LogLevel"] = new JsonObject { ["Default"] = "Warning" };
        var able = root["Able"] as JsonObject ?? [];
        root["Able"] = able;
        // A fresh prefix per run: nothing left by an earlier run (ledger, schedule, stream) is seen, nothing is flushed.
        var prefix = $"benchconv{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}:";
        able["Redis"] = new JsonObject { ["Configuration"] = redis, ["KeyPrefix"] = prefix };
        var publicBase = new Uri($"http://127.0.0.1:{FreePort()}");
        var managementBase = new Uri($"http://127.0.0.1:{FreePort()}");
        var attribution = able["Attribution"] as JsonObject ?? [];
        able["Attribution"] = attribution;
        attribution["PublicUrl"] = publicBase.ToString().TrimEnd('/');
        attribution["ManagementUrl"] = managementBase.ToString().TrimEnd('/');
        var ingress = attribution["Ingress"] as JsonObject ?? [];
        attribution["Ingress"] = ingress;
        ingress["RateLimit"] = new JsonObject { ["PermitsPerIp"] = 1_000_000, ["PermitsPerFunnel"] = 1_000_000, ["WindowSeconds"] = 60 };
        var worker = able["Worker"] as JsonObject ?? [];
        able["Worker"] = worker;
        worker["Enabled"] = true;
        worker["TikTokBaseUrl"] = tikTok.ToString();
        // Walk-in bookings (no visitor) are built and sent at once instead of waiting for a late join.
        worker["GracePeriodSeconds"] = 0;
        able["Funnels"] = new JsonArray(new JsonObject
        {
            ["Mark"] = Mark,
            ["Hosts"] = new JsonArray("bench.localhost"),
            ["Origin"] = "http://127.0.0.1:9",
            ["RetentionDays"] = 90,
            ["DefaultPhoneRegion"] = "US",
            ["TikTok"] = new JsonObject { ["PixelId"] = "CBENCHPIXEL000000000", ["AccessToken"] = "bench-access-token", ["ClickWindowDays"] = 7 },
            ["Calendly"] = new JsonObject { ["SigningKey"] = SigningKey, ["CarrierParam"] = "salesforce_uuid" },
            ["ApiKey"] = "bench-api-key-0123456789",
        });
        // In a folder of its own: the service watches its config file's folder (and the folders below it) for changes, and
        // in the temp folder every write there (Redis's AOF in /tmp/convredis, perf maps, logs) woke its watcher thread,
        // about 3.5 % of the service's CPU in a profile, which a deployment with its own config folder does not pay.
        var configFolder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"able-bench-conversions-{Environment.ProcessId}"));
        var configFile = Path.Combine(configFolder.FullName, "able.json");
        await File.WriteAllTextAsync(configFile, root.ToJsonString());

        var child = new AttributionChild(configFile, publicBase, managementBase, prefix);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(configFile);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        child.process = Process.Start(start) ?? throw new InvalidOperationException("could not start the attribution service");
        child.process.OutputDataReceived += (_, line) => child.Keep(line.Data);
        child.process.ErrorDataReceived += (_, line) => child.Keep(line.Data);
        child.process.BeginOutputReadLine();
        child.process.BeginErrorReadLine();
        await child.WaitReadyAsync();
        return child;
    }

    private async Task WaitReadyAsync()
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (process!.HasExited)
            {
                throw new InvalidOperationException($"the attribution service exited with {process.ExitCode}:\n{OutputTail}");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri(ManagementBase, "/readyz"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new InvalidOperationException($"the attribution service did not become ready:\n{OutputTail}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Enqueue(line);
            while (output.Count > 100)
            {
                output.Dequeue();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process?.Dispose();
        Directory.Delete(Path.GetDirectoryName(configFile)!, recursive: true);
    }
}
