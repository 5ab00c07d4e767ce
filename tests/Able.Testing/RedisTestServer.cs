using StackExchange.Redis;
using Testcontainers.Redis;

namespace Able.Testing;

/// <summary>How the shared test Redis was provided.</summary>
public enum RedisTestMode
{
    /// <summary><c>ABLE_TEST_REDIS</c> names a running server.</summary>
    External,

    /// <summary>A Docker engine answered: a Testcontainers Redis container.</summary>
    Testcontainers,

    /// <summary><c>redis-server</c> from PATH on a free port with a temporary data folder.</summary>
    RedisServer,
}

/// <summary>
/// The one real Redis shared by every test in a test run (streams, consumer groups, scripts and evictions
/// behave as in production, which no fake would promise): Testcontainers when a Docker
/// engine answers, otherwise <c>redis-server</c> from PATH. Tests isolate themselves with a unique key
/// prefix (<see cref="NewKeyPrefix"/>) so they can run in parallel.
/// </summary>
public sealed class RedisTestServer
{
    public const string HowToInstall =
        "Tests need a real Redis: install redis-server (sudo apt-get install redis-server), start a Docker engine " +
        "for Testcontainers, or set ABLE_TEST_REDIS=host:port to a running server.";

    private static readonly Lazy<Task<RedisTestServer>> Shared = new(() => StartAsync(preferContainer: true));

    private RedisTestServer(RedisTestMode mode, string connectionString, IAsyncDisposable? owner)
    {
        Mode = mode;
        ConnectionString = connectionString;
        Owner = owner;
        Multiplexer = ConnectionMultiplexer.Connect(connectionString);
    }

    public RedisTestMode Mode { get; }

    public string ConnectionString { get; }

    /// <summary>A client for tests to inspect what the services wrote.</summary>
    public IConnectionMultiplexer Multiplexer { get; }

    public IAsyncDisposable? Owner { get; }

    public static Task<RedisTestServer> GetAsync() => Shared.Value;

    public static string NewKeyPrefix() => $"t{Guid.NewGuid():N}:";

    /// <summary>Starts a Redis in the first mode available here.</summary>
    public static async Task<RedisTestServer> StartAsync(bool preferContainer)
    {
        var external = Environment.GetEnvironmentVariable("ABLE_TEST_REDIS");
        if (!string.IsNullOrWhiteSpace(external))
        {
            return new RedisTestServer(RedisTestMode.External, external, owner: null);
        }

        if (preferContainer && await DockerEngine.AnswersAsync(TimeSpan.FromSeconds(2)))
        {
            return await StartContainerAsync();
        }

        if (RedisServerProcess.FindExecutable() is null)
        {
            throw new InvalidOperationException(HowToInstall);
        }

        var process = await RedisServerProcess.StartAsync();
        return new RedisTestServer(RedisTestMode.RedisServer, process.ConnectionString, process);
    }

    public static async Task<RedisTestServer> StartContainerAsync()
    {
        var container = new RedisBuilder("redis:7-alpine").Build();
        await container.StartAsync();
        return new RedisTestServer(RedisTestMode.Testcontainers, container.GetConnectionString(), container);
    }

    /// <summary>Every key under a prefix (SCAN, not KEYS).</summary>
    public async Task<List<string>> KeysAsync(string prefix)
    {
        var keys = new List<string>();
        var server = Multiplexer.GetServers()[0];
        await foreach (var key in server.KeysAsync(pattern: prefix + "*", pageSize: 500))
        {
            keys.Add(key.ToString());
        }

        return keys;
    }
}
