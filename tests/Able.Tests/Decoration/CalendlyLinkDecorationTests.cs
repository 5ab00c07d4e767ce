using Able.Gateway.Decoration;

namespace Able.Tests.Decoration;

/// <summary>
/// <see cref="CalendlyLinkDecoration"/>'s helpers as tracked links and the HTML rewriter rely on them: which names a
/// query already has (so the site's own values are kept), and which URLs are Calendly scheduling pages at all.
/// </summary>
public sealed class CalendlyLinkDecorationTests
{
    private static readonly CalendlyLinkDecoration Decoration =
        new("salesforce_uuid", "Vd3kTq9xR2mP0aLbC7eF1g", new Dictionary<string, string> { ["utm_source"] = "tiktok" });

    [Theory]
    [InlineData("", new string[0])]
    [InlineData("a=1&b=2", new[] { "a", "b" })]
    [InlineData("flag&&a=1&a=2", new[] { "flag", "a" })]
    [InlineData("=orphan&a=1", new[] { "", "a" })]
    [InlineData("utm%5Fsource=x&first+name=y&eq=a=b", new[] { "utm_source", "first name", "eq" })]
    public void Query_names_are_what_precedes_each_pairs_first_equals_sign_decoded(string query, string[] names) =>
        Assert.Equal(names.Order(StringComparer.Ordinal), CalendlyLinkDecoration.QueryNames(query).Order(StringComparer.Ordinal));

    [Fact]
    public void A_parameter_the_site_sets_with_no_name_does_not_hide_the_carrier() =>
        Assert.Equal(
            "https://calendly.com/acme/intro?=salesforce_uuid&salesforce_uuid=Vd3kTq9xR2mP0aLbC7eF1g&utm_source=tiktok",
            Decoration.Decorate("https://calendly.com/acme/intro?=salesforce_uuid"));

    [Theory]
    [InlineData("https://calendly.com/acme/intro", true)]
    [InlineData("http://www.calendly.com/acme", true)]
    [InlineData("HTTPS://CALENDLY.COM/acme", true)]
    [InlineData("https://calendly.com/", false)]
    [InlineData("https://assets.calendly.com/acme", false)]
    [InlineData("https://calendly.com.evil.example/acme", false)]
    [InlineData("ftp://calendly.com/acme", false)]
    [InlineData("calendly.com/acme", false)]
    [InlineData("//calendly.com/acme", false)]
    [InlineData("", false)]
    public void Only_http_or_https_pages_on_calendly_com_or_www_are_scheduling_urls(string url, bool scheduling) =>
        Assert.Equal(scheduling, CalendlyLinkDecoration.IsSchedulingUrl(url));

    [Fact]
    public void Missing_arguments_are_refused()
    {
        Assert.Throws<ArgumentNullException>("existingNames", () => Decoration.ParametersToAdd(null!));
        Assert.Throws<ArgumentNullException>("url", () => Decoration.Decorate(null!));
        Assert.Throws<ArgumentNullException>("query", () => CalendlyLinkDecoration.QueryNames(null!));
    }
}
