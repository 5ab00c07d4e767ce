using Able.Gateway.Capture;
using CsCheck;

namespace Able.Tests.Capture;

/// <summary><see cref="GaClientId.FromCookie"/> on any <c>_ga</c> value: never throws; a result is two ASCII digit runs.</summary>
public sealed partial class GaClientIdPropertyTests
{
    [Fact]
    public void Any_cookie_gives_null_or_digits_dot_digits() =>
        AdversarialInput.Weighted((3, AdversarialInput.Text), (1, AdversarialInput.Text.Select(t => "GA1.2." + t)), (1, Gen.Select(Gen.ULong, Gen.ULong, (a, b) => $"GA1.1.{a}.{b}")))
            .Sample(cookie =>
            {
                if (GaClientId.FromCookie(cookie) is { } id)
                {
                    Assert.Matches(ClientId(), id);
                }
            }, iter: AdversarialInput.Iterations);

    [System.Text.RegularExpressions.GeneratedRegex(@"\A[0-9]{1,20}\.[0-9]{1,20}\z")]
    private static partial System.Text.RegularExpressions.Regex ClientId();
}
