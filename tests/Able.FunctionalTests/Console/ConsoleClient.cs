using System.Net;
using System.Text.RegularExpressions;

namespace Able.FunctionalTests.Console;

/// <summary>
/// A person's browser without the browser: an HttpClient with its own cookie jar on the console (management port), no
/// redirects followed, that reads the antiforgery field from a page and posts forms with or without it.
/// </summary>
public sealed partial class ConsoleClient : IDisposable
{
    public const string Token = "console-test-admin-token-0123456789";

    private ConsoleClient(Uri managementBase)
    {
        Base = managementBase;
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = Cookies, UseCookies = true })
        {
            BaseAddress = managementBase,
            Timeout = TimeSpan.FromSeconds(20),
        };
    }

    public Uri Base { get; }

    public CookieContainer Cookies { get; } = new();

    public HttpClient Client { get; }

    public static ConsoleClient For(RunningService attribution) => new(attribution.ManagementBase);

    /// <summary>The console session cookie's value, when the jar holds one.</summary>
    public string? SessionCookie => Cookies.GetCookies(new Uri(Base, "/console")).FirstOrDefault(c => c.Name == "able_console")?.Value;

    /// <summary>Logs in with <paramref name="password"/>; returns the answer to the login post.</summary>
    public async Task<HttpResponseMessage> LoginAsync(string password = Token, string? returnUrl = null)
    {
        var csrf = await CsrfAsync(returnUrl is null ? "/console/login" : $"/console/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var fields = new List<KeyValuePair<string, string>> { new("password", password), new("csrf", csrf) };
        if (returnUrl is not null)
        {
            fields.Add(new("returnUrl", returnUrl));
        }

        return await Client.PostAsync("/console/login", new FormUrlEncodedContent(fields));
    }

    /// <summary>The antiforgery field of the page at <paramref name="path"/> (fetching it also sets the antiforgery cookie).</summary>
    public async Task<string> CsrfAsync(string path)
    {
        using var page = await Client.GetAsync(path);
        var html = await page.Content.ReadAsStringAsync();
        var match = CsrfField().Match(html);
        Assert.True(match.Success, $"{path} answered {(int)page.StatusCode} without an antiforgery field");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    public Task<HttpResponseMessage> PostAsync(string path, params (string Name, string Value)[] fields) =>
        Client.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));

    public void Dispose() => Client.Dispose();

    [GeneratedRegex("name=\"csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
