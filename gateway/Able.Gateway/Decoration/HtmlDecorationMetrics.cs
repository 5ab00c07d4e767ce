using Prometheus;

namespace Able.Gateway.Decoration;

/// <summary>Counters for HTML decoration, created from the gateway's own registry.</summary>
internal sealed class HtmlDecorationMetrics(IMetricFactory metrics)
{
    private readonly Counter rewrites = metrics.CreateCounter(
        "able_html_rewrites_total",
        "Proxied HTML responses run through the Calendly link rewriter, by outcome: decorated (at least one URL got the carrier), already_set (Calendly URLs found, all already carried it), none (no Calendly scheduling URL).",
        ["funnel", "outcome"]);

    private readonly Counter bytes = metrics.CreateCounter(
        "able_html_rewrite_bytes_total",
        "Bytes of (decoded) origin HTML processed by the Calendly link rewriter.",
        ["funnel"]);

    public void Record(string funnel, CalendlyUrlRewriter rewriter)
    {
        rewrites.WithLabels(funnel, rewriter.Outcome).Inc();
        bytes.WithLabels(funnel).Inc(rewriter.BytesProcessed);
    }
}
