using System.Text;
using System.Text.RegularExpressions;
using Able.Gateway.Decoration;

namespace Able.Tests.Decoration;

/// <summary>
/// The rewriter's contract case by case: where a Calendly URL starts and ends in its escaped forms (JSON <c>\/</c> and
/// <c>\uXXXX</c>, HTML entities), how appended parameters join the URL's own query, what counts as a parameter the URL
/// already has, and that the output is the same however the page is cut. Each case is written as the page with
/// «markers» where the parameters go; both the byte path and the general (<see cref="Uri"/>-based) way must produce it.
/// </summary>
public sealed partial class CalendlyUrlRewriterContractTests
{
    private const string Vid = "Vd3kTq9xR2mP0aLbC7eF1g";
    private const string Carrier = "salesforce_uuid=" + Vid;
    private const string Utm = "utm_source=tiktok";

    private static readonly CalendlyLinkDecoration Decoration =
        new("salesforce_uuid", Vid, new Dictionary<string, string> { ["utm_source"] = "tiktok" });

    /// <summary>What each marker stands for: the lead, then the parameters joined with the separator.</summary>
    private static readonly Dictionary<string, string> Insertions = new(StringComparer.Ordinal)
    {
        ["?"] = "?" + Carrier + "&" + Utm,
        ["&"] = "&" + Carrier + "&" + Utm,
        [""] = Carrier + "&" + Utm,
        ["&amp;"] = "&amp;" + Carrier + "&amp;" + Utm,
        ["amp;"] = Carrier + "&amp;" + Utm,
        ["\\u0026"] = "\\u0026" + Carrier + "\\u0026" + Utm,
        ["u0026"] = Carrier + "\\u0026" + Utm,
        ["&utm"] = "&" + Utm,
        ["&carrier"] = "&" + Carrier,
    };

    [Theory]
    [InlineData("""<a href='https://calendly.com/acme\u002Fintro«?»'>""")]
    [InlineData("""<a href='https://calendly.com/acme\u002fintro«?»'>""")]
    [InlineData("""<a href='https:\/\/calendly.com\/acme\u002fintro«?»'>""")]
    [InlineData("""'https://calendly.com/acme\u0030x«?»'""")]
    [InlineData("""'https://calendly.com/acme\u0039x«?»'""")]
    [InlineData("""'https://calendly.com/acme\u006ax«?»'""")]
    [InlineData("""'https://calendly.com/acme\u006Ax«?»'""")]
    [InlineData("""'https://calendly.com/acme\u004Ax«?»'""")]
    [InlineData("""'https://calendly.com/acme\u004ax«?»'""")]
    [InlineData("""'https://calendly.com/acme\u007ex«?»'""")]
    [InlineData("""'https://calendly.com/acme\u007Ex«?»'""")]
    [InlineData("""'https://calendly.com/acme\u002Dx\u005Fy«?»'""")]
    public void A_json_escape_of_a_url_character_is_part_of_the_url(string page) => AssertRewrites(page);

    [Theory]
    [InlineData("""\u0022""")]
    [InlineData("""\u0027""")]
    [InlineData("""\u003C""")]
    [InlineData("""\u003c""")]
    [InlineData("""\u003E""")]
    [InlineData("""\u005C""")]
    [InlineData("""\u005c""")]
    [InlineData("""\u0020""")]
    [InlineData("""\u007F""")]
    [InlineData("""\u00e9""")]
    [InlineData("""\u00E9""")]
    [InlineData("""\u0141""")]
    [InlineData("""\u2028""")]
    [InlineData("""\u004g""")]
    [InlineData("""\u41zz""")]
    [InlineData("""\uzzzz""")]
    [InlineData("""\u00""")]
    [InlineData("""\n0041""")]
    [InlineData("""\t""")]
    [InlineData("""\'""")]
    [InlineData("""\\""")]
    public void An_escape_of_anything_else_ends_the_url(string escape)
    {
        AssertRewrites("'https://calendly.com/acme«?»" + escape + "x'");
        AssertRewrites("'https:\\/\\/calendly.com\\/acme\\/intro«?»" + escape + "x'");
    }

