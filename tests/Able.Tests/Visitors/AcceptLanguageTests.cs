using Able.Schema.Visitors;
using CsCheck;

namespace Able.Tests.Visitors;

/// <summary>A visitor's language is kept as the browser's first language only: what TikTok's <c>locale</c> takes.</summary>
public sealed class AcceptLanguageTests
{
    [Theory]
    [InlineData("en-US,en;q=0.9", "en-US")]
    [InlineData("de-DE", "de-DE")]
    [InlineData(" fr-CH ; q=1 , fr;q=0.8", "fr-CH")]
    [InlineData("*", null)]
    [InlineData("*;q=0.5,en", null)]
    [InlineData("", null)]
    [InlineData(",en", null)]
    [InlineData(null, null)]
    public void The_first_language_is_kept(string? header, string? expected) =>
        Assert.Equal(expected, AcceptLanguage.Primary(header));

    [Fact]
    public void Any_header_gives_a_trimmed_part_of_itself_without_separators() =>
        AdversarialInput.Text.Sample(header =>
        {
            if (AcceptLanguage.Primary(header) is { } primary)
            {
                Assert.Contains(primary, header, StringComparison.Ordinal);
                Assert.DoesNotContain(',', primary);
                Assert.DoesNotContain(';', primary);
                Assert.Equal(primary.Trim(), primary);
                Assert.NotEmpty(primary);
            }
        }, iter: AdversarialInput.Iterations);
}
