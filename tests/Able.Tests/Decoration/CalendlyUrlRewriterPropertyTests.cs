using System.Text;
using System.Text.RegularExpressions;
using Able.Gateway.Decoration;

namespace Able.Tests.Decoration;

/// <summary>
/// Random HTML documents full of Calendly URLs (and near misses) in every context, cut into random chunks:
/// streaming equals rewriting the whole document at once, only the decorated URLs change, and the bytes held
/// back between chunks stay bounded. Seeded, so a failure names the seed that reproduces it.
/// </summary>
public sealed partial class CalendlyUrlRewriterPropertyTests
{
    private const string Vid = "Qz9_x-7LmN0pR2sT4uV6wA";
    private const int Documents = 400;

    private static readonly CalendlyLinkDecoration Decoration =
        new("salesforce_uuid", Vid, new Dictionary<string, string> { ["utm_source"] = "tiktok" });

    /// <summary>Text and markup that contains no scheduling URL, including near misses and non-ASCII bytes.</summary>
    private static readonly string[] Filler =
    [
        "<p>", "</p>", "<div class=\"x\">", "</div>", " ", "\n", "\t", "text ", "héllo wörld ", "日本語", "😀", "&amp;", "&quot;",
        // Near misses end in a space so that two pieces never join into a real URL by accident.
        "h ", "ht ", "http ", "https ", "https: ", "https:/ ", "https:// ", "https://c ", "https://calendly ", "https://calendly.com ",
        "https://calendly.com/ ", "https:\\/\\/calendly.com ", "https://www.calendly ",
        "<script src=\"https://assets.calendly.com/assets/external/widget.js\" async></script>",
        "<a href=\"https://calendly.com.evil.example/acme/x\">", "<a href='https://notcalendly.com/acme'>",
        "<a href=\"https://example.com/path?q=1\">", "\"https:\\/\\/example.com\\/x\"", "\\", "\\u0026", "\\u0022", "\\/", "x",
        "<a href=\"https://calendly.com/\">home</a>", "Calendly.initPopupWidget(", "});", "www.", " calendly.com/acme ",
    ];

    [Fact]
    public void Streaming_equals_whole_document_and_only_urls_change()
    {
        for (var seed = 1; seed <= Documents; seed++)
        {
            var random = new Random(seed);
            var (document, decoratable) = RandomDocument(random);
            var whole = CalendlyUrlRewriter.RewriteAll(document, Decoration);

            // Only the inserted parameters differ: removing them gives the original bytes back.
            var insertions = Insertion().Matches(Encoding.Latin1.GetString(whole));
            Assert.True(decoratable == insertions.Count, $"seed {seed}: {insertions.Count} insertions, {decoratable} URLs to decorate in {Encoding.UTF8.GetString(document)}");
            var stripped = Insertion().Replace(Encoding.Latin1.GetString(whole), "");
            Assert.True(document.AsSpan().SequenceEqual(Encoding.Latin1.GetBytes(stripped)), $"seed {seed}: bytes outside the URLs changed");

            for (var cut = 0; cut < 4; cut++)
            {
                var maxChunk = cut == 0 ? 1 : random.Next(2, 600);
                var streamed = Stream(document, random, maxChunk, out var maxPending);
                Assert.True(whole.AsSpan().SequenceEqual(streamed), $"seed {seed}, chunks up to {maxChunk}: streamed output differs");
                Assert.True(maxPending <= CalendlyUrlRewriter.MaxUrlLength + 16, $"seed {seed}: held back {maxPending} bytes");
            }
        }
    }

    private static byte[] Stream(byte[] document, Random random, int maxChunk, out int maxPending)
    {
        var rewriter = new CalendlyUrlRewriter(Decoration);
        using var output = new MemoryStream();
        maxPending = 0;
        for (var at = 0; at < document.Length;)
        {
            var size = Math.Min(random.Next(1, maxChunk + 1), document.Length - at);
            rewriter.Write(document.AsSpan(at, size), output);
            maxPending = Math.Max(maxPending, rewriter.PendingBytes);
            at += size;
        }

        rewriter.Complete(output);
        return output.ToArray();
    }