    [Theory]
    [InlineData("""x https://calendly.com/acme«?»\""")]
    [InlineData("""x https://calendly.com/acme«?»\u00""")]
    [InlineData("""x https://calendly.com/acme«?»\u004""")]
    [InlineData("""x https:\/\/calendly.com\/acme\/«?»""")]
    [InlineData("""x https:\/\/calendly.com\/acme\u0041«?»""")]
    [InlineData("""x https://calendly.com/acme?a=1«&»""")]
    [InlineData("""https://calendly.com/acme«?»""")]
    public void A_url_at_the_end_of_the_page_ends_there(string page) => AssertRewrites(page);

    /// <summary>Hex digits of every kind (0, 9, a, f, A, F) at every place of the escape before the URL.</summary>
    public static TheoryData<string> EscapesThatOpenAString()
    {
        var data = new TheoryData<string>();
        foreach (var digit in "09afAF")
        {
            for (var at = 0; at < 4; at++)
            {
                data.Add(Replaced("0022", at, digit));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EscapesThatOpenAString))]
    public void A_url_right_after_a_unicode_escape_starts_there(string hex) =>
        AssertRewrites("var html = \"\\u" + hex + "https://calendly.com/acme/intro«?»\";");

    /// <summary>What is not a \uXXXX escape before a URL glued to it: the URL continues a word and is not one.</summary>
    public static TheoryData<string> NotAnEscape()
    {
        var data = new TheoryData<string> { "Xu0022", "\\x0022", "\\U0022", "u0022", "\\u022", "\\\\u0022x" };
        foreach (var notHex in "/:`@gGzZ")
        {
            for (var at = 0; at < 3; at++)
            {
                data.Add("\\u" + Replaced("0022", at, notHex));
            }
        }

        foreach (var notHex in "gGzZ")
        {
            data.Add("\\u002" + notHex);
        }

        return data;
    }

    private static string Replaced(string text, int at, char c)
    {
        var chars = text.ToCharArray();
        chars[at] = c;
        return new string(chars);
    }

    [Theory]
    [MemberData(nameof(NotAnEscape))]
    public void A_url_glued_to_a_word_that_is_not_an_escape_is_not_a_url(string word) =>
        AssertRewrites("var s = \"" + word + "https://calendly.com/acme/intro\";");

    [Theory]
    [InlineData("""<a href="https://calendly.com/acme?a=1&AMP;b=2«&amp;»">""")]
    [InlineData("""<a href="https://calendly.com/acme?&amp;a=1«&amp;»">""")]
    [InlineData("""<a href="https://calendly.com/acme?&AMP;a=1«&amp;»">""")]
    [InlineData("""'https:\/\/calendly.com\/acme?\u0026a=1«\u0026»'""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1&amp;«amp;»">""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1&AMP;«amp;»">""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1&Amp;«»">""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1&«»">""")]
    [InlineData("""<a href="https://calendly.com/acme?«»">""")]
    [InlineData("""'https:\/\/calendly.com\/acme?a=1\u0026«u0026»'""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1&xmp;«&»">""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1&amq;«&»">""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1&u0026«&»">""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1&amp«&»">""")]
    public void Parameters_join_the_query_with_its_own_separator_and_only_after_a_parameter(string page) => AssertRewrites(page);

    [Theory]
    [InlineData("""<a href="https://calendly.com/acme?a=1&#38;«»">""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1&#38;b=2«&»">""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1&#38;b=2«&»#top">""")]
    [InlineData("""<a href="https://calendly.com/acme?month=2026-12&#038;hide_gdpr_banner=1«&»">""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1&#x26;b=2«&»">""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1&#X26;b=2«&»">""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1&«»#x">""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1&«»#xyz">""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1&«»#top">""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1&«»#">""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1«&»#38">""")]
    [InlineData("""<a href="https://calendly.com/acme«?»#&#38;x">""")]
    [InlineData("""<a href="https://calendly.com/acme?utm_source=ig&#38;salesforce_uuid=site">""")]
    [InlineData("""<a href="https://calendly.com/acme?a%20b=1&#38;utm_source=ig«&carrier»">""")]
    public void A_numeric_character_reference_in_the_query_is_not_a_fragment(string page) => AssertRewrites(page);

    [Theory]
    [InlineData("""<a href="https://calendly.com/acme?salesforce_uuid=x&utm_source=y">""")]
    [InlineData("""<a href="https://calendly.com/acme?utm_source=y&amp;salesforce_uuid=x">""")]
    [InlineData("""'https:\/\/calendly.com\/acme?utm_source=y\u0026salesforce_uuid=x'""")]
    [InlineData("""<a href="https://calendly.com/acme?salesforce_uuid«&utm»">""")]
    [InlineData("""<a href="https://calendly.com/acme?salesforce_uuid=«&utm»">""")]
    [InlineData("""<a href="https://calendly.com/acme?&&salesforce_uuid=x«&utm»">""")]
    [InlineData("""<a href="https://calendly.com/acme?salesforce\u005Fuuid=x«&utm»">""")]
    [InlineData("""<a href="https://calendly.com/acme?salesforce%5Fuuid=x«&utm»">""")]
    [InlineData("""<a href="https://calendly.com/acme?utm_source=ig«&carrier»">""")]
    [InlineData("""<a href="https://calendly.com/acme?SALESFORCE_UUID=x&Utm_Source=y«&»">""")]
    [InlineData("""<a href="https://calendly.com/acme?salesforce_uui=x«&»">""")]
    [InlineData("""<a href="https://calendly.com/acme?salesforce_uuidx=1«&»">""")]
    [InlineData("""<a href="https://calendly.com/acme?a=salesforce_uuid«&»">""")]
    [InlineData("""<a href="https://calendly.com/acme?utm+source=x«&»">""")]
    public void A_parameter_the_url_already_has_keeps_its_value_and_is_not_added(string page) => AssertRewrites(page);

    [Theory]
    [InlineData("<p>See https://calendly.com/acme/intro«?», or call.</p>")]
    [InlineData("<p>Book now: https://calendly.com/acme/intro«?»!</p>")]
    [InlineData("<p>Book (https://calendly.com/acme/intro«?»).</p>")]
    [InlineData("<p>Book (at https://calendly.com/acme/intro«?»!).</p>")]
    [InlineData("<p>Beta: https://calendly.com/acme/intro_(beta)«?».</p>")]
    [InlineData("<p>Book: https://calendly.com/acme/intro«?»...</p>")]
    [InlineData("<p>Book: https://calendly.com/acme?a=1«&».</p>")]
    [InlineData("<p>Home: https://calendly.com/. Or https://calendly.com/!). Or https://calendly.com/.,!)</p>")]
    public void Sentence_punctuation_after_a_url_in_text_is_not_part_of_it(string page) => AssertRewrites(page);

    [Theory]
    [InlineData("""<a href="https://calendly.com/acme«?»#a?b=1">""")]
    [InlineData("""<a href="https://calendly.com/acme«?»#">""")]
    [InlineData("""<a href="https://calendly.com/acme?a=1«&»#x&amp;y">""")]
    [InlineData("""<a href="https://calendly.com/acme«?»#café">""")]
    [InlineData("""<a href="https://calendly.com/café«?»">""")]
    [InlineData("""<a href="https://calendly.com/acme?name=José«&»">""")]
    [InlineData("""<a href="https://calendly.com/acme?é=1«&»">""")]
    public void Fragments_and_non_ascii_characters_stay_where_they_are(string page) => AssertRewrites(page);

    [Theory]
    [InlineData("""<a href="https://calendly.com/?next=https://calendly.com/acme«?»">""")]
    [InlineData("""<a href="https://calendly.com/./?next=https://calendly.com/acme«?»">""")]
    [InlineData("""<a href="https://calendly.com/#https://calendly.com/acme«?»">""")]
    public void A_calendly_url_that_is_not_a_scheduling_page_is_text_in_which_a_scheduling_url_is_still_found(string page) => AssertRewrites(page);

    [Theory]
    [InlineData("\"")]
    [InlineData("\\\"")]
    [InlineData("\\'")]
    [InlineData("\\u0022")]
    [InlineData("&quot;")]
    [InlineData("&#x27;")]
    public void A_url_just_under_the_length_limit_is_decorated_wherever_the_page_is_cut(string end)
    {
        var url = "https://calendly.com/acme/";
        url += new string('x', CalendlyUrlRewriter.MaxUrlLength - 1 - url.Length);
        var page = Encoding.ASCII.GetBytes(url + end + " more text");
        var expected = url + Insertions["?"] + end + " more text";
        Assert.Equal(expected, Encoding.ASCII.GetString(CalendlyUrlRewriter.RewriteAll(page, Decoration)));
        for (var cut = url.Length - 2; cut <= url.Length + end.Length + 1; cut++)
        {
            Assert.True(expected == Encoding.ASCII.GetString(Streamed(page, Decoration, [cut])), $"cut at {cut}");
        }
    }

    [Fact]
    public void A_url_over_the_length_limit_is_left_alone()
    {
        var page = "<a href=\"https://calendly.com/acme/" + new string('x', CalendlyUrlRewriter.MaxUrlLength) + "\">";
        Assert.Equal(page, Encoding.ASCII.GetString(CalendlyUrlRewriter.RewriteAll(Encoding.ASCII.GetBytes(page), Decoration)));
    }

    [Fact]
    public void Text_that_cannot_become_a_url_is_written_at_once()
    {
        var rewriter = new CalendlyUrlRewriter(Decoration);
        using var output = new MemoryStream();

        rewriter.Write("<p>HTTP: http:x https:/y https:\\z http:\\/x hxxps://calendly.com/acme</p>"u8, output);

        Assert.Equal(0, rewriter.PendingBytes);
        Assert.False(rewriter.HoldsPooledBuffer);
        Assert.Equal("<p>HTTP: http:x https:/y https:\\z http:\\/x hxxps://calendly.com/acme</p>", Encoding.ASCII.GetString(output.ToArray()));
    }

    [Fact]
    public void Bytes_processed_counts_every_input_byte()
    {
        var rewriter = new CalendlyUrlRewriter(Decoration);
        Assert.Equal(0, rewriter.BytesProcessed);

        rewriter.Write("<a href=\"https://calendly"u8, Stream.Null);
        Assert.Equal(25, rewriter.BytesProcessed);
        rewriter.Write([], Stream.Null);
        rewriter.Write(".com/acme\">"u8, Stream.Null);
        Assert.Equal(36, rewriter.BytesProcessed);

        rewriter.Complete(Stream.Null);
        Assert.Equal(36, rewriter.BytesProcessed);
        Assert.Equal(1, rewriter.DecoratedUrls);
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => new CalendlyUrlRewriter(null!));
        Assert.Throws<ArgumentNullException>(() => CalendlyUrlRewriter.RewriteAll("x"u8, (CalendlyLinkDecoration)null!));

        var rewriter = new CalendlyUrlRewriter(Decoration);
        Assert.Throws<ArgumentNullException>(() => rewriter.Write("<a href=\"https://calendly.com/acme\">"u8, null!));
        Assert.Throws<ArgumentNullException>(() => rewriter.Complete(null!));
    }

    [Fact]
    public void Completing_twice_writes_nothing_more()
    {
        var rewriter = new CalendlyUrlRewriter(Decoration);
        using var output = new MemoryStream();
        rewriter.Write("<a href=\"https://calendly.com/acme"u8, output);
        rewriter.Complete(output);
        var once = output.ToArray();

        rewriter.Complete(output);

        Assert.Equal(once, output.ToArray());
        Assert.Equal("<a href=\"https://calendly.com/acme" + Insertions["?"], Encoding.ASCII.GetString(once));
    }

    [Fact]
    public void Counts_tell_decorated_from_already_carried_urls()
    {
        var page = """<a href="https://calendly.com/a?salesforce_uuid=x"><a href="https://calendly.com/b?utm_source=y"><a href="https://calendly.com/c">"""u8;
        foreach (var referencePlanOnly in new[] { false, true })
        {
            var rewriter = new CalendlyUrlRewriter(Decoration, referencePlanOnly);
            CalendlyUrlRewriter.RewriteAll(page, rewriter);
            Assert.Equal((2, 1), (rewriter.DecoratedUrls, rewriter.AlreadySetUrls));
        }
    }

    /// <summary>
    /// The page with its «markers» removed is rewritten into the page with them expanded: at once by the byte path and
    /// by the general way, and streamed in two pieces cut at every offset and in pieces of every size.
    /// </summary>
    private static void AssertRewrites(string marked)
    {
        var page = Encoding.UTF8.GetBytes(Marker().Replace(marked, ""));
        var expected = Marker().Replace(marked, m => Insertions[m.Groups[1].Value]);

        Assert.Equal(expected, Encoding.UTF8.GetString(CalendlyUrlRewriter.RewriteAll(page, new CalendlyUrlRewriter(Decoration))));
        Assert.Equal(expected, Encoding.UTF8.GetString(CalendlyUrlRewriter.RewriteAll(page, new CalendlyUrlRewriter(Decoration, referencePlanOnly: true))));
        for (var cut = 0; cut <= page.Length; cut++)
        {
            Assert.True(expected == Encoding.UTF8.GetString(Streamed(page, Decoration, [cut])), $"cut at {cut}");
        }

        for (var size = 1; size <= page.Length; size++)
        {
            var cuts = Enumerable.Range(1, page.Length / size).Select(i => i * size).ToArray();
            Assert.True(expected == Encoding.UTF8.GetString(Streamed(page, Decoration, cuts)), $"pieces of {size}");
        }
    }

    private static byte[] Streamed(byte[] page, CalendlyLinkDecoration decoration, int[] cuts)
    {
        var rewriter = new CalendlyUrlRewriter(decoration);
        using var output = new MemoryStream();
        var from = 0;
        foreach (var cut in cuts.Append(page.Length))
        {
            rewriter.Write(page.AsSpan(from, Math.Max(0, Math.Min(cut, page.Length) - from)), output);
            from = Math.Max(from, Math.Min(cut, page.Length));
        }

        rewriter.Complete(output);
        Assert.False(rewriter.HoldsPooledBuffer);
        return output.ToArray();
    }

    [GeneratedRegex("«([^»]*)»")]
    private static partial Regex Marker();
}
