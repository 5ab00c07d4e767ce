using System.Text;
using Able.Gateway.Decoration;

namespace Able.Tests.Decoration;

/// <summary>
/// <see cref="QueryInsertion"/>: where appended parameters go and how they are led, the one rule behind tracked
/// links (<see cref="CalendlyLinkDecoration.Decorate"/>) and the HTML rewriter; both are checked to agree with it.
/// </summary>
public sealed class QueryInsertionTests
{
    private const string Vid = "Vd3kTq9xR2mP0aLbC7eF1g";

    private static readonly CalendlyLinkDecoration Decoration =
        new("salesforce_uuid", Vid, new Dictionary<string, string> { ["utm_source"] = "tik tok" });

    private static readonly KeyValuePair<string, string>[] Parameters = [new("a", "1"), new("b", "x y")];

    [Theory]
    [InlineData("https://calendly.com/acme", 25, null)]
    [InlineData("https://calendly.com/acme?", 26, "")]
    [InlineData("https://calendly.com/acme?x=1&y=2", 33, "x=1&y=2")]
    [InlineData("https://calendly.com/acme#top", 25, null)]
    [InlineData("https://calendly.com/acme?x=1#a?b=2", 29, "x=1")]
    [InlineData("https://calendly.com/acme#frag?not=query", 25, null)]
    [InlineData("#top", 0, null)]
    [InlineData("?x=1", 4, "x=1")]
    [InlineData("?x=1#top", 4, "x=1")]
    [InlineData("", 0, null)]
    public void Splits_at_the_first_fragment_then_the_first_question_mark(string url, int at, string? rawQuery)
    {
        var insertion = QueryInsertion.Of(url);
        Assert.Equal(at, insertion.At);
        Assert.Equal(rawQuery, insertion.RawQuery);
    }

    [Theory]
    [InlineData("https://calendly.com/acme", "&", null, "?a=1&b=x%20y")]
    [InlineData("https://calendly.com/acme?", "&", null, "a=1&b=x%20y")]
    [InlineData("https://calendly.com/acme?x=1&", "&", null, "a=1&b=x%20y")]
    [InlineData("https://calendly.com/acme?x=1", "&", null, "&a=1&b=x%20y")]
    [InlineData("https://calendly.com/acme?x=1&amp;y=2", "&amp;", "x=1&y=2", "&amp;a=1&amp;b=x%20y")]
    [InlineData("https://calendly.com/acme?x=1&amp;", "&amp;", "x=1&", "a=1&amp;b=x%20y")]
    [InlineData("https://calendly.com/acme?x=1\\u0026", "\\u0026", "x=1&", "a=1\\u0026b=x%20y")]
    public void Leads_with_a_question_mark_nothing_or_the_separator(string url, string separator, string? decodedQuery, string expected)
    {
        Assert.Equal(expected, QueryInsertion.Of(url).Text(Parameters, separator, decodedQuery));
    }

    [Theory]
    [InlineData("https://calendly.com/acme/intro", "https://calendly.com/acme/intro?salesforce_uuid=" + Vid + "&utm_source=tik%20tok")]
    [InlineData("https://calendly.com/acme/intro?month=2026-01#x", "https://calendly.com/acme/intro?month=2026-01&salesforce_uuid=" + Vid + "&utm_source=tik%20tok#x")]
    [InlineData("https://calendly.com/acme/intro?&#x", "https://calendly.com/acme/intro?&salesforce_uuid=" + Vid + "&utm_source=tik%20tok#x")]
    [InlineData("https://calendly.com/acme/intro?utm_source=ig&salesforce_uuid=site", "https://calendly.com/acme/intro?utm_source=ig&salesforce_uuid=site")]
    public void Tracked_links_and_the_rewriter_decorate_a_plain_url_alike(string url, string expected)
    {
        Assert.Equal(expected, Decoration.Decorate(url));
        var rewritten = CalendlyUrlRewriter.RewriteAll(Encoding.ASCII.GetBytes($"<a href=\"{url}\">"), Decoration);
        Assert.Equal($"<a href=\"{expected}\">", Encoding.ASCII.GetString(rewritten));
    }

    [Fact]
    public void Splitting_or_leading_without_a_url_or_separator_is_refused()
    {
        Assert.Throws<ArgumentNullException>("url", () => QueryInsertion.Of(null!));
        Assert.Throws<ArgumentNullException>("separator", () => QueryInsertion.Of("https://calendly.com/acme?x=1").Text(Parameters, null!));
    }
}
