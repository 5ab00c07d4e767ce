namespace Able.Attribution.Service.ConsolePages;

/// <summary>The console's sections, in the order of the navigation.</summary>
public enum ConsoleSection
{
    None,
    Overview,
    Campaigns,
    Conversions,
    Journey,
    DeadLetters,
    Erase,
}

/// <summary>The page around every console page: head, navigation (with the logout form), main.</summary>
public static class ConsoleLayout
{
    private static readonly (ConsoleSection Section, string Path, string Label)[] Navigation =
    [
        (ConsoleSection.Overview, "/console", "Overview"),
        (ConsoleSection.Campaigns, "/console/campaigns", "Campaigns"),
        (ConsoleSection.Conversions, "/console/conversions", "Conversions"),
        (ConsoleSection.Journey, "/console/journey", "Journey"),
        (ConsoleSection.DeadLetters, "/console/deadletters", "Dead letters"),
        (ConsoleSection.Erase, "/console/erase", "Erase"),
    ];

    /// <summary>A whole page; <paramref name="csrf"/> (the antiforgery field) is null on pages without a session.</summary>
    public static string Page(string title, ConsoleSection section, HtmlFragment body, HtmlFragment? csrf)
    {
        var html = new HtmlBuilder();
        html.Append($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <link rel="icon" href="data:,">
            <title>{title} · Able console</title>
            <link rel="stylesheet" href="{ConsoleAssets.StylesheetPath}">
            <script src="{ConsoleAssets.ScriptPath}" defer></script>
            </head>
            <body>
            <a class="skip" href="#main">Skip to content</a>
            <header class="top">
            <span class="brand">Able console</span>

            """);
        if (csrf is { } token)
        {
            html.Append($"<nav aria-label=\"Sections\"><ul>");
            foreach (var (navSection, path, label) in Navigation)
            {
                html.Append(navSection == section
                    ? HtmlBuilder.Of($"<li><a href=\"{path}\" aria-current=\"page\">{label}</a></li>")
                    : HtmlBuilder.Of($"<li><a href=\"{path}\">{label}</a></li>"));
            }

            html.Append($"</ul></nav><form class=\"logout\" method=\"post\" action=\"/console/logout\">{token}<button type=\"submit\">Log out</button></form>");
        }

        html.Append($"""
            </header>
            <main id="main" tabindex="-1">
            <h1>{title}</h1>
            {body}
            </main>
            </body>
            </html>

            """);
        return html.ToString();
    }
}
