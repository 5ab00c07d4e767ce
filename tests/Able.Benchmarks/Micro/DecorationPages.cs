using System.Text;
using Able.Benchmarks.Origin;
using Able.Gateway.Decoration;

namespace Able.Benchmarks.Micro;

/// <summary>
/// The HTML pages the decoration benchmarks feed through the rewriter, and the visitor they are decorated for.
/// Built deterministically, so every run (and the before/after of a change) sees the same bytes.
/// </summary>
internal static class DecorationPages
{
    /// <summary>The 1 KB landing page of the bench origin (two Calendly links), what <c>./able bench</c> proxies.</summary>
    public const string Small = "small-1k";

    /// <summary>A realistic 128 KB page (CSS, scripts, JSON, many other links, English text) with two Calendly links.</summary>
    public const string Sparse = "sparse-128k";

    /// <summary>The same kind of page without any Calendly scheduling link: the no-link path.</summary>
    public const string NoLinks = "nolinks-128k";

    /// <summary>A 64 KB page with a Calendly link every 200 bytes, in attributes, entity-escaped queries and JSON.</summary>
    public const string Dense = "dense-64k";

    public static readonly CalendlyLinkDecoration Decoration = new(
        "salesforce_uuid",
        "Vd3kTq9xR2mP0aLbC7eF1g",
        new Dictionary<string, string> { ["utm_source"] = "tiktok", ["utm_medium"] = "paid", ["utm_campaign"] = "spring-launch" });

    private static readonly Dictionary<string, byte[]> Pages = new(StringComparer.Ordinal)
    {
        [Small] = BenchOrigin.Page,
        [Sparse] = Encoding.UTF8.GetBytes(RealisticPage(128 * 1024, withCalendly: true)),
        [NoLinks] = Encoding.UTF8.GetBytes(RealisticPage(128 * 1024, withCalendly: false)),
        [Dense] = Encoding.UTF8.GetBytes(DensePage(64 * 1024)),
    };

    public static IEnumerable<string> Names => [Small, Sparse, NoLinks, Dense];

    public static byte[] Get(string name) => Pages[name];

