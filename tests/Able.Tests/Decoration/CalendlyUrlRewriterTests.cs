using System.Text;
using Able.Gateway.Decoration;

namespace Able.Tests.Decoration;

/// <summary>Real-world Calendly embed snippets and what the gateway turns them into.</summary>
public sealed class CalendlyUrlRewriterTests
{
    private const string Vid = "Vd3kTq9xR2mP0aLbC7eF1g";
    private const string Added = "salesforce_uuid=" + Vid + "&utm_source=tiktok";

    private static readonly CalendlyLinkDecoration Decoration =
        new("salesforce_uuid", Vid, new Dictionary<string, string> { ["utm_source"] = "tiktok" });

    public static TheoryData<string, string, string> Snippets => new()
    {
        {
            "inline embed div",
            """<div class="calendly-inline-widget" data-url="https://calendly.com/acme/intro" style="min-width:320px;height:700px;"></div>""",
            $"""<div class="calendly-inline-widget" data-url="https://calendly.com/acme/intro?{Added}" style="min-width:320px;height:700px;"></div>"""
        },
        {
            "popup link onclick",
            """<a href="" onclick="Calendly.initPopupWidget({url: 'https://calendly.com/acme/intro'});return false;">Schedule time with me</a>""",
            $"""<a href="" onclick="Calendly.initPopupWidget({"{"}url: 'https://calendly.com/acme/intro?{Added}'{"}"});return false;">Schedule time with me</a>"""
        },
        {
            "inline widget by script, existing query",
            """<script>Calendly.initInlineWidget({url: "https://calendly.com/acme/intro?hide_gdpr_banner=1", parentElement: document.getElementById('x')});</script>""",
            $"""<script>Calendly.initInlineWidget({"{"}url: "https://calendly.com/acme/intro?hide_gdpr_banner=1&{Added}", parentElement: document.getElementById('x'){"}"});</script>"""
        },
        {
            "badge widget",
            """<script>window.onload = function() { Calendly.initBadgeWidget({ url: 'https://calendly.com/acme', text: 'Schedule time', color: '#0069ff', textColor: '#ffffff' }); }</script>""",
            $"""<script>window.onload = function() {"{"} Calendly.initBadgeWidget({"{"} url: 'https://calendly.com/acme?{Added}', text: 'Schedule time', color: '#0069ff', textColor: '#ffffff' {"}"}); {"}"}</script>"""
        },
        {
            "plain link",
            """<a href="https://calendly.com/acme/intro">Book</a>""",
            $"""<a href="https://calendly.com/acme/intro?{Added}">Book</a>"""
        },
        {
            "single-quoted attribute",
            "<a href='https://calendly.com/acme/intro'>Book</a>",
            $"<a href='https://calendly.com/acme/intro?{Added}'>Book</a>"
        },
        {
            "unquoted attribute before >",
            "<a href=https://calendly.com/acme/intro>Book</a>",
            $"<a href=https://calendly.com/acme/intro?{Added}>Book</a>"
        },
        {
            "unquoted attribute before another attribute",
            "<a href=https://calendly.com/acme/intro class=cta>Book</a>",
            $"<a href=https://calendly.com/acme/intro?{Added} class=cta>Book</a>"
        },
        {
            "http and www",
            """<a href="http://www.calendly.com/acme/intro">Book</a>""",
            $"""<a href="http://www.calendly.com/acme/intro?{Added}">Book</a>"""
        },
        {
            "upper-case scheme and host",
            """<a href="HTTPS://Calendly.COM/acme/intro">Book</a>""",
            $"""<a href="HTTPS://Calendly.COM/acme/intro?{Added}">Book</a>"""
        },
        {
            "team /d/ link",
            """<a href="https://calendly.com/d/abcd-efg-hij/intro-call">Book</a>""",
            $"""<a href="https://calendly.com/d/abcd-efg-hij/intro-call?{Added}">Book</a>"""
        },
        {
            "existing query and fragment",
            """<a href="https://calendly.com/acme/intro?month=2026-12#calendar">Book</a>""",
            $"""<a href="https://calendly.com/acme/intro?month=2026-12&{Added}#calendar">Book</a>"""
        },
        {
            "fragment only",
            """<a href="https://calendly.com/acme/intro#calendar">Book</a>""",
            $"""<a href="https://calendly.com/acme/intro?{Added}#calendar">Book</a>"""
        },
        {
            "empty query",
            """<a href="https://calendly.com/acme/intro?">Book</a>""",
            $"""<a href="https://calendly.com/acme/intro?{Added}">Book</a>"""
        },
        {
            "&amp; entities in the query",
            """<a href="https://calendly.com/acme/intro?hide_gdpr_banner=1&amp;month=2026-12">Book</a>""",
            $"""<a href="https://calendly.com/acme/intro?hide_gdpr_banner=1&amp;month=2026-12&amp;salesforce_uuid={Vid}&amp;utm_source=tiktok">Book</a>"""
        },
        {
            "escaped JSON",
            """<script type="application/ld+json">{"url":"https:\/\/calendly.com\/acme\/intro","name":"Intro"}</script>""",
            $$"""<script type="application/ld+json">{"url":"https:\/\/calendly.com\/acme\/intro?{{Added}}","name":"Intro"}</script>"""
        },
        {
            "escaped JSON with \\u0026 in the query",
            """<script>var cfg = {"url":"https:\/\/calendly.com\/acme\/intro?a1=x\u0026month=2026-12"};</script>""",
            $$"""<script>var cfg = {"url":"https:\/\/calendly.com\/acme\/intro?a1=x\u0026month=2026-12\u0026salesforce_uuid={{Vid}}\u0026utm_source=tiktok"};</script>"""
        },
        {
            "JS string with escaped quotes",
            """<script>el.innerHTML = '<a href=\"https://calendly.com/acme/intro\">Book</a>';</script>""",
            $"""<script>el.innerHTML = '<a href=\"https://calendly.com/acme/intro?{Added}\">Book</a>';</script>"""
        },
        {
            "JSON string quoted with \\u0022 inside a string",
            """<script>var html = "\u003Ca href=\u0022https://calendly.com/acme/intro\u0022\u003EBook";</script>""",
            $"""<script>var html = "\u003Ca href=\u0022https://calendly.com/acme/intro?{Added}\u0022\u003EBook";</script>"""
        },
        {
            "a URL glued to a word is not a URL",
            "<p>xhttps://calendly.com/acme/intro</p>",
            "<p>xhttps://calendly.com/acme/intro</p>"
        },
        {
            "JSON in an attribute with &quot;",
            """<div data-options="{&quot;url&quot;:&quot;https://calendly.com/acme/intro&quot;}"></div>""",
            $"""<div data-options="{"{"}&quot;url&quot;:&quot;https://calendly.com/acme/intro?{Added}&quot;{"}"}"></div>"""
        },
        {
            "URL ending a sentence",
            "<p>Book at https://calendly.com/acme/intro.</p>",
            $"<p>Book at https://calendly.com/acme/intro?{Added}.</p>"
        },
        {
            "carrier already set: the site's value stays",
            """<a href="https://calendly.com/acme/intro?salesforce_uuid=site-value">Book</a>""",
            """<a href="https://calendly.com/acme/intro?salesforce_uuid=site-value&utm_source=tiktok">Book</a>"""
        },
        {
            "UTM already set: the site's value stays",
            """<a href="https://calendly.com/acme/intro?utm_source=newsletter">Book</a>""",
            $"""<a href="https://calendly.com/acme/intro?utm_source=newsletter&salesforce_uuid={Vid}">Book</a>"""
        },
        {
            "two links",
            """<a href="https://calendly.com/acme/a">A</a><a href="https://calendly.com/acme/b">B</a>""",
            $"""<a href="https://calendly.com/acme/a?{Added}">A</a><a href="https://calendly.com/acme/b?{Added}">B</a>"""
        },
        {
            "widget script from assets.calendly.com",
            """<script src="https://assets.calendly.com/assets/external/widget.js" type="text/javascript" async></script>""",
            """<script src="https://assets.calendly.com/assets/external/widget.js" type="text/javascript" async></script>"""
        },
        {
            "widget CSS from assets.calendly.com",
            """<link href="https://assets.calendly.com/assets/external/widget.css" rel="stylesheet">""",
            """<link href="https://assets.calendly.com/assets/external/widget.css" rel="stylesheet">"""
        },
        {
            "look-alike calendly.com.evil.example",
            """<a href="https://calendly.com.evil.example/acme/intro">Book</a>""",
            """<a href="https://calendly.com.evil.example/acme/intro">Book</a>"""
        },
        {
            "look-alike notcalendly.com",
            """<a href="https://notcalendly.com/acme/intro">Book</a>""",
            """<a href="https://notcalendly.com/acme/intro">Book</a>"""
        },
        {
            "look-alike calendly.community",
            """<a href="https://calendly.community/acme/intro">Book</a>""",
            """<a href="https://calendly.community/acme/intro">Book</a>"""
        },
        {
            "user-info trick calendly.com@evil.example",
            """<a href="https://calendly.com@evil.example/acme/intro">Book</a>""",
            """<a href="https://calendly.com@evil.example/acme/intro">Book</a>"""
        },
        {
            "Calendly home page is not a scheduling URL",
            """<a href="https://calendly.com/">Calendly</a> <a href="https://calendly.com">Calendly</a>""",
            """<a href="https://calendly.com/">Calendly</a> <a href="https://calendly.com">Calendly</a>"""
        },
        {
            "other schemes",
            """<a href="ftp://calendly.com/acme/intro">x</a> <a href="//calendly.com/acme/intro">y</a>""",
            """<a href="ftp://calendly.com/acme/intro">x</a> <a href="//calendly.com/acme/intro">y</a>"""
        },
    };

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Snippet_is_rewritten_exactly(string name, string input, string expected)
    {
        Assert.False(string.IsNullOrEmpty(name));
        Assert.Equal(expected, Rewrite(input, Decoration));
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Snippet_cut_into_single_bytes_gives_the_same_output(string name, string input, string expected)
    {
        Assert.False(string.IsNullOrEmpty(name));
        var rewriter = new CalendlyUrlRewriter(Decoration);
        using var output = new MemoryStream();
        foreach (var b in Encoding.UTF8.GetBytes(input))
        {
            rewriter.Write([b], output);
        }

        rewriter.Complete(output);
        Assert.Equal(expected, Encoding.UTF8.GetString(output.ToArray()));
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Snippet_cut_in_two_at_every_offset_gives_the_same_output(string name, string input, string expected)
    {
        Assert.False(string.IsNullOrEmpty(name));
        var bytes = Encoding.UTF8.GetBytes(input);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var rewriter = new CalendlyUrlRewriter(Decoration);
            using var output = new MemoryStream();
            rewriter.Write(bytes.AsSpan(0, cut), output);
            rewriter.Write(bytes.AsSpan(cut), output);
            rewriter.Complete(output);
            Assert.True(expected == Encoding.UTF8.GetString(output.ToArray()), $"cut at {cut}");
            Assert.False(rewriter.HoldsPooledBuffer);
        }
    }

    [Fact]
    public void Held_back_tail_is_in_a_pooled_buffer_that_goes_back_at_the_end()
    {
        var rewriter = new CalendlyUrlRewriter(Decoration);
        using var output = new MemoryStream();
        Assert.False(rewriter.HoldsPooledBuffer);

        rewriter.Write("<p>no link here</p>"u8, output);
        Assert.False(rewriter.HoldsPooledBuffer);

        rewriter.Write("<a href=\"https://calendly.com/acme"u8, output);
        Assert.True(rewriter.HoldsPooledBuffer);
        Assert.True(rewriter.PendingBytes > 0);

        rewriter.Write("/intro\">"u8, output);
        rewriter.Complete(output);
        Assert.False(rewriter.HoldsPooledBuffer);
        Assert.Equal($"<p>no link here</p><a href=\"https://calendly.com/acme/intro?{Added}\">", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public void Abandoned_document_returns_its_buffer_and_takes_no_more_chunks()
    {
        var rewriter = new CalendlyUrlRewriter(Decoration);
        using var output = new MemoryStream();
        rewriter.Write("<a href=\"https://calendly.com/acme"u8, output);

        rewriter.Abandon();
        rewriter.Abandon();

        Assert.False(rewriter.HoldsPooledBuffer);
        Assert.Equal(0, rewriter.PendingBytes);
        Assert.Equal("<a href=\"", Encoding.UTF8.GetString(output.ToArray()));
        Assert.Throws<ObjectDisposedException>(() => rewriter.Write("x"u8, output));
    }

    [Fact]
    public void Carrier_parameter_can_be_a_utm_name()
    {
        var decoration = new CalendlyLinkDecoration("utm_term", Vid, new Dictionary<string, string> { ["utm_source"] = "tiktok", ["utm_term"] = "shoes" });

        var output = Rewrite("""<a href="https://calendly.com/acme/intro">Book</a>""", decoration);

        Assert.Equal($"""<a href="https://calendly.com/acme/intro?utm_term={Vid}&utm_source=tiktok">Book</a>""", output);
    }

    [Fact]
    public void Visitor_utm_values_are_percent_encoded_so_they_cannot_break_out_of_any_context()
    {
        var decoration = new CalendlyLinkDecoration("salesforce_uuid", Vid, new Dictionary<string, string>
        {
            ["utm_campaign"] = "\"'><script>alert(1)</script>&amp;\\u0022 x",
        });

        var output = Rewrite("""<a href="https://calendly.com/acme/intro">Book</a>""", decoration);

        Assert.Equal(
            $"""<a href="https://calendly.com/acme/intro?salesforce_uuid={Vid}&utm_campaign=%22%27%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E%26amp%3B%5Cu0022%20x">Book</a>""",
            output);
    }

    [Fact]
    public void Outcome_counts_decorated_already_set_and_none()
    {
        Assert.Equal("none", OutcomeOf("<p>no links</p>"));
        Assert.Equal("none", OutcomeOf("""<script src="https://assets.calendly.com/assets/external/widget.js"></script>"""));
        Assert.Equal("already_set", OutcomeOf("""<a href="https://calendly.com/acme/intro?salesforce_uuid=x">"""));
        Assert.Equal("decorated", OutcomeOf("""<a href="https://calendly.com/acme/intro?salesforce_uuid=x"><a href="https://calendly.com/acme/b">"""));
    }

    [Fact]
    public void Non_ascii_bytes_pass_through_untouched()
    {
        var latin1 = new byte[] { 0x3C, 0x70, 0x3E, 0xE9, 0xFC, 0x20 }; // "<p>éü " in ISO-8859-1, not valid UTF-8
        var input = latin1.Concat(Encoding.ASCII.GetBytes("<a href=\"https://calendly.com/acme/intro\">")).Concat(new byte[] { 0xFF, 0xFE }).ToArray();

        var output = CalendlyUrlRewriter.RewriteAll(input, Decoration);

        var expected = latin1.Concat(Encoding.ASCII.GetBytes($"<a href=\"https://calendly.com/acme/intro?{Added}\">")).Concat(new byte[] { 0xFF, 0xFE }).ToArray();
        Assert.Equal(expected, output);
    }

    [Fact]
    public void An_overlong_candidate_is_left_alone_and_memory_stays_bounded()
    {
        var input = "<a href=\"https://calendly.com/acme/" + new string('x', CalendlyUrlRewriter.MaxUrlLength * 3) + "\">";
        var rewriter = new CalendlyUrlRewriter(Decoration);
        using var output = new MemoryStream();
        foreach (var chunk in Encoding.ASCII.GetBytes(input).Chunk(7))
        {
            rewriter.Write(chunk, output);
            Assert.True(rewriter.PendingBytes <= CalendlyUrlRewriter.MaxUrlLength + 16, $"held back {rewriter.PendingBytes} bytes");
        }

        rewriter.Complete(output);
        Assert.Equal(input, Encoding.ASCII.GetString(output.ToArray()));
    }

    private static string OutcomeOf(string html)
    {
        var rewriter = new CalendlyUrlRewriter(Decoration);
        using var output = new MemoryStream();
        rewriter.Write(Encoding.UTF8.GetBytes(html), output);
        rewriter.Complete(output);
        return rewriter.Outcome;
    }

    private static string Rewrite(string html, CalendlyLinkDecoration decoration) =>
        Encoding.UTF8.GetString(CalendlyUrlRewriter.RewriteAll(Encoding.UTF8.GetBytes(html), decoration));
}
