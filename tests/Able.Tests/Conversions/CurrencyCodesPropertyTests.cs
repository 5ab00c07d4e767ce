using Able.Attribution.Conversions;
using CsCheck;

namespace Able.Tests.Conversions;

public sealed class CurrencyCodesPropertyTests
{
    [Fact]
    public void A_known_code_is_three_upper_case_ascii_letters() =>
        AdversarialInput.Weighted((3, AdversarialInput.Text), (1, Gen.Char['A', 'Z'].Array[3].Select(c => new string(c)))).Sample(code =>
        {
            if (CurrencyCodes.IsKnown(code))
            {
                Assert.Equal(3, code.Length);
                Assert.All(code, c => Assert.True(char.IsAsciiLetterUpper(c)));
            }
        }, iter: AdversarialInput.Iterations);
}
