namespace Able.Schema.Configuration;

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

    /// <summary>The attribution service's admin API and console (management port).</summary>
    public AdminOptions Admin { get; init; } = new();

    public FunnelOptions[] Funnels { get; init; } = [];

    /// <summary>
    /// The funnel with this mark, or null. The one lookup every part uses: marks are validated lower case and
    /// unique regardless of case, so the lookup ignores case (a webhook URL typed <c>/calendly-webhook/Acme</c> still finds <c>acme</c>).
    /// </summary>
    public FunnelOptions? FindFunnel(string? mark)
    {
        if (string.IsNullOrEmpty(mark))
        {
            return null;
        }

        foreach (var funnel in Funnels)
        {
            if (string.Equals(funnel.Mark, mark, StringComparison.OrdinalIgnoreCase))
            {
                return funnel;
            }
        }

        return null;
    }
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

    /// <summary>The capture queue and its background Redis writer.</summary>
    public CaptureOptions Capture { get; init; } = new();

    /// <summary>Per-client-IP limits on tracked links and ingress paths, and the global concurrency cap.</summary>
    public GatewayRateLimitOptions RateLimit { get; init; } = new();

    /// <summary>The HTTPS listener, its certificates (per funnel host, by SNI) and the ACME webroot. Off by default.</summary>
    public GatewayTlsOptions Tls { get; init; } = new();
}

/// <summary>
/// HTTPS at the gateway. With <see cref="Enabled"/> the gateway also listens on <see cref="Url"/> and picks each connection's
/// certificate by SNI from the PEM files in <see cref="CertificateDirectory"/>, reloading them when they change. The plain
/// HTTP listener (<see cref="GatewayOptions.PublicUrl"/>) stays: it serves ACME HTTP-01 challenges from <see cref="AcmeWebroot"/>
/// and redirects GET/HEAD on a funnel host that has a certificate to HTTPS (308).
/// </summary>
public sealed record GatewayTlsOptions
{
    /// <summary>Whether the HTTPS listener runs. Default off (<c>./able up</c> is plain HTTP on localhost).</summary>
    public bool Enabled { get; init; }

    /// <summary>Where the HTTPS listener listens. Default <c>https://0.0.0.0:8443</c>; <c>https://0.0.0.0:443</c> in containers.</summary>
    public string Url { get; init; } = "https://0.0.0.0:8443";

    /// <summary>
    /// The certificates: certbot's layout (<c>live/&lt;name&gt;/fullchain.pem</c> + <c>privkey.pem</c>, the directory certbot's
    /// <c>--config-dir</c> names) and a flat one (<c>&lt;name&gt;.crt</c> + <c>&lt;name&gt;.key</c>, here or one directory down). A
    /// certificate serves the host names in its subject alternative names; <c>*.example.com</c> matches one label. May not exist yet.
    /// </summary>
    public string CertificateDirectory { get; init; } = "/etc/able/certificates";

    /// <summary>
    /// Directory whose <c>.well-known/acme-challenge/&lt;token&gt;</c> files are served over HTTP and HTTPS on funnel hosts
    /// (certbot <c>certonly --webroot -w</c> this directory). May not exist yet.
    /// </summary>
    public string AcmeWebroot { get; init; } = "/var/lib/able/acme-webroot";

    /// <summary>How often the certificate directory is checked for changed files. Default 5 s.</summary>
    public int ReloadCheckSeconds { get; init; } = 5;

    /// <summary>Offer HTTP/2 by ALPN (HTTP/1.1 always works). Default on.</summary>
    public bool Http2 { get; init; } = true;

    /// <summary>
    /// The HTTPS port put in redirects, when the public one differs from <see cref="Url"/>'s (a container listening on 8443
    /// published as 443). Default: <see cref="Url"/>'s port; 443 is left out of the URL.
    /// </summary>
    public int? RedirectPort { get; init; }

    /// <summary>The ACME CA and account that <c>./able certs</c> gives certbot.</summary>
    public AcmeOptions Acme { get; init; } = new();
}

