using System.Text;
using Able.Gateway.Decoration;
using Able.Schema.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Prometheus;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Able.Tests.Decoration;

/// <summary>
/// What an operator sees of HTML decoration: <c>able_html_rewrites_total</c> counts rewritten pages per funnel and
/// outcome, <c>able_html_rewrite_bytes_total</c> the HTML bytes processed; and <see cref="HtmlDecorationExtensions.AddHtmlDecoration"/>
/// puts the decoration into the proxy's transforms once.
/// </summary>
public sealed class HtmlDecorationMetricsTests
{
    private static readonly CalendlyLinkDecoration Decoration =
        new("salesforce_uuid", "Vd3kTq9xR2mP0aLbC7eF1g", new Dictionary<string, string>());

    [Fact]
    public async Task Each_rewritten_page_counts_once_by_funnel_and_outcome_with_its_bytes()
    {
        var registry = Metrics.NewCustomRegistry();
        var metrics = new HtmlDecorationMetrics(Metrics.WithCustomRegistry(registry));

        const string decorated = "<a href=\"https://calendly.com/acme/intro\">Book</a>";
        const string carried = "<a href=\"https://calendly.com/acme/intro?salesforce_uuid=site\">Book</a>";
        const string plain = "<p>No booking link</p>";
        metrics.Record("acme", Rewritten(decorated));
        metrics.Record("acme", Rewritten(decorated));
        metrics.Record("acme", Rewritten(carried));
        metrics.Record("beta", Rewritten(plain));

        var text = await ExportAsync(registry);
        Assert.Contains("able_html_rewrites_total{funnel=\"acme\",outcome=\"decorated\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("able_html_rewrites_total{funnel=\"acme\",outcome=\"already_set\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("able_html_rewrites_total{funnel=\"beta\",outcome=\"none\"} 1", text, StringComparison.Ordinal);
        Assert.Contains($"able_html_rewrite_bytes_total{{funnel=\"acme\"}} {(2 * decorated.Length) + carried.Length}", text, StringComparison.Ordinal);
        Assert.Contains($"able_html_rewrite_bytes_total{{funnel=\"beta\"}} {plain.Length}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_decoration_is_one_of_the_proxys_transform_providers_once()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IOptionsMonitor<AbleOptions>>(new FixedOptions(new AbleOptions()));
        services.AddSingleton<IMetricFactory>(Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()));

        services.AddHtmlDecoration();
        services.AddHtmlDecoration();

        using var provider = services.BuildServiceProvider();
        Assert.Single(provider.GetServices<ITransformProvider>().OfType<HtmlDecorationTransforms>());
        Assert.Same(provider.GetRequiredService<HtmlDecorationMetrics>(), provider.GetRequiredService<HtmlDecorationMetrics>());
    }

    private static CalendlyUrlRewriter Rewritten(string html)
    {
        var rewriter = new CalendlyUrlRewriter(Decoration);
        CalendlyUrlRewriter.RewriteAll(Encoding.ASCII.GetBytes(html), rewriter);
        return rewriter;
    }

    private static async Task<string> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private sealed class FixedOptions(AbleOptions value) : IOptionsMonitor<AbleOptions>
    {
        public AbleOptions CurrentValue => value;

        public AbleOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<AbleOptions, string?> listener) => null;
    }
}
