using Able.Gateway.Capture;
using CsCheck;

namespace Able.Tests.Capture;

/// <summary><see cref="GaSessionId.FromCookie"/> on any <c>_ga_&lt;id&gt;</c> value: never throws; a result is 1 to 20 ASCII digits.</summary>
public sealed partial class GaSessionIdPropertyTests
{
    [Fact]
    public void Any_cookie_gives_null_or_digits() =>
        AdversarialInput.Weighted(
                (3, AdversarialInput.Text),
                (1, AdversarialInput.Text.Select(t => "GS1.1." + t)),
                (1, AdversarialInput.Text.Select(t => "GS2.1.s" + t)),
                (1, Gen.Select(Gen.ULong, Gen.ULong, (a, b) => $"GS2.1.s{a}$o1$g0$t{b}$j60$l0$h0")))
            .Sample(cookie =>
            {
                if (GaSessionId.FromCookie(cookie) is { } id)
                {
                    Assert.Matches(SessionId(), id);
                }
            }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Both_formats_give_the_session_start_back() =>
        Gen.Select(Gen.ULong, Gen.Int[1, 9], Gen.Bool).Sample((start, depth, gs2) =>
        {
            var cookie = gs2 ? $"GS2.{depth}.s{start}$o3$g1$t{start + 60}$j0$l0$h0" : $"GS1.{depth}.{start}.3.1.{start + 60}.0.0.0";
            Assert.Equal(start.ToString(System.Globalization.CultureInfo.InvariantCulture), GaSessionId.FromCookie(cookie));
        }, iter: AdversarialInput.Iterations);

    [System.Text.RegularExpressions.GeneratedRegex(@"\A[0-9]{1,20}\z")]
    private static partial System.Text.RegularExpressions.Regex SessionId();
}
