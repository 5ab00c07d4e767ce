using System.Text;
using Able.Gateway.Decoration;
using CsCheck;

namespace Able.Tests.Decoration;

/// <summary>
/// The Calendly URL rewriter on hostile bytes (an origin's HTML is outside input too): Calendly URLs with odd
/// characters, percent-encoding, invalid UTF-8 and cut-offs, in random chunks. Never a throw, and streaming equals rewriting at once.
/// </summary>
public sealed class CalendlyUrlRewriterAdversarialPropertyTests
{
    private static readonly CalendlyLinkDecoration Decoration =
        new("salesforce_uuid", "Qz9_x-7LmN0pR2sT4uV6wA", new Dictionary<string, string> { ["utm_source"] = "tik tok&x=%" });

    private static readonly Gen<byte[]> Document = AdversarialInput.Weighted(
        (1, Gen.Byte.Array[0, 400]),
        (3, AdversarialInput.Weighted(
                (2, AdversarialInput.Element("https://calendly.com/acme/intro", "https:\\/\\/calendly.com\\/acme", "https://calendly.com/acme?", "?a=1", "&amp;", "\\u0026", "&", "#", "\"", "'", "<a href=\"", "\">", " ", "salesforce_uuid=", "%", "%ZZ", "\u00ff")),
                (1, AdversarialInput.Text))
            .Array[0, 30]
            .Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts)))));

    [Fact]
    public void Any_bytes_in_any_chunks_are_rewritten_the_same_without_throwing() =>
        Gen.Select(Document, Gen.Int[1, 64]).Sample((document, chunk) =>
        {
            var whole = CalendlyUrlRewriter.RewriteAll(document, Decoration);
            var rewriter = new CalendlyUrlRewriter(Decoration);
            using var output = new MemoryStream();
            for (var at = 0; at < document.Length; at += chunk)
            {
                rewriter.Write(document.AsSpan(at, Math.Min(chunk, document.Length - at)), output);
            }

            rewriter.Complete(output);
            Assert.Equal(whole, output.ToArray());
        }, iter: AdversarialInput.Iterations);
}
