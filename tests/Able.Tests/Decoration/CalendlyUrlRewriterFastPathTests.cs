using System.Text;
using Able.Gateway.Decoration;
using CsCheck;

namespace Able.Tests.Decoration;

/// <summary>
/// The rewriter decides the usual Calendly URL on its bytes without allocating, and leaves the rest (dots, percent-
/// escapes, non-ASCII, names that need decoding) to the general <see cref="Uri"/>-based way. Both must agree: random
/// URLs built from the pieces that tell them apart are rewritten the same by a rewriter that only takes the general way.
/// </summary>
public sealed class CalendlyUrlRewriterFastPathTests
{
    private const string Vid = "Vd3kTq9xR2mP0aLbC7eF1g";

    private static readonly CalendlyLinkDecoration[] Decorations =
    [
        new("salesforce_uuid", Vid, new Dictionary<string, string> { ["utm_source"] = "tiktok" }),
        new("utm_term", Vid, new Dictionary<string, string> { ["utm_source"] = "tik tok&x=%", ["utm_term"] = "shoes", ["utm_content"] = "é\"<" }),
        new("salesforce_uuid", Vid, new Dictionary<string, string> { ["utm_source"] = "", ["utm_medium"] = "paid", ["utm_campaign"] = "spring", ["utm_term"] = "t", ["utm_content"] = "c" }),
        new("s", Vid, new Dictionary<string, string>()),
    ];

    private static readonly Gen<string> Url = Gen.Select(
        AdversarialInput.Element("https://calendly.com/", "http://www.calendly.com/", "HTTPS:\\/\\/Calendly.COM\\/", "https://calendly.com\\/"),
        AdversarialInput.Element(
            "acme", "intro", "d", "A-b_c~9", "/", "\\/", ".", "..", "/./", "/../", "%2e", "%2E%2e", "%41", "%", "%ZZ", "\\u002e", "\\u002F", "\\u003f", "\\u0023", // URL, not a file path
            "\\u0041", "&amp;", "&#38;", "&", "é", "\u00ff", "@", ":", "!", "$", "(", ")", "*", ",", ";", "=", "+", "'").Array[0, 6],
        AdversarialInput.Weighted(
            (4, AdversarialInput.Element(
                "?", "salesforce_uuid", "s", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "salesforce%5Fuuid", "utm%5fsource", "utm+source",
                "utm_term\\u003d", "\\u0073", "=", "=x", "=site", "&", "&amp;", "&AMP;", "&Amp;", "&#38;", "\\u0026", "\\u003d", "\\/", "month=2026-12", "%20", "+",
                "&&", "é", "#")),
            (1, AdversarialInput.Element("?salesforce_uuid=site", "?utm_source=ig&salesforce_uuid=x", "?a=1&amp;", "?a=1\\u0026", "?s=1&amp;s=2"))).Array[0, 10],
        AdversarialInput.Element("", "#", "#top", "#a?b=1", "."),
        (prefix, path, query, fragment) => prefix + string.Concat(path) + string.Concat(query) + fragment);

    private static readonly Gen<byte[]> Document = AdversarialInput.Weighted(
            (3, Gen.Select(Url, AdversarialInput.Element("<a href=\"{0}\">", "'{0}'", "{{\"u\":\"{0}\"}}", "{0} ", "&quot;{0}&quot;", "\\u0022{0}\\u0022"), (url, context) => string.Format(System.Globalization.CultureInfo.InvariantCulture, context, url))),
            (1, AdversarialInput.Text))
        .Array[1, 8]
        .Select(parts => Encoding.Latin1.GetBytes(string.Concat(parts).Select(c => c > '\u00ff' ? '?' : c).ToArray()));

    [Fact]
    public void Byte_path_rewrites_every_url_as_the_general_way_does() =>
        Gen.Select(Document, Gen.Int[0, Decorations.Length - 1]).Sample((document, which) =>
        {
            var decoration = Decorations[which];
            var fast = new CalendlyUrlRewriter(decoration);
            var reference = new CalendlyUrlRewriter(decoration, referencePlanOnly: true);

            var fastOutput = CalendlyUrlRewriter.RewriteAll(document, fast);
            var referenceOutput = CalendlyUrlRewriter.RewriteAll(document, reference);

            Assert.Equal(Encoding.Latin1.GetString(referenceOutput), Encoding.Latin1.GetString(fastOutput));
            Assert.Equal((reference.DecoratedUrls, reference.AlreadySetUrls), (fast.DecoratedUrls, fast.AlreadySetUrls));
        }, iter: 4 * AdversarialInput.Iterations);

    [Theory]
    [InlineData("https://calendly.com/acme/intro")]
    [InlineData("https://calendly.com/acme/intro?month=2026-12&amp;hide_gdpr_banner=1#top")]
    [InlineData("https:\\/\\/www.calendly.com\\/d\\/abcd-efg-hij\\/intro?a1=x\\u0026utm_source=site")]
    [InlineData("https://calendly.com/acme/intro?salesforce_uuid=site-value")]
    public void Links_allocate_nothing_each(string url)
    {
        var page = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat($"<li><a href=\"{url}\">Book</a> with some text around it</li>\n", 1000)));
        Decorate(page); // warm-up: JIT, pools

        var before = GC.GetAllocatedBytesForCurrentThread();
        var decorated = Decorate(page);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1000, decorated);
        Assert.True(allocated < 2048, $"allocated {allocated} bytes for 1000 links");
    }

    private static int Decorate(byte[] page)
    {
        var rewriter = new CalendlyUrlRewriter(Decorations[0]);
        for (var at = 0; at < page.Length; at += 16 * 1024)
        {
            rewriter.Write(page.AsSpan(at, Math.Min(16 * 1024, page.Length - at)), Stream.Null);
        }

        rewriter.Complete(Stream.Null);
        return rewriter.DecoratedUrls + rewriter.AlreadySetUrls;
    }
}
