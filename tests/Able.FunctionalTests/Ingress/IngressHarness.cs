using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Able.Attribution.Ingest;
using Able.Attribution.Signatures;
using Able.Schema.Configuration;
using Able.Schema.Redis;
using StackExchange.Redis;

namespace Able.FunctionalTests.Ingress;

/// <summary>
/// A real attribution service on real Redis with two funnels (<c>acme</c> and <c>other</c>, each with its
/// own Calendly key, Stripe secret and API key), plus helpers to sign deliveries and read the ingest stream.
/// </summary>
public sealed class IngressHarness : IAsyncDisposable
{
    public const string CalendlyKey = "test-calendly-key";
    public const string StripeSecret = "whsec_test";
    public const string ApiKey = "test-api-key";
    public const string OtherCalendlyKey = "other-calendly-key";
    public const string OtherStripeSecret = "whsec_other";
    public const string OtherApiKey = "other-api-key";

    private readonly TestConfig config;
    private readonly bool ownsRedis;

    private IngressHarness(TestConfig config, RunningService service, IConnectionMultiplexer redis, bool ownsRedis)
    {
        this.config = config;
        this.ownsRedis = ownsRedis;
        Service = service;
        Redis = redis;
    }

    public RunningService Service { get; }

    public IConnectionMultiplexer Redis { get; }

    public HttpClient Client => Service.Client;

    /// <summary>The ingest stream's key, built as the service builds it.</summary>
    public RedisKey Stream => new RedisKeys(config.KeyPrefix).IngestStream;

    /// <summary>The key that notes a funnel's last queued Calendly delivery, built as the service builds it.</summary>
    public RedisKey CalendlyLastDelivery(string mark) => new RedisKeys(config.KeyPrefix).CalendlyLastDelivery(mark);

    /// <summary>Starts the service on the shared test Redis (or on <paramref name="redisConnection"/>).</summary>
    public static async Task<IngressHarness> StartAsync(Action<JsonObject>? configure = null, string? redisConnection = null)
    {
        IConnectionMultiplexer redis;
        var ownsRedis = redisConnection is not null;
        if (redisConnection is null)
        {
            var shared = await RedisTestServer.GetAsync();
            redisConnection = shared.ConnectionString;
            redis = shared.Multiplexer;
        }
        else
        {
            redis = await ConnectionMultiplexer.ConnectAsync($"{redisConnection},abortConnect=false,connectTimeout=1000");
        }

        var config = TestConfig.Create(redisConnection);
        config.Funnel["Calendly"] = new JsonObject { ["SigningKey"] = CalendlyKey };
        config.Funnel["Stripe"] = new JsonObject { ["WebhookSecret"] = StripeSecret };
        config.Funnel["ApiKey"] = ApiKey;
        config.Able["Funnels"]!.AsArray().Add(new JsonObject
        {
            ["Mark"] = "other",
            ["Hosts"] = new JsonArray("other.example"),
            ["Origin"] = "http://127.0.0.1:9",
            ["Calendly"] = new JsonObject { ["SigningKey"] = OtherCalendlyKey },
            ["Stripe"] = new JsonObject { ["WebhookSecret"] = OtherStripeSecret },
            ["ApiKey"] = OtherApiKey,
        });
        configure?.Invoke(config.Able);
        var service = await RunningService.StartAttributionAsync(config);
        return new IngressHarness(config, service, redis, ownsRedis);
    }

    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public Uri Url(string pathAndQuery) => new(Service.PublicBase, pathAndQuery);

    /// <summary>A POST of exactly these bytes, signed with <paramref name="secret"/> at <paramref name="t"/> unless a header is given.</summary>
    public static HttpRequestMessage Webhook(string source, string funnel, byte[] body, string? secret = null, long? t = null, string? header = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/{source}-webhook/{funnel}")
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        header ??= WebhookSignature.Sign(body, secret ?? (source == "stripe" ? StripeSecret : CalendlyKey), t ?? Now);
        request.Headers.TryAddWithoutValidation(SignatureHeader(source), header);
        return request;
    }

    /// <summary>The senders' header names, spelled out: the service must read exactly these.</summary>
    public static string SignatureHeader(string source) => source == "stripe" ? "Stripe-Signature" : "Calendly-Webhook-Signature";

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        request.RequestUri = Url(request.RequestUri!.OriginalString);
        return Client.SendAsync(request);
    }

    public static HttpRequestMessage Conversions(string body, string? apiKey = ApiKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/conversions")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return request;
    }

    public async Task<StreamEntry[]> EntriesAsync() => await Redis.GetDatabase().StreamRangeAsync(Stream);

    public async Task<string> MetricsAsync()
    {
        using var response = await Client.GetAsync(new Uri(Service.ManagementBase, "/metrics"));
        return await response.Content.ReadAsStringAsync();
    }

    public static string Field(StreamEntry entry, string name) => entry[name].ToString();

    public static byte[] Bytes(StreamEntry entry, string name) => (byte[])entry[name]!;

    /// <summary>The facts the ingress must store for <paramref name="body"/> of <paramref name="source"/> (these funnels read phones in US, the default).</summary>
    public static string ExpectedFacts(string source, byte[] body) =>
        System.Text.Encoding.UTF8.GetString(IngestFacts.Parse(source, body, new FunnelOptions().DefaultPhoneRegion).ToUtf8Json());

    /// <summary>The entry's stored facts, as text; asserts it holds no raw body.</summary>
    public static string Facts(StreamEntry entry)
    {
        Assert.True(entry[IngestEntry.Body].IsNull, "an ingest entry must not hold the raw body");
        return entry[IngestEntry.Facts].ToString();
    }

    public static long ReceivedAt(StreamEntry entry) => long.Parse(Field(entry, "received_at"), CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        config.Dispose();
        if (ownsRedis)
        {
            await Redis.DisposeAsync();
        }
    }
}
