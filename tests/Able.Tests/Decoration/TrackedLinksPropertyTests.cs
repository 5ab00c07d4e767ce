using Able.Gateway.Decoration;
using CsCheck;
using Microsoft.AspNetCore.Http;

namespace Able.Tests.Decoration;

/// <summary><see cref="TrackedLinks.TryMatch"/> on any path: never throws; a match is a non-empty name under <c>/go/</c>.</summary>
public sealed class TrackedLinksPropertyTests
{
    [Fact]
    public void Any_path_matches_or_not_without_throwing() =>
        AdversarialInput.Weighted((1, AdversarialInput.Text), (2, AdversarialInput.Text.Select(t => "go/" + t))).Sample(path =>
        {
            var pathString = new PathString("/" + path);
            if (TrackedLinks.TryMatch(pathString, out var name))
            {
                Assert.NotEmpty(name);
                Assert.StartsWith(TrackedLinks.PathPrefix, pathString.Value!, StringComparison.OrdinalIgnoreCase);
            }
        }, iter: AdversarialInput.Iterations);
}
