using System.Text;
using Able.Gateway.Capture;
using Able.Gateway.Decoration;
using Able.Gateway.Routing;
using Able.Hosting.Configuration;
using Able.Schema.Configuration;
using Able.Schema.Visitors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Prometheus;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Able.Tests.Decoration;

/// <summary>
/// <c>/go/{link}</c> on a funnel site: a redirect to the configured URL, decorated with the visitor id and UTMs for a
/// person's GET (captured once, as a link), undecorated for link checkers, crawlers and prefetches; never cached by a
/// shared cache. The capture runs for real up to its in-memory queue (the Redis writer is not part of this).
/// </summary>
public sealed class TrackedLinkAnswerTests
{
    private const string Browser = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    private const string Target = "https://calendly.com/acme/intro?month=2026-12#top";

    private readonly string visitorId = VisitorId.New();
    private readonly FunnelOptions funnel = new()
    {
        Mark = "acme",
        Hosts = ["book.example.com"],
        Origin = "http://127.0.0.1:1",
        Links = new Dictionary<string, string> { ["intro"] = Target },
    };

    private readonly AbleOptions options;
    private readonly CaptureQueue queue;
    private readonly VisitorCapture capture;
    private readonly ServiceProvider services;

    public TrackedLinkAnswerTests()
    {
        options = new AbleOptions { Funnels = [funnel] };
        var metrics = new CaptureMetrics(Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()));
        queue = new CaptureQueue(Options.Create(options), metrics);
        capture = new VisitorCapture(
            queue, new CaptureBudget(Options.Create(options), TimeProvider.System), metrics, new ClientAddressResolver(new FixedOptionsMonitor<AbleOptions>(options)), TimeProvider.System);
        services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(capture)
            .AddSingleton<IOptionsMonitor<AbleOptions>>(new FixedOptionsMonitor<AbleOptions>(options))
            .BuildServiceProvider();
    }

    [Fact]
    public async Task A_persons_get_is_captured_as_a_link_and_sent_to_the_decorated_target()
    {
        var context = Request("GET", "intro");

        await TrackedLinks.AnswerAsync(context, funnel, "intro", capture);

        Assert.Equal(StatusCodes.Status302Found, context.Response.StatusCode);
        Assert.Equal(
            $"https://calendly.com/acme/intro?month=2026-12&salesforce_uuid={visitorId}&utm_source=tiktok&utm_campaign=spring#top",
            context.Response.Headers.Location.ToString());
        Assert.Equal("private, no-store", context.Response.Headers.CacheControl.ToString());
        Assert.True(queue.Reader.TryRead(out var record));
        Assert.Equal(VisitorCapture.Link, record.Touch.Kind);
        Assert.Equal(visitorId, record.VisitorId);
        Assert.False(queue.Reader.TryRead(out _));
    }

    [Fact]
    public async Task The_funnels_carrier_parameter_carries_the_visitor_id()
    {
        var custom = funnel with { Calendly = new CalendlyFunnelOptions { CarrierParam = "utm_term" } };
        var context = Request("GET", "intro", query: "");

        await TrackedLinks.AnswerAsync(context, custom, "intro", capture);

        Assert.Equal($"https://calendly.com/acme/intro?month=2026-12&utm_term={visitorId}#top", context.Response.Headers.Location.ToString());
    }

    public static TheoryData<string, string?, string?> NotVisitors => new()
    {
        { "HEAD", Browser, null },
        { "GET", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", null },
        { "GET", "", null },
        { "GET", Browser, "Sec-Purpose" },
        { "GET", Browser, "Purpose" },
    };

    /// <summary>Link checkers (HEAD), crawlers and link previews, and prefetches follow the link but are not visitors: plain target, nothing captured.</summary>
    [Theory]
    [MemberData(nameof(NotVisitors))]
    public async Task Link_checkers_crawlers_and_prefetches_get_the_plain_target(string method, string? userAgent, string? prefetchHeader)
    {
        var context = Request(method, "intro", userAgent: userAgent);
        if (prefetchHeader is not null)
        {
            context.Request.Headers[prefetchHeader] = "prefetch";
        }

        await TrackedLinks.AnswerAsync(context, funnel, "intro", capture);

        Assert.Equal(StatusCodes.Status302Found, context.Response.StatusCode);
        Assert.Equal(Target, context.Response.Headers.Location.ToString());
        Assert.Equal("private, no-store", context.Response.Headers.CacheControl.ToString());
        Assert.False(queue.Reader.TryRead(out _));
    }

    [Fact]
    public async Task A_visitor_who_refused_consent_gets_the_plain_target()
    {
        var context = Request("GET", "intro");
        context.Request.Headers["Sec-GPC"] = "1";

        await TrackedLinks.AnswerAsync(context, funnel, "intro", capture);

        Assert.Equal(Target, context.Response.Headers.Location.ToString());
        Assert.False(queue.Reader.TryRead(out _));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task Other_methods_are_not_allowed(string method)
    {
        var context = Request(method, "intro");

        await TrackedLinks.AnswerAsync(context, funnel, "intro", capture);

        Assert.Equal(StatusCodes.Status405MethodNotAllowed, context.Response.StatusCode);
        Assert.Equal("GET, HEAD", context.Response.Headers.Allow.ToString());
        Assert.Equal("Tracked links answer GET only.\n", Body(context));
        Assert.False(context.Response.Headers.ContainsKey(HeaderNames.Location));
        Assert.False(queue.Reader.TryRead(out _));
    }

    [Theory]
    [InlineData("outro", "outro")]
    [InlineData("INTRO", "INTRO")]
    [InlineData("x", "x")]
    [InlineData(64, 64)]
    [InlineData(65, 64)]
    [InlineData(500, 64)]
    public async Task An_unknown_link_is_404_naming_it_at_most_64_characters(object name, object shown)
    {
        var link = name is int length ? new string('n', length - 1) + "z" : (string)name;
        var expected = shown is int max ? link[..max] : (string)shown;
        var context = Request("GET", link);

        await TrackedLinks.AnswerAsync(context, funnel, link, capture);

        Assert.Equal(StatusCodes.Status404NotFound, context.Response.StatusCode);
        Assert.Equal($"No tracked link named '{expected}' on this site.\n", Body(context));
        Assert.False(context.Response.Headers.ContainsKey(HeaderNames.Location));
        Assert.False(queue.Reader.TryRead(out _));
    }

    /// <summary>The proxy pipeline step: <c>/go/{link}</c> on a funnel route is answered there; everything else goes on to the proxy.</summary>
    [Theory]
    [InlineData("/go/intro", "acme", true)]
    [InlineData("/go/intro/", "acme", true)]
    [InlineData("/go/", "acme", false)]
    [InlineData("/about", "acme", false)]
    [InlineData("/go/intro", null, false)]
    [InlineData("/go/intro", "unknown", false)]
    public async Task The_proxy_pipeline_answers_tracked_links_of_funnel_routes_only(string path, string? mark, bool answered)
    {
        var proxy = new ProxyPipeline(services);
        proxy.UseTrackedLinks();
        var proxied = false;
        proxy.Run(_ =>
        {
            proxied = true;
            return Task.CompletedTask;
        });
        var pipeline = proxy.Build();
        var context = Request("GET", "intro");
        context.Request.Path = path;
        context.Features.Set<IReverseProxyFeature>(new RouteFeature(mark));

        await pipeline(context);

        Assert.Equal(!answered, proxied);
        Assert.Equal(answered ? StatusCodes.Status302Found : StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal(answered, queue.Reader.TryRead(out _));
    }

    private DefaultHttpContext Request(string method, string link, string? userAgent = Browser, string query = "?utm_source=tiktok&utm_campaign=spring")
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("book.example.com");
        context.Request.Path = TrackedLinks.PathPrefix + link;
        context.Request.QueryString = new QueryString(query);
        context.Request.Headers.Accept = "text/html";
        context.Request.Headers.Cookie = $"able_vid={visitorId}";
        if (userAgent is not null)
        {
            context.Request.Headers.UserAgent = userAgent;
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string Body(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());

    /// <summary>What YARP's proxy pipeline is built on: an application builder (the step only adds middleware to it).</summary>
    private sealed class ProxyPipeline(IServiceProvider services) : IReverseProxyApplicationBuilder
    {
        private readonly ApplicationBuilder inner = new(services);

        public IServiceProvider ApplicationServices
        {
            get => inner.ApplicationServices;
            set => inner.ApplicationServices = value;
        }

        public IFeatureCollection ServerFeatures => inner.ServerFeatures;

        public IDictionary<string, object?> Properties => inner.Properties;

        public RequestDelegate Build() => inner.Build();

        public IApplicationBuilder New() => inner.New();

        public IApplicationBuilder Use(Func<RequestDelegate, RequestDelegate> middleware)
        {
            inner.Use(middleware);
            return this;
        }
    }

    /// <summary>The route YARP matched, as the proxy feature carries it: a funnel's site route (metadata names its mark) or an ingress route.</summary>
    private sealed class RouteFeature(string? mark) : IReverseProxyFeature
    {
        public RouteModel Route { get; } = new(
            mark is null
                ? new RouteConfig { RouteId = "ingress", ClusterId = FunnelProxyConfigProvider.AttributionClusterId }
                : new RouteConfig { RouteId = mark, ClusterId = mark, Metadata = new Dictionary<string, string> { [FunnelMetadata.Key] = mark } },
            cluster: null,
            HttpTransformer.Empty);

        public ClusterModel Cluster => throw new NotSupportedException();

        public IReadOnlyList<DestinationState> AllDestinations => [];

        public IReadOnlyList<DestinationState> AvailableDestinations { get; set; } = [];

        public DestinationState? ProxiedDestination { get; set; }
    }
}