/// <summary>What <c>./able certs</c> passes to certbot.</summary>
public sealed record AcmeOptions
{
    /// <summary>The CA's ACME directory URL. Default Let's Encrypt production.</summary>
    public string Directory { get; init; } = "https://acme-v02.api.letsencrypt.org/directory";

    /// <summary>Account e-mail for expiry notices; empty registers without one.</summary>
    public string? Email { get; init; }
}

public sealed record CaptureOptions
{
    /// <summary>
    /// Captures waiting for Redis. When full (Redis slow or down for a while), new captures are dropped
    /// and counted in <c>able_capture_dropped_total{reason="queue_full"}</c>; pages are served regardless.
    /// Default 10000.
    /// </summary>
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>Most captures written to Redis in one pipelined batch. Default 200.</summary>
    public int BatchSize { get; init; } = 200;

    /// <summary>
    /// How long the writer waits for a batch to fill once a capture is queued, so that under load a round trip carries
    /// many captures instead of a few; 0 writes at once. Default 2 ms.
    /// </summary>
    public int BatchLingerMilliseconds { get; init; } = 2;

    /// <summary>Touches kept per visitor: the first, and the newest later ones in the capped touches list. Default 50.</summary>
    public int MaxTouches { get; init; } = 50;

    /// <summary>How long shutdown waits to flush queued captures to Redis before dropping the rest. Default 5 s.</summary>
    public int ShutdownFlushSeconds { get; init; } = 5;

    /// <summary>How much one client address and one visitor may store (the abuse budget).</summary>
    public CaptureBudgetOptions Budget { get; init; } = new();
}

/// <summary>
/// The capture abuse budget, kept in the gateway's memory (never in Redis). Over budget the page is served as
/// usual and nothing is stored; <c>able_capture_dropped_total{reason="budget"}</c> counts it. Budgets refill
/// continuously (a token bucket): the whole minute's worth at once, then one every 60/N seconds.
/// </summary>
public sealed record CaptureBudgetOptions
{
    /// <summary>
    /// New visitors (no visitor cookie, or one the gateway has not seen lately) one client IP may create per
    /// minute; IPv6 clients are counted per /64. Over it the request is served as if capture were off: no
    /// cookie, no decorated links, nothing stored. Default 30.
    /// </summary>
    public int NewVisitorsPerIpPerMinute { get; init; } = 30;

    /// <summary>Captures (page views, tracked links, confirmations) stored per visitor per minute. Default 20.</summary>
    public int CapturesPerVisitorPerMinute { get; init; } = 20;

    /// <summary>Client addresses the budget remembers at once (16 bytes each); the least busy make room. Default 65536.</summary>
    public int TrackedAddresses { get; init; } = 65_536;

    /// <summary>Visitors the budget remembers at once (16 bytes each); the least busy make room. Default 131072.</summary>
    public int TrackedVisitors { get; init; } = 131_072;
}

public sealed record GatewayRateLimitOptions
{
    /// <summary>Requests one client IP may make to <c>/go/*</c> and the ingress paths per window. Default 60.</summary>
    public int PermitsPerWindow { get; init; } = 60;

    /// <summary>Length of that window in seconds. Default 60.</summary>
    public int WindowSeconds { get; init; } = 60;

    /// <summary>Requests the gateway serves at once; more are answered 503 with Retry-After. Default 1000.</summary>
    public int MaxConcurrentRequests { get; init; } = 1000;
}

public sealed record AttributionOptions : IServiceEndpoints
{
    public string PublicUrl { get; init; } = "http://0.0.0.0:8081";

    public string ManagementUrl { get; init; } = "http://127.0.0.1:9081";

    /// <summary>Webhook and conversions API ingress on the public port.</summary>
    public IngressOptions Ingress { get; init; } = new();

    /// <summary>The Calendly API: <c>./able calendly</c> and the subscription watchdog.</summary>
    public CalendlyApiOptions Calendly { get; init; } = new();
}