    private static string RealisticPage(int size, bool withCalendly)
    {
        var html = new StringBuilder(size + 4096);
        html.Append("""
            <!DOCTYPE html>
            <html lang="en-GB"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Acme Studio | Grow your studio with a free strategy call</title>
            <meta name="description" content="Hands-on help for independent studios: marketing, pricing and hiring. Book a free thirty-minute strategy call.">
            <link rel="canonical" href="https://acme-studio.example/">
            <meta property="og:url" content="https://acme-studio.example/"><meta property="og:image" content="https://cdn.acme-studio.example/img/og-home.jpg">
            <link rel="preconnect" href="https://fonts.googleapis.com"><link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>
            <link href="https://fonts.googleapis.com/css2?family=Inter:wght@400;600;800&amp;display=swap" rel="stylesheet">
            <link href="https://assets.calendly.com/assets/external/widget.css" rel="stylesheet">
            <style>
            """);
        for (var i = 0; i < 60; i++)
        {
            html.Append(CultureInvariant($".section-{i}{{margin:0 auto;padding:{i % 7 * 8}px 16px;max-width:1120px;color:#1a1a2e;background:url(https://cdn.acme-studio.example/img/bg-{i}.webp) no-repeat center/cover}}\n"));
            html.Append(CultureInvariant($".section-{i} h2{{font:800 2.4rem/1.1 Inter,system-ui,sans-serif;letter-spacing:-.02em}} .section-{i} p:hover{{text-decoration:underline}}\n"));
        }

        html.Append("""
            </style>
            <script type="application/ld+json">{"@context":"https:\/\/schema.org","@type":"ProfessionalService","name":"Acme Studio","url":"https:\/\/acme-studio.example\/","logo":"https:\/\/cdn.acme-studio.example\/img\/logo.png","sameAs":["https:\/\/www.instagram.com\/acmestudio","https:\/\/www.tiktok.com\/@acmestudio","https:\/\/www.linkedin.com\/company\/acme-studio"]}</script>
            <script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123XYZ"></script>
            <script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());gtag('config','G-ABC123XYZ',{anonymize_ip:true});</script>
            </head>
            <body class="home page-template-default">
            <header class="site-header"><nav aria-label="Main"><ul>
            """);
        foreach (var item in new[] { "services", "pricing", "case-studies", "about", "blog", "contact", "careers", "faq" })
        {
            html.Append(CultureInvariant($"<li><a href=\"https://acme-studio.example/{item}/\" class=\"nav-link\">{char.ToUpperInvariant(item[0])}{item[1..].Replace('-', ' ')}</a></li>\n"));
        }

        html.Append("</ul></nav></header>\n<main>\n");
        if (withCalendly)
        {
            html.Append("""
                <section class="hero"><h1>Grow your studio with a free strategy call</h1>
                <p>Pick a time that suits you. The call takes thirty minutes and there is no obligation.</p>
                <a class="cta button" href="https://calendly.com/acme-studio/strategy-call">Book your free call</a></section>
                """);
            html.Append('\n');
        }

        var paragraphs = new[]
        {
            "Running a studio is hard enough without having to guess which marketing channel will bring the next booking. We help owners see what is working, what is not, and where the hours should go each week.",
            "Each engagement starts with a short call. We look at the numbers you already have, the way clients find you and the shape of a typical month, then suggest the three changes that should have the highest return.",
            "Our clients range from single-chair hair salons to physiotherapy practices with thirty therapists. What they share is a wish to spend less time on admin and more time with the people they serve.",
            "We have helped more than two hundred studios in the UK, Ireland and the Netherlands. Read their stories, or have a look at the guides we publish every month on pricing, hiring and retention.",
        };
        var block = 0;
        while (html.Length < size - 6000)
        {
            html.Append(CultureInvariant($"<section class=\"section-{block % 60}\" id=\"s{block}\"><h2>How we help, part {block + 1}</h2>\n"));
            for (var p = 0; p < 3; p++)
            {
                html.Append("<p>").Append(paragraphs[(block + p) % paragraphs.Length]).Append("</p>\n");
            }

            html.Append(CultureInvariant($"<figure><img src=\"https://cdn.acme-studio.example/img/story-{block}.jpg\" srcset=\"https://cdn.acme-studio.example/img/story-{block}@2x.jpg 2x\" alt=\"A happy studio owner, story {block}\" width=\"640\" height=\"420\" loading=\"lazy\"></figure>\n"));
            html.Append(CultureInvariant($"<p>Read more in <a href=\"https://acme-studio.example/blog/story-{block}/?ref=home&amp;section={block}\">the full story</a> or <a href=\"https://www.youtube.com/watch?v=dQw4w9WgXc{block % 10}\">watch the video</a>.</p></section>\n"));
            block++;
        }

        if (withCalendly)
        {
            html.Append("""
                <section class="booking"><h2>Prefer a longer session?</h2>
                <div class="calendly-inline-widget" data-url="https://calendly.com/acme-studio/deep-dive?hide_gdpr_banner=1&amp;month=2026-12" style="min-width:320px;height:700px;"></div>
                <script type="text/javascript" src="https://assets.calendly.com/assets/external/widget.js" async></script></section>
                """);
            html.Append('\n');
        }

        html.Append("</main>\n<footer><p>&copy; 2026 Acme Studio Ltd. Registered in England and Wales.</p>\n<script id=\"__NEXT_DATA__\" type=\"application/json\">{\"props\":{\"pageProps\":{\"links\":[");
        var first = true;
        while (html.Length < size - 40)
        {
            html.Append(first ? "" : ",").Append(CultureInvariant($"{{\"href\":\"https:\\/\\/acme-studio.example\\/guides\\/{html.Length}\",\"title\":\"Guide {html.Length % 97}\"}}"));
            first = false;
        }

        html.Append("]}}}</script></footer></body></html>\n");
        return html.ToString();
    }

    private static string DensePage(int size)
    {
        var html = new StringBuilder(size + 512);
        html.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>All sessions</title></head><body><ul class=\"slots\">\n");
        var i = 0;
        while (html.Length < size - 300)
        {
            var start = html.Length;
            html.Append(CultureInvariant((i % 4) switch
            {
                0 => $"<li class=\"slot\"><a href=\"https://calendly.com/acme-studio/slot-{i}\">Book session {i}</a>",
                1 => $"<li class=\"slot\"><a href=\"https://calendly.com/acme-studio/slot-{i}?month=2026-12&amp;date=2026-12-{(i % 28) + 1:00}\">Book session {i}</a>",
                2 => $"<li class=\"slot\"><div class=\"calendly-inline-widget\" data-url='https://www.calendly.com/d/abcd-efg-{i}/intro?hide_gdpr_banner=1'></div>",
                _ => $"<li class=\"slot\"><script>Calendly.initPopupWidget({{\"url\":\"https:\\/\\/calendly.com\\/acme-studio\\/slot-{i}\"}});</script>",
            }));
            html.Append(" Thirty minutes with our head coach.");
            html.Append(' ', Math.Max(0, 194 - (html.Length - start))).Append("</li>\n");
            i++;
        }

        html.Append("</ul></body></html>\n");
        return html.ToString();
    }

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);
}
