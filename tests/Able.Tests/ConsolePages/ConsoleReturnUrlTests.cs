using Able.Attribution.Service.ConsolePages;

namespace Able.Tests.ConsolePages;

public sealed class ConsoleReturnUrlTests
{
    [Theory]
    [InlineData("/console")]
    [InlineData("/console/")]
    [InlineData("/console/conversions?matched=no&event=Schedule")]
    [InlineData("/console?days=30")]
    [InlineData("/console/conversions/acme/schedule%3Aabc")]
    public void A_console_path_on_this_host_is_where_the_login_returns(string returnUrl)
    {
        Assert.True(ConsoleReturnUrl.IsLocalConsoleUrl(returnUrl));
        Assert.Equal(returnUrl, ConsoleReturnUrl.SafeOrDefault(returnUrl));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("https://evil.example/console")]
    [InlineData("//evil.example/console")]
    [InlineData("/\\evil.example")]
    [InlineData("/console\\..\\metrics")] // URL, not a file path
    [InlineData("/console//evil.example")]
    [InlineData("/consolex")]
    [InlineData("/console.evil")]
    [InlineData("/metrics")]
    [InlineData("/console/login?returnUrl=/console")]
    [InlineData("/console/%2e%2e/metrics")]
    [InlineData("/console/\t/x")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/console/./../metrics")] // URL, not a file path
    public void Anything_else_returns_to_the_overview(string? returnUrl)
    {
        Assert.False(ConsoleReturnUrl.IsLocalConsoleUrl(returnUrl));
        Assert.Equal("/console", ConsoleReturnUrl.SafeOrDefault(returnUrl));
    }
}
