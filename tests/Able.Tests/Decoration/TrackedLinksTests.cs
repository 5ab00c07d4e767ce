using Able.Gateway.Decoration;

namespace Able.Tests.Decoration;

public sealed class TrackedLinksTests
{
    [Theory]
    [InlineData("/go/intro", "intro")]
    [InlineData("/go/intro/", "intro")]
    [InlineData("/GO/intro", "intro")]
    [InlineData("/go/", null)]
    [InlineData("/go", null)]
    [InlineData("/go/a/b", null)]
    [InlineData("/gone/intro", null)]
    [InlineData("/", null)]
    public void Only_one_segment_under_go_is_a_link(string path, string? expected)
    {
        var matched = TrackedLinks.TryMatch(path, out var name);
        Assert.Equal(expected is not null, matched);
        Assert.Equal(expected ?? "", name);
    }
}
