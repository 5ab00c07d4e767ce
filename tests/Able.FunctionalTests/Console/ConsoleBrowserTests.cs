using Able.Attribution.Receipts;
using Microsoft.Playwright;

namespace Able.FunctionalTests.Console;

/// <summary>
/// The console in a real browser (Debian's chromium, headless, through Playwright) over data seeded through the real
/// pipeline (<see cref="SeededConsole"/>): what a person sees and does. Each test leaves a screenshot of every page it
/// visits in <c>.able/test-results/console/</c>, and fails on any error the page reports (script, CSP).
/// </summary>
public sealed class ConsoleBrowserTests(SeededConsole seeded) : IClassFixture<SeededConsole>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Logging_in_opens_the_overview_with_the_seeded_numbers_in_the_readers_locale_and_the_campaign_report()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync(seeded.Attribution.ManagementBase);
        await browser.LoginAsync("/console");
        var page = browser.Page;
        await Localised(page);
        await browser.ScreenshotAsync("overview");

        Assert.Equal("8", await page.Locator("#visits").GetAttributeAsync("value"));
        Assert.Equal("7", await page.Locator("#tiktok-clicks").GetAttributeAsync("value"));
        Assert.Equal("3", await page.Locator("#bookings").GetAttributeAsync("value"));
        Assert.Equal("2", await page.Locator("#purchases").GetAttributeAsync("value"));
        Assert.Equal("1", await page.Locator("#dead-letters").GetAttributeAsync("value"));
        // German formatting, done by the page's script: EUR 1490 and USD 149.
        var revenue = await page.Locator("#revenue").InnerTextAsync();
        Assert.True(revenue.Contains("1.490,00\u00a0€", StringComparison.Ordinal) && revenue.Contains("149,00\u00a0$", StringComparison.Ordinal), revenue);
        Assert.Equal(4, await page.Locator("figure.chart svg").CountAsync());

        await page.GetByRole(AriaRole.Link, new() { Name = "Last 30 d" }).ClickAsync();
        await page.WaitForURLAsync("**/console?funnel=acme&days=30");
        Assert.Equal("3", await page.Locator("#bookings").GetAttributeAsync("value"));
        Assert.Equal(30, await page.Locator("#bookings-chart rect").CountAsync());

        // At phone width nothing but the tables' own boxes scrolls sideways.
        await page.SetViewportSizeAsync(390, 844);
        await page.ReloadAsync();
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the overview is wider than a phone");
        await browser.ScreenshotAsync("overview-phone");
        await page.SetViewportSizeAsync(1280, 900);

        await page.GetByRole(AriaRole.Link, new() { Name = "Campaigns" }).ClickAsync();
        await Localised(page);
        var table = page.Locator("#campaigns");
        Assert.Equal("4", await table.Locator("tr", new() { HasText = "video_a" }).Locator("td.num data").First.GetAttributeAsync("value"));
        Assert.Equal(1, await table.Locator("tr", new() { HasText = "newsletter" }).CountAsync());
        Assert.Equal(1, await table.Locator("tr", new() { HasText = "video_b" }).CountAsync());
        Assert.Equal(1, await table.Locator("tr", new() { HasText = "Not matched to a visitor" }).CountAsync());
        await browser.ScreenshotAsync("campaigns");
        await page.GetByRole(AriaRole.Link, new() { Name = "Content", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**sort=content**");
        Assert.Equal("ascending", await page.Locator("th[aria-sort='ascending']").Last.GetAttributeAsync("aria-sort"));
        await page.GetByRole(AriaRole.Link, new() { Name = "First touch" }).ClickAsync();
        await page.WaitForURLAsync("**model=first**");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download CSV" }).ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.Contains("spring_sale", csv, StringComparison.Ordinal);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Conversions_filter_to_the_unmatched_booking_and_a_row_opens_its_receipt_with_hashed_values_only()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync(seeded.Attribution.ManagementBase);
        await browser.LoginAsync("/console/conversions");
        var page = browser.Page;
        await page.GetByLabel("Matched").SelectOptionAsync("no");
        await page.GetByLabel("Event").SelectOptionAsync("Schedule");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await page.WaitForURLAsync("**matched=no**");
        await Localised(page);
        var rows = page.Locator("#conversions tbody tr");
        Assert.Equal(1, await rows.Filter(new() { HasText = $"schedule:{SeededConsole.WalkInInvitee}" }).CountAsync());
        Assert.Equal(0, await rows.Filter(new() { HasText = "c3e9d0f2" }).CountAsync()); // Jane's booking was matched
        await browser.ScreenshotAsync("conversions");

        await page.GetByRole(AriaRole.Link, new() { Name = $"schedule:{SeededConsole.WalkInInvitee}" }).ClickAsync();
        await Localised(page);
        Assert.StartsWith("none", await page.Locator("#join-path").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("sent", await page.Locator("#receipt-status").InnerTextAsync());
        Assert.Equal("0", await page.Locator("#tiktok-code").InnerTextAsync());
        var payload = await page.Locator("#payload").InnerTextAsync();
        Assert.Contains("\"event_id\": \"schedule:" + SeededConsole.WalkInInvitee + "\"", payload, StringComparison.Ordinal);
        Assert.DoesNotContain(SeededConsole.WalkInEmail, await page.ContentAsync(), StringComparison.OrdinalIgnoreCase);
        await browser.ScreenshotAsync("receipt");

        // Jane's purchase, matched by her email: the receipt says so.
        await page.GotoAsync("/console/conversions?event=Purchase&matched=yes");
        await page.GetByRole(AriaRole.Link, new() { Name = SeededConsole.JanePurchaseId }).ClickAsync();
        Assert.Equal("email", await page.Locator("#join-path").InnerTextAsync());
        Assert.Contains("ttclid", await page.Locator("#keys-sent").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task A_journey_found_by_an_email_written_another_way_shows_the_touch_and_the_conversions_credited()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync(seeded.Attribution.ManagementBase);
        await browser.LoginAsync("/console/journey");
        var page = browser.Page;
        await page.GetByLabel("Email or phone of the person").FillAsync("  JANE.doe@EXAMPLE.com ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Look up" }).ClickAsync();
        await page.Locator("#journey").WaitForAsync();
        await Localised(page);

        var journey = page.Locator("#journey");
        Assert.Equal(1, await journey.Locator("table.touches tbody tr", new() { HasText = "utm_campaign=spring_sale" }).CountAsync());
        Assert.Equal(1, await journey.GetByRole(AriaRole.Link, new() { Name = "Schedule" }).CountAsync());
        Assert.Equal(1, await journey.GetByRole(AriaRole.Link, new() { Name = "Purchase" }).CountAsync());
        // The raw address went in a form post: it is in no URL and not echoed back.
        Assert.EndsWith("/console/journey", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain("jane.doe@example.com", (await page.ContentAsync()).ToLowerInvariant(), StringComparison.Ordinal);
        await browser.ScreenshotAsync("journey");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task A_dead_letter_shows_TikToks_answer_and_once_replayed_is_delivered()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync(seeded.Attribution.ManagementBase);
        await browser.LoginAsync("/console/deadletters");
        var page = browser.Page;
        var row = page.Locator("#deadletters tbody tr[data-id]");
        Assert.Equal(1, await row.CountAsync());
        Assert.Contains("40002", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("is invalid", await row.InnerTextAsync(), StringComparison.Ordinal);
        await browser.ScreenshotAsync("deadletters");

        // The cause is fixed (TikTok now accepts it): replay it.
        seeded.RefuseUsd = false;
        await row.GetByRole(AriaRole.Button, new() { Name = "Replay" }).ClickAsync();
        await page.Locator("#notice").WaitForAsync();
        Assert.Contains("Queued for delivery again", await page.Locator("#notice").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("#no-deadletters").CountAsync());
        await browser.ScreenshotAsync("deadletters-replayed");

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(seeded.TikTok.Accepted.Any(e => (string?)e["properties"]?["currency"] == "USD")), Within));
        Assert.True(await Eventually.TrueAsync(async () =>
            (await seeded.Receipts.ListAsync("acme", 20)).Any(r => r.Payload?["properties"]?["currency"]?.GetValue<string>() == "USD" && r.Status == ReceiptStatus.Sent), Within));
        Assert.Equal(1, seeded.TikTok.Accepted.Count(e => (string?)e["properties"]?["currency"] == "USD"));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Erasing_a_person_asks_for_confirmation_then_removes_their_conversion_and_says_what_was_removed()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync(seeded.Attribution.ManagementBase);
        await browser.LoginAsync("/console/erase");
        var page = browser.Page;
        Assert.NotNull(await seeded.Receipts.GetAsync("acme", $"schedule:{SeededConsole.ErasedInvitee}"));
        await browser.ScreenshotAsync("erase");
        await page.GetByLabel("Email or phone of the person").FillAsync(SeededConsole.ErasedEmail);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.Locator("#erase-preview").WaitForAsync();
        Assert.Contains("cannot be undone", await page.Locator("#erase-preview").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(SeededConsole.ErasedEmail, await page.ContentAsync(), StringComparison.OrdinalIgnoreCase);
        await browser.ScreenshotAsync("erase-confirm");

        await page.GetByRole(AriaRole.Button, new() { Name = "Erase this person" }).ClickAsync();
        await page.Locator("#erasure-report").WaitForAsync();
        Assert.Equal("1", await page.Locator("#erased-receipts").GetAttributeAsync("value"));
        await browser.ScreenshotAsync("erased");
        Assert.Null(await seeded.Receipts.GetAsync("acme", $"schedule:{SeededConsole.ErasedInvitee}"));
        Assert.NotNull(await seeded.Receipts.GetAsync("acme", $"schedule:{SeededConsole.WalkInInvitee}"));
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Without_a_session_the_browser_lands_on_the_login_form_and_a_wrong_token_says_so()
    {
        await using var browser = await ConsoleBrowser.LaunchAsync(seeded.Attribution.ManagementBase);
        var page = browser.Page;
        await page.GotoAsync("/console/deadletters");
        Assert.Contains("/console/login?returnUrl=%2Fconsole%2Fdeadletters", page.Url, StringComparison.Ordinal);
        await browser.ScreenshotAsync("login");
        // By keyboard alone: the token field has the focus, typing and Enter send the form.
        Assert.Equal("password", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Keyboard.TypeAsync("wrong-token-wrong-token");
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#login-problem").WaitForAsync();
        Assert.Contains("not the admin token", await page.Locator("#login-problem").InnerTextAsync(), StringComparison.Ordinal);
    }

    /// <summary>Waits for the page's script to have formatted its times and numbers.</summary>
    private static Task Localised(IPage page) => page.Locator("html[data-localised]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
}
