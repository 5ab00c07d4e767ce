using Able.Attribution.Service.ConsolePages;

namespace Able.Tests.ConsolePages;

public sealed class HtmlBuilderTests
{
    [Theory]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("\" onmouseover=\"x", "&quot; onmouseover=&quot;x")]
    [InlineData("' autofocus onfocus='x", "&#x27; autofocus onfocus=&#x27;x")]
    [InlineData("a & b", "a &amp; b")]
    [InlineData("", "")]
    public void Every_hole_is_encoded_in_text_and_in_attribute_values(string hostile, string encoded)
    {
        var html = HtmlBuilder.Of($"<td title=\"{hostile}\">{hostile}</td>");

        Assert.Equal($"<td title=\"{encoded}\">{encoded}</td>", html.Markup);
    }

    [Fact]
    public void A_fragment_already_built_is_written_as_it_is_and_numbers_in_the_invariant_culture()
    {
        var inner = HtmlBuilder.Of($"<b>{"<i>"}</b>");
        var html = new HtmlBuilder().Append($"<p>{inner}{1234.5m}{(string?)null}</p>");

        Assert.Equal("<p><b>&lt;i&gt;</b>1234.5</p>", html.ToString());
    }

    [Fact]
    public void Formatted_values_are_encoded_too()
    {
        Assert.Equal("<data value=\"0.6\" data-format=\"percent\">60 %</data>", PeopleFormat.Percent(0.6).Markup);
        Assert.Equal("<data value=\"0\" data-format=\"percent\">0 %</data>", PeopleFormat.Percent(double.NaN).Markup);
        Assert.Equal("<time datetime=\"2026-03-04T15:02:11Z\">2026-03-04 15:02 UTC</time>",
            PeopleFormat.Time(new DateTimeOffset(2026, 3, 4, 16, 2, 11, TimeSpan.FromHours(1))).Markup);
        Assert.Equal("<data value=\"1490\" data-currency=\"&lt;EUR&gt;\">&lt;EUR&gt; 1490.00</data>", PeopleFormat.Money(1490m, "<EUR>").Markup);
    }
}
