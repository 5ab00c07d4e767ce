using System.Text;
using Able.Attribution.TikTok;
using CsCheck;

namespace Able.Tests.TikTok;

/// <summary>Whatever TikTok (or a proxy in front of it) answers: an outcome, never a throw.</summary>
public sealed class TikTokResponsePropertyTests
{
    [Fact]
    public void Any_status_and_body_get_an_outcome() =>
        Gen.Select(AdversarialInput.Weighted((3, AdversarialInput.Element(200, 400, 401, 429, 500, 502, 503)), (1, Gen.Int[-1, 1000])), AdversarialInput.JsonBodies(FixtureBodies.TikTokReply))
            .Sample((status, body) =>
            {
                var result = TikTokClient.Interpret(status, Encoding.UTF8.GetString(body));
                Assert.True(Enum.IsDefined(result.Outcome));
                Assert.NotNull(result.Reason);
            }, iter: AdversarialInput.Iterations);
}
