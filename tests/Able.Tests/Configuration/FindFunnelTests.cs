using Able.Schema.Configuration;

namespace Able.Tests.Configuration;

public sealed class FindFunnelTests
{
    private static readonly AbleOptions Options = new()
    {
        Funnels = [new FunnelOptions { Mark = "acme" }, new FunnelOptions { Mark = "beta-2" }],
    };

    [Theory]
    [InlineData("acme", "acme")]
    [InlineData("ACME", "acme")]
    [InlineData("Beta-2", "beta-2")]
    public void Finds_a_funnel_by_its_mark_in_any_case(string asked, string expected) =>
        Assert.Equal(expected, Options.FindFunnel(asked)?.Mark);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("acm")]
    [InlineData("acme ")]
    [InlineData("beta")]
    public void Finds_nothing_for_another_mark(string? asked) => Assert.Null(Options.FindFunnel(asked));
}
