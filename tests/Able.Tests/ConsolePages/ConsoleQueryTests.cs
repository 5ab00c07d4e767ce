using Able.Attribution.Service.ConsolePages;
using Able.Schema.Configuration;

namespace Able.Tests.ConsolePages;

public sealed class ConsoleQueryTests
{
    private static readonly AbleOptions TwoFunnels = new() { Funnels = [new FunnelOptions { Mark = "acme" }, new FunnelOptions { Mark = "beta" }] };

    [Theory]
    [InlineData(null, 7)]
    [InlineData("", 7)]
    [InlineData("1", 1)]
    [InlineData("7", 7)]
    [InlineData("30", 30)]
    public void The_period_is_one_of_the_three_offered(string? days, int expected)
    {
        Assert.Equal((expected, null), ConsoleQuery.Days(days));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    [InlineData("-7")]
    [InlineData("7 ")]
    [InlineData("999999999999999999999")]
    [InlineData("seven")]
    public void Any_other_period_is_a_problem_not_an_exception(string days)
    {
        Assert.Equal("The period must be 1, 7 or 30 days.", ConsoleQuery.Days(days).Problem);
    }

    [Fact]
    public void No_funnel_named_is_the_first_and_an_unknown_one_is_named_in_the_problem()
    {
        Assert.Equal("acme", ConsoleQuery.Funnel(TwoFunnels, null).Funnel!.Mark);
        Assert.Equal("beta", ConsoleQuery.Funnel(TwoFunnels, "beta").Funnel!.Mark);
        Assert.Equal((null, "There is no funnel 'ACME'."), ConsoleQuery.Funnel(TwoFunnels, "ACME"));
        Assert.NotNull(ConsoleQuery.Funnel(new AbleOptions(), null).Problem);
    }

    [Fact]
    public void Built_links_escape_every_value_and_leave_out_empty_ones()
    {
        Assert.Equal("/console/conversions?funnel=a%26b&cursor=x%3D1%20y", ConsoleQuery.Build("/console/conversions", ("funnel", "a&b"), ("event", null), ("matched", ""), ("cursor", "x=1 y")));
        Assert.Equal("/console", ConsoleQuery.Build("/console", ("days", null)));
    }
}
