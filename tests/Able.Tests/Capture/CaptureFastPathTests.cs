using Able.Gateway.Capture;
using Able.Schema.Visitors;
using CsCheck;

namespace Able.Tests.Capture;

/// <summary>
/// The capture path's fast readers (span-based query scrubbing and parameter reading, the crawler word search) decide
/// exactly as the straightforward versions they replaced, kept here as the oracles: on hostile text and on text made of
/// the pieces each one looks for (the words in any case, escapes, '+', non-ASCII look-alikes, empty pairs).
/// </summary>
public sealed class CaptureFastPathTests
{
    private static readonly Gen<string> UserAgents = Pieces(
        "bot", "BOT", "Bot", "cubot", "CUBOT", "cu", "robot", "bots", "bot/", "bot_", "bot-", "bot.", "bot1", "botx", "abot", " ", ";", "(", ")", "/",
        "Googlebot/2.1", "Cubot X30", "crawl", "CRAWLER", "Spider", "slurp", "facebookexternalhit/1.1", "FacebookCatalog", "meta-externalagent",
        "embedly", "Preview", "WhatsApp/2.23", "whatsapp", "SkypeUriPreview", "vkShare", "Qwantify", "HeadlessChrome", "Lighthouse", "Pingdom",
        "UptimeRobot", "AhrefsBot", "SemrushBot", "MJ12bot", "PetalBot", "Bytespider", "python-requests", "Go-http-client", "okhttp", "Java/17",
        "libwww-perl", "Apache-HttpClient", "node-fetch", "axios/1.6", "Scrapy", "PhantomJS", "Mozilla/5.0", "iPhone", "Safari/604.1", "_",
        "\u212A", "\u0130", "\u017F", "é", "ß", "日", "\u00a0", "\t", "ǅ", "Ⅻ", "k", "s", "i");

    private static readonly Gen<string> Queries = Pieces(
        "&", "&&", "=", "==", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "ttclid", "gclid", "gbraid", "wbraid",
        "fbclid", "msclkid", "utm%5Fsource", "utm_sourc%65", "tt%63lid", "UTM_SOURCE", "utm_source+", "+utm_source", " utm_source", "tiktok",
        "spring+sale", "spring%20sale", "E.C.P.abc-1", "a b", "%", "%2", "%zz", "%FF", "%00", "%0A", "%C3%A9", "%40", "@", "+", " ", "\t",
        "invitee_email", "Invitee_Email", "INVITEE_", "\u0130nvitee_x", "answer_1", "guest_email", "guests", "text_reminder_number", "email",
        "EMAIL", "phone", "name", "Name", " name ", "nam%65", "jane.doe@example.com", "é", "日本", "\ud800", "\u0001", "\u007f", "\ufffd",
        new string('x', 600), "k", "\u212A", "&utm_source=tiktok", "&utm_source=ads", "&ttclid=A.1", "&ttclid=B.2", "&utm%5Fsource=x",
        "&gclid=1", "&gclid=2", "&utm_campaign=", "&ttclid=%ZZ", "&ttclid", "&utm_term=a%40b", "&utm_content=spring+sale", "&utm_content=a%20b");

    [Fact]
    public void The_crawler_word_search_decides_as_the_crawler_pattern() =>
        Gen.OneOf(UserAgents, AdversarialInput.Text).Sample(
            agent => Assert.Equal(string.IsNullOrWhiteSpace(agent) || PageNavigation.CrawlerPattern().IsMatch(agent), PageNavigation.IsCrawler(agent)),
            iter: 20 * AdversarialInput.Iterations);

    [Fact]
    public void The_span_based_query_scrub_keeps_what_the_split_based_one_kept() =>
        Gen.OneOf(Queries, AdversarialInput.Text).Sample(
            query => Assert.Equal(ScrubQueryBySplitting(query), StoredUrl.ScrubQuery(query)),
            iter: 20 * AdversarialInput.Iterations);

    [Fact]
    public void A_query_whose_pairs_are_all_kept_is_returned_without_a_copy()
    {
        const string Query = "ttclid=E.C.P.abc&utm_source=tiktok&utm_campaign=spring+sale";
        Assert.Same(Query, StoredUrl.ScrubQuery(Query));
        Assert.Equal("ttclid=E.C.P.abc", StoredUrl.ScrubQuery("ttclid=E.C.P.abc&&email=jane"));
    }

    [Fact]
    public void The_span_based_parameter_reader_reads_what_the_split_based_one_read() =>
        Gen.OneOf(Queries, AdversarialInput.Text).Sample(query =>
        {
            var url = "https://book.example.com/landing?" + query;
            var (ttclid, utm, clickIds) = TouchParameters.FromUrl(url);
            var (expectedTtclid, expectedUtm, expectedClickIds) = FromUrlBySplitting(url);
            Assert.Equal(expectedTtclid, ttclid);
            Assert.Equal(expectedUtm, utm);
            Assert.Equal(expectedClickIds, clickIds);
        }, iter: 20 * AdversarialInput.Iterations);

    private static Gen<string> Pieces(params string[] pieces) =>
        AdversarialInput.Element(pieces).Array[0, 10].Select(parts => string.Concat(parts));

    /// <summary>The scrub as it was written before the span-based one (the oracle).</summary>
    private static string ScrubQueryBySplitting(string rawQuery)
    {
        var kept = new List<string>();
        foreach (var pair in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = StoredUrl.Decode(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : StoredUrl.Decode(pair[(eq + 1)..]);
            if (!StoredUrl.IsPersonal(name, value) && CaptureValue.CleanQueryValue(value, CaptureValue.MaxIdLength).Problem == CaptureValueProblem.None
                && CaptureValue.CleanQueryValue(name, CaptureValue.MaxIdLength).Problem == CaptureValueProblem.None)
            {
                kept.Add(pair);
            }
        }

        return string.Join('&', kept);
    }

    /// <summary>The parameter reader as it was written before the span-based one (the oracle).</summary>
    private static (string?, Dictionary<string, string>?, Dictionary<string, string>?) FromUrlBySplitting(string url)
    {
        string? ttclid = null;
        Dictionary<string, string>? utm = null;
        Dictionary<string, string>? clickIds = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pair in url[(url.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = StoredUrl.Decode(eq < 0 ? pair : pair[..eq]);
            if (!seen.Add(name))
            {
                continue;
            }

            var value = eq < 0 ? "" : StoredUrl.Decode(pair[(eq + 1)..]);
            if (name == "ttclid")
            {
                ttclid = CaptureValue.CleanToken(value, CaptureValue.MaxIdLength).Value;
            }
            else if (TouchParameters.UtmNames.Contains(name) && CaptureValue.CleanQueryValue(value, CaptureValue.MaxIdLength).Value is { } utmValue)
            {
                (utm ??= new(StringComparer.Ordinal))[name] = utmValue;
            }
            else if (TouchParameters.ClickIdNames.Contains(name) && CaptureValue.CleanToken(value, CaptureValue.MaxIdLength).Value is { } clickId)
            {
                (clickIds ??= new(StringComparer.Ordinal))[name] = clickId;
            }
        }

        return (ttclid, utm, clickIds);
    }
}
