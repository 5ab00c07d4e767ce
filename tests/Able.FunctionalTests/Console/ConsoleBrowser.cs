using Microsoft.Playwright;

namespace Able.FunctionalTests.Console;

/// <summary>
/// Debian's chromium (launched by path, headless; never a downloaded browser) driven by Playwright on the console, in
/// a German locale and Berlin's time zone so the page's own formatting is what the tests read. Screenshots go to
/// <c>.able/test-results/console/</c> at the repository root (git-ignored). Collects the browser's console errors
/// (a Content-Security-Policy violation is one).
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright playwright;
    private readonly IBrowser browser;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        this.playwright = playwright;
        this.browser = browser;
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => Errors.Add(error);
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>Errors the page reported (script errors, refused resources, CSP violations).</summary>
    public List<string> Errors { get; } = [];

    public static string ScreenshotFolder { get; } = Path.Combine(RepositoryRoot.Path, ".able", "test-results", "console");

    /// <summary>Chromium on <paramref name="managementBase"/>; fails (never skips) when chromium is not installed: it is a requirement.</summary>
    public static async Task<ConsoleBrowser> LaunchAsync(Uri managementBase, int width = 1280, int height = 900)
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"The console's browser tests need Debian's chromium at {ChromiumPath}: apt-get install -y chromium (.ci/run installs it when missing).");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = managementBase.ToString(),
            Locale = "de-DE",
            TimezoneId = "Europe/Berlin",
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(20_000);
        return new ConsoleBrowser(playwright, browser, context, await context.NewPageAsync());
    }

    /// <summary>Opens <paramref name="path"/>, which sends the browser to the login form, and logs in with the admin token.</summary>
    public async Task LoginAsync(string path = "/console")
    {
        await Page.GotoAsync(path);
        Assert.Contains("/console/login?returnUrl=", Page.Url, StringComparison.Ordinal);
        await Page.GetByLabel("Admin token").FillAsync(ConsoleClient.Token);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == path.Split('?')[0]);
    }

    /// <summary>The whole page as <c>{name}.png</c> in <see cref="ScreenshotFolder"/>; returns the file.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var file = Path.Combine(ScreenshotFolder, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        return file;
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        await browser.CloseAsync();
        playwright.Dispose();
    }
}
