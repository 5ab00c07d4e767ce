using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Able.Testing;

/// <summary>
/// A configuration file written for one test: its own Redis key prefix, free ports and one funnel.
/// Tests change the JSON before starting a service; the file is deleted with the config, and any file a test
/// forgot to dispose is deleted when the test process exits, so a run leaves nothing in the temp folder.
/// </summary>
public sealed class TestConfig : IDisposable
{
    /// <summary>The files written and not yet deleted in this process.</summary>
    private static readonly ConcurrentDictionary<string, byte> Undeleted = new(StringComparer.Ordinal);

    static TestConfig() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var file in Undeleted.Keys)
        {
            Delete(file);
        }
    };

    private TestConfig(JsonObject root, string redisConnection)
    {
        Root = root;
        RedisConnection = redisConnection;
        // A folder of its own, so the secrets overlay beside it (able.secrets.json) is this configuration's alone.
        Folder = Path.Combine(Path.GetTempPath(), $"able-test-{Guid.NewGuid():N}");
        FilePath = Path.Combine(Folder, "able.json");
    }

    /// <summary>The folder holding <see cref="FilePath"/> and the secrets overlay; deleted with the configuration.</summary>
    public string Folder { get; }

    /// <summary>The secrets overlay the services read with this configuration (<c>able.secrets.json</c> beside it).</summary>
    public string SecretsPath => Path.Combine(Folder, global::Able.Schema.Configuration.SecretsOverlayFile.DefaultFileName);

    public JsonObject Root { get; }

    public string RedisConnection { get; }

    public string FilePath { get; }

    public JsonObject Able => Root["Able"]!.AsObject();

    public JsonObject Funnel => Able["Funnels"]![0]!.AsObject();

    public string KeyPrefix => (string)Able["Redis"]!["KeyPrefix"]!;

    public static TestConfig Create(string redisConnection, string originUrl = "http://127.0.0.1:9")
    {
        int Port() => FreePort.Next();
        var root = new JsonObject
        {
            ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning" } },
            ["Able"] = new JsonObject
            {
                ["Redis"] = new JsonObject
                {
                    ["Configuration"] = redisConnection,
                    ["KeyPrefix"] = RedisTestServer.NewKeyPrefix(),
                    ["ReadyTimeoutMilliseconds"] = 500,
                    ["ConnectTimeoutMilliseconds"] = 500,
                },
                ["Gateway"] = new JsonObject
                {
                    ["PublicUrl"] = $"http://127.0.0.1:{Port()}",
                    ["ManagementUrl"] = $"http://127.0.0.1:{Port()}",
                    ["AttributionUrl"] = "http://127.0.0.1:9",
                },
                ["Attribution"] = new JsonObject
                {
                    ["PublicUrl"] = $"http://127.0.0.1:{Port()}",
                    ["ManagementUrl"] = $"http://127.0.0.1:{Port()}",
                },
                ["Funnels"] = new JsonArray(new JsonObject
                {
                    ["Mark"] = "acme",
                    ["Hosts"] = new JsonArray("localhost", "127.0.0.1"),
                    ["Origin"] = originUrl,
                    ["TikTok"] = new JsonObject { ["PixelId"] = "CTESTPIXEL0000000000" },
                    ["Calendly"] = new JsonObject { ["SigningKey"] = "test-calendly-key" },
                    ["Stripe"] = new JsonObject { ["WebhookSecret"] = "whsec_test" },
                    ["ApiKey"] = "test-api-key",
                    ["Links"] = new JsonObject { ["intro"] = "https://calendly.com/acme/intro" },
                }),
            },
        };
        return new TestConfig(root, redisConnection);
    }

    public void Write()
    {
        Undeleted.TryAdd(Folder, 0);
        Directory.CreateDirectory(Folder);
        File.WriteAllText(FilePath, Root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    public void Dispose() => Delete(Folder);

    private static void Delete(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Undeleted.TryRemove(folder, out _);
    }
}
