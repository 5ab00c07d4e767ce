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
        FilePath = Path.Combine(Path.GetTempPath(), $"able-test-{Guid.NewGuid():N}.json");
    }

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
        Undeleted.TryAdd(FilePath, 0);
        File.WriteAllText(FilePath, Root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    public void Dispose() => Delete(FilePath);

    private static void Delete(string file)
    {
        File.Delete(file);
        Undeleted.TryRemove(file, out _);
    }
}
