using Able.Gateway.Capture;

namespace Able.Tests.Capture;

/// <summary>A visitor's language is stored as the browser's first language only: what TikTok's <c>locale</c> takes.</summary>
public sealed class PrimaryLanguageTests
{
    [Theory]
    [InlineData("en-US,en;q=0.9", "en-US")]
    [InlineData("de-DE", "de-DE")]
    [InlineData(" fr-CH ; q=1 , fr;q=0.8", "fr-CH")]
    [InlineData("*", null)]
    [InlineData("", null)]
    [InlineData(",en", null)]
    [InlineData(null, null)]
    public void The_first_language_is_kept(string? header, string? expected) =>
        Assert.Equal(expected, VisitorCapture.PrimaryLanguage(header));
}