/// <summary>How the attribution service talks to the Calendly API (connect, status, the subscription watchdog).</summary>
public sealed record CalendlyApiOptions
{
    /// <summary>Base URL of the Calendly API. Default <c>https://api.calendly.com</c>; tests point it at a fake.</summary>
    public string ApiBaseUrl { get; init; } = "https://api.calendly.com";

    /// <summary>Timeout of one API request. Default 10000 ms.</summary>
    public int RequestTimeoutMilliseconds { get; init; } = 10_000;

    /// <summary>Longest wait for a rate limit (429 <c>Retry-After</c> / <c>X-RateLimit-Reset</c>) before a request is given up. Default 120 s.</summary>
    public int MaxRateLimitWaitSeconds { get; init; } = 120;

    /// <summary>Whether the watchdog runs (for funnels with a Calendly API token). Default on.</summary>
    public bool WatchdogEnabled { get; init; } = true;

    /// <summary>How often the watchdog checks each funnel's subscription, with up to 10 % jitter. Default 15 minutes.</summary>
    public double WatchdogIntervalMinutes { get; init; } = 15;

    /// <summary>How long the key of a replaced subscription is still accepted. Default 60 minutes.</summary>
    public int SigningKeyGraceMinutes { get; init; } = 60;

    /// <summary>The public base URL Calendly posts to (<c>https://book.example.com</c>); webhooks go to <c>{it}/calendly-webhook/{mark}</c>. Default: https:// and the funnel's first host.</summary>
    public string? WebhookBaseUrl { get; init; }
}

/// <summary>Limits of <c>/calendly-webhook/{funnel}</c>, <c>/stripe-webhook/{funnel}</c> and <c>/v1/conversions</c>.</summary>
public sealed record IngressOptions
{
    /// <summary>How far a signature's <c>t</c> may be from now, in the past or the future. Default 300 s.</summary>
    public int SignatureToleranceSeconds { get; init; } = 300;

    /// <summary>Largest webhook body; larger ones get 413 without being read. Default 262144 (256 KiB).</summary>
    public int MaxBodyBytes { get; init; } = 256 * 1024;

    /// <summary>Largest <c>/v1/conversions</c> body (a batch holds up to 1000 items). Default 1048576 (1 MiB).</summary>
    public int MaxConversionsBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>How long a delivery waits for Redis to acknowledge the write before it gets 503. Default 2000 ms.</summary>
    public int RedisWriteTimeoutMilliseconds { get; init; } = 2000;

    public IngressRateLimitOptions RateLimit { get; init; } = new();

    /// <summary>
    /// CIDRs of proxies (the gateway) whose <c>X-Forwarded-For</c> names the client for per-IP rate limits,
    /// besides loopback, which is always trusted (the gateway on the same host). Default none.
    /// </summary>
    public string[] TrustedProxies { get; init; } = [];
}

/// <summary>Fixed-window request limits on the ingress paths; over the limit answers 429 with <c>Retry-After</c>.</summary>
public sealed record IngressRateLimitOptions
{
    /// <summary>Requests per window from one client IP. Default 600.</summary>
    public int PermitsPerIp { get; init; } = 600;

    /// <summary>Requests per window for one funnel, from all clients together. Default 3000.</summary>
    public int PermitsPerFunnel { get; init; } = 3000;

    /// <summary>Window length. Default 60 s.</summary>
    public int WindowSeconds { get; init; } = 60;
}

/// <summary>
/// <c>Able:Admin</c>: the admin API and console on the attribution service's management port. Without a token both are
/// off (the service says so at start).
/// </summary>
public sealed record AdminOptions
{
    /// <summary>The bearer token of the admin API and the console's password; a secret (set it from the environment, <c>Able__Admin__Token</c>).</summary>
    public string? Token { get; init; }

    /// <summary>How long a console login lasts without use.</summary>
    public int SessionMinutes { get; init; } = 480;

    /// <summary>Wrong tokens or passwords one client address may send per minute before it gets 429.</summary>
    public int FailedAttemptsPerMinute { get; init; } = 10;

    /// <summary>How long a computed report is cached (shared by the replicas through Redis).</summary>
    public int ReportCacheSeconds { get; init; } = 30;
}
