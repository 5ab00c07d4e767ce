using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Able.FunctionalTests.Admin;

/// <summary>
/// The real attribution service (AttributionApp on Kestrel, real Redis) with the admin API on, and a client of its
/// management port that sends the admin token (or another, or none).
/// </summary>
public sealed class AdminService : IAsyncDisposable
{
    /// <summary>The configured admin token.</summary>
    public const string Token = "admin-test-token-0123456789abcdef";

    private readonly TestConfig? ownedConfig;

    private AdminService(RunningService service, TestConfig config, bool ownsConfig)
    {
        Service = service;
        Config = config;
        ownedConfig = ownsConfig ? config : null;
    }

    public RunningService Service { get; }

    public TestConfig Config { get; }

    /// <summary>A config of its own (one funnel, <c>acme</c>) with the admin token set, adjusted by <paramref name="configure"/>.</summary>
    public static async Task<AdminService> StartAsync(Action<TestConfig>? configure = null)
    {
        var redis = await RedisTestServer.GetAsync();
        var config = TestConfig.Create(redis.ConnectionString);
        WithAdmin(config);
        configure?.Invoke(config);
        return new AdminService(await RunningService.StartAttributionAsync(config), config, ownsConfig: true);
    }

    /// <summary>The service on <paramref name="config"/>, which the caller keeps (and has given an admin token).</summary>
    public static async Task<AdminService> StartAsync(TestConfig config) =>
        new(await RunningService.StartAttributionAsync(config), config, ownsConfig: false);

    /// <summary>Turns the admin API on in <paramref name="config"/>, reports not cached unless a test says otherwise.</summary>
    public static void WithAdmin(TestConfig config, int reportCacheSeconds = 0) =>
        config.Able["Admin"] = new JsonObject { ["Token"] = Token, ["ReportCacheSeconds"] = reportCacheSeconds };

    /// <summary>
    /// Every admin API route the service maps (from its endpoint data source, so a route added later is in here too):
    /// method and path with sample values in place of route parameters.
    /// </summary>
    public IReadOnlyList<(string Method, string Path)> Routes()
    {
        var routes = new List<(string, string)>();
        foreach (var endpoint in Service.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern;
            if (pattern.RawText is null || !pattern.RawText.Contains("admin/api", StringComparison.Ordinal))
            {
                continue;
            }

            var path = "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => SampleValue(parameter.Name),
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart separator => separator.Content,
                _ => throw new InvalidOperationException($"unexpected route part in {pattern.RawText}"),
            }))));
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST", "PUT", "PATCH", "DELETE"];
            routes.AddRange(methods.Select(method => (method, path)));
        }

        return routes;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, string? token = Token, string? json = null, HttpClient? client = null) =>
        SendAsync(method, new Uri(Service.ManagementBase, pathAndQuery), token, json, client);

    /// <summary>The same request to the public port.</summary>
    public Task<HttpResponseMessage> SendPublicAsync(HttpMethod method, string pathAndQuery, string? token = Token) =>
        SendAsync(method, new Uri(Service.PublicBase, pathAndQuery), token, json: null, client: null);

    public Task<HttpResponseMessage> GetAsync(string pathAndQuery, string? token = Token) => SendAsync(HttpMethod.Get, pathAndQuery, token);

    /// <summary>An admin request that must succeed, and its JSON.</summary>
    public async Task<JsonNode> JsonAsync(HttpMethod method, string pathAndQuery, string? json = null)
    {
        using var response = await SendAsync(method, pathAndQuery, Token, json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {pathAndQuery}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!;
    }

    public Task<JsonNode> GetJsonAsync(string pathAndQuery) => JsonAsync(HttpMethod.Get, pathAndQuery);

    /// <summary>A problem-details answer: its status and body (which must be <c>application/problem+json</c>).</summary>
    public static async Task<(HttpStatusCode Status, JsonObject Problem)> ProblemAsync(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"{(int)response.StatusCode} with {response.Content.Headers.ContentType}: {text}");
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)response.StatusCode, (int?)problem["status"]);
        return (response.StatusCode, problem);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, string? token, string? json, HttpClient? client)
    {
        using var request = new HttpRequestMessage(method, uri);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await (client ?? Service.Client).SendAsync(request);
    }

    private static string SampleValue(string parameter) => parameter switch
    {
        "funnel" => "acme",
        "id" => "1764680000000-0",
        "receiptId" => "schedule:c3e9d0f2-71aa-4b8e-8e25-4a6f0b9d2c71",
        _ => "sample",
    };

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        ownedConfig?.Dispose();
    }
}
