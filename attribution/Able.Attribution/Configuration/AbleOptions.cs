namespace Able.Attribution.Configuration;

/// <summary>
/// The whole <c>Able</c> section of <c>config/able.json</c>, read by both services.
/// Every value can be overridden from the environment (<c>Able__Funnels__0__TikTok__AccessToken</c>).
/// </summary>
public sealed record AbleOptions
{
    public const string SectionName = "Able";

    public RedisOptions Redis { get; init; } = new();

    public GatewayOptions Gateway { get; init; } = new();

    public AttributionOptions Attribution { get; init; } = new();

    public WorkerOptions Worker { get; init; } = new();

    public FunnelOptions[] Funnels { get; init; } = [];
}

public sealed record RedisOptions
{
    /// <summary>StackExchange.Redis configuration string. Default <c>localhost:6379</c>.</summary>
    public string Configuration { get; init; } = "localhost:6379";

    /// <summary>Prefix of every key this system writes. Default <c>able:</c>.</summary>
    public string KeyPrefix { get; init; } = "able:";

    /// <summary>How long <c>/readyz</c> waits for PING before it answers 503. Default 2 s.</summary>
    public int ReadyTimeoutMilliseconds { get; init; } = 2000;

    /// <summary>Connect and synchronous operation timeout. Default 2 s.</summary>
    public int ConnectTimeoutMilliseconds { get; init; } = 2000;
}

/// <summary>Where one service listens: a public URL and a management URL (health, metrics, admin).</summary>
public interface IServiceEndpoints
{
    string PublicUrl { get; }

    string ManagementUrl { get; }
}

public sealed record GatewayOptions : IServiceEndpoints
{
    public string PublicUrl { get; init; } = "http://0.0.0.0:8080";

    public string ManagementUrl { get; init; } = "http://127.0.0.1:9080";

    /// <summary>Base URL of the attribution service's public port; webhook paths are forwarded there.</summary>
    public string AttributionUrl { get; init; } = "http://127.0.0.1:8081";

    /// <summary>CIDRs of proxies whose <c>X-Forwarded-For</c> is believed. Default none.</summary>
    public string[] TrustedProxies { get; init; } = [];
}

public sealed record AttributionOptions : IServiceEndpoints
{
    public string PublicUrl { get; init; } = "http://0.0.0.0:8081";

    public string ManagementUrl { get; init; } = "http://127.0.0.1:9081";
}
