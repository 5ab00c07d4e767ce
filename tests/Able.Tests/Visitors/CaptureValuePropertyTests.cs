using Able.Schema.Visitors;
using CsCheck;

namespace Able.Tests.Visitors;

/// <summary><see cref="CaptureValue"/> on any text: never throws, and what it keeps is short, clean text that cleans to itself.</summary>
public sealed class CaptureValuePropertyTests
{
    [Fact]
    public void A_kept_value_is_within_the_limit_without_control_characters_and_stable() =>
        Gen.Select(AdversarialInput.Text, Gen.Int[0, 3000]).Sample((raw, max) =>
        {
            foreach (var clean in new Func<string?, int, (string? Value, CaptureValueProblem Problem)>[] { CaptureValue.Clean, CaptureValue.CleanQueryValue, CaptureValue.CleanToken })
            {
                var (value, problem) = clean(raw, max);
                if (value is null)
                {
                    continue;
                }

                Assert.Equal(CaptureValueProblem.None, problem);
                Assert.InRange(value.Length, 1, max);
                Assert.DoesNotContain(value, char.IsControl);
                Assert.DoesNotContain('\uFFFD', value);
                Assert.Equal(value, clean(value, max).Value);
            }
        }, iter: AdversarialInput.Iterations);
}
