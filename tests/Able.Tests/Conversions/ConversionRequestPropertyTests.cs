using Able.Attribution.Conversions;
using CsCheck;

namespace Able.Tests.Conversions;

/// <summary><see cref="ConversionRequest"/> on any body: items or a problem, then field problems, never a throw.</summary>
public sealed class ConversionRequestPropertyTests
{
    [Fact]
    public void Any_body_is_read_and_validated_without_throwing() =>
        AdversarialInput.JsonBodies(FixtureBodies.ConversionBatches).Sample(body =>
        {
            if (!ConversionRequest.TryRead(body, out var items, out var problem))
            {
                Assert.NotEmpty(problem);
                return;
            }

            Assert.InRange(items.Count, 1, ConversionRequest.MaxItems);
            _ = ConversionRequest.FunnelProblems(items);
            foreach (var (field, messages) in ConversionRequest.Validate(items))
            {
                Assert.NotEmpty(messages);
                // Problems never echo contact data.
                Assert.All(messages, m => Assert.DoesNotContain("@", m, StringComparison.Ordinal));
            }
        }, iter: AdversarialInput.Iterations);
}