    private static (byte[] Document, int Decoratable) RandomDocument(Random random)
    {
        var builder = new StringBuilder();
        var decoratable = 0;
        var pieces = random.Next(1, 60);
        for (var i = 0; i < pieces; i++)
        {
            if (random.Next(3) == 0)
            {
                var (snippet, decorates) = RandomUrlInContext(random);
                builder.Append(snippet);
                decoratable += decorates ? 1 : 0;
            }
            else
            {
                builder.Append(Filler[random.Next(Filler.Length)]);
            }
        }

        return (Encoding.UTF8.GetBytes(builder.ToString()), decoratable);
    }

    /// <summary>A scheduling URL in one of the contexts pages use, and whether it should get the carrier.</summary>
    private static (string Snippet, bool Decorates) RandomUrlInContext(Random random)
    {
        var context = random.Next(8);
        var escapedJson = context == 5;
        var entities = context == 6 || (context is 0 or 1 && random.Next(3) == 0);
        var slash = escapedJson ? "\\/" : "/";
        var amp = escapedJson ? (random.Next(2) == 0 ? "\\u0026" : "&") : entities ? "&amp;" : "&";

        var url = new StringBuilder();
        url.Append(random.Next(4) switch { 0 => "http:", 1 => "HTTPS:", _ => "https:" }).Append(slash).Append(slash);
        url.Append(random.Next(4) == 0 ? "www.calendly.com" : "calendly.com");
        url.Append(slash).Append(random.Next(5) == 0 ? "d" + slash + "abcd-efg-hij" : "acme");
        if (random.Next(3) > 0)
        {
            url.Append(slash).Append(Slug(random));
        }

        var carried = false;
        var query = new List<string>();
        if (random.Next(2) == 0)
        {
            query.Add("month=2026-12");
        }

        switch (random.Next(6))
        {
            case 0:
                query.Add("salesforce_uuid=site123");
                query.Add("utm_source=site");
                carried = true;
                break;
            case 1:
                query.Add("utm_source=newsletter");
                break;
        }

        if (random.Next(3) == 0)
        {
            query.Add("hide_gdpr_banner=1");
        }

        if (query.Count > 0)
        {
            url.Append('?').Append(string.Join(amp, query.OrderBy(_ => random.Next())));
        }

        if (random.Next(4) == 0)
        {
            url.Append("#top");
        }

        var snippet = context switch
        {
            0 => $"<a href=\"{url}\">Book</a>",
            1 => $"<div class=\"calendly-inline-widget\" data-url='{url}'></div>",
            2 => $"<a href={url} class=cta>Book</a>",
            3 => $"<button onclick=\"Calendly.initPopupWidget({{url: '{url}'}});return false;\">Book</button>",
            4 => $"<script>Calendly.initInlineWidget({{url: \"{url}\", parentElement: el}});</script>",
            5 => $"<script type=\"application/json\">{{\"url\":\"{url}\"}}</script>",
            7 => $"<script>var html = \"\\u003Ca href=\\u0022{url}\\u0022\\u003E\";</script>",
            _ => $"<div data-options=\"{{&quot;url&quot;:&quot;{url}&quot;}}\"></div>",
        };
        return (snippet, !carried);
    }

    private static string Slug(Random random)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-";
        var chars = new char[random.Next(1, 30)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[random.Next(i == 0 ? 36 : alphabet.Length)];
        }

        return new string(chars);
    }

    [GeneratedRegex(@"(?:\?|&amp;|\\u0026|&)?salesforce_uuid=" + Vid + @"(?:(?:&amp;|\\u0026|&)utm_source=tiktok)?")]
    private static partial Regex Insertion();
}
