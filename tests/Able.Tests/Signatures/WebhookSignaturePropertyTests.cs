using System.Text;
using Able.Attribution.Signatures;
using CsCheck;

namespace Able.Tests.Signatures;

/// <summary>The Calendly and Stripe signature headers as anyone can send them: a verdict, never a throw; a real signature verifies at any time.</summary>
public sealed class WebhookSignaturePropertyTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"event":"invitee.created"}""");
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_773_926_400);

    private static readonly Gen<string> Header = AdversarialInput.Weighted(
        (2, AdversarialInput.Text),
        (3, AdversarialInput.Weighted(
                (2, AdversarialInput.Element("t=1773926400", "t=", "t=-1", "t=99999999999999999999", "t=-9223372036854775808", "t=9223372036854775807", "t=1e9", "v1=", "v1=zz", "v0=ab", "v1=" + new string('a', 64), "v1=" + new string('A', 64), "=", ",", "t=1773926400=1")),
                (1, AdversarialInput.Text))
            .Array[0, 5].Select(parts => string.Join(",", parts))));

    [Fact]
    public void Any_header_gets_a_verdict() =>
        Header.Sample(header =>
            _ = WebhookSignature.Verify(Body, header, "secret", Now, TimeSpan.FromMinutes(5)), iter: AdversarialInput.Iterations);

    [Fact]
    public void A_real_signature_verifies_at_its_own_time_whatever_the_timestamp() =>
        Gen.Select(Gen.Long[-4_000_000_000_000, 4_000_000_000_000], AdversarialInput.Text).Sample((t, secret) =>
        {
            // A blank secret is refused (WebhookSignatureTests); any other is a key.
            secret = string.IsNullOrWhiteSpace(secret) ? "x" : secret;
            var header = WebhookSignature.Sign(Body, secret, t);
            // Timestamps before 1970 are refused as malformed; every later one a DateTimeOffset can hold verifies.
            if (t is >= 0 and <= 253_402_300_799)
            {
                Assert.Equal(SignatureCheck.Valid, WebhookSignature.Verify(Body, header, secret, DateTimeOffset.FromUnixTimeSeconds(t), TimeSpan.FromMinutes(5)));
            }

            _ = WebhookSignature.Verify(Body, header, secret, Now, TimeSpan.FromMinutes(5));
        }, iter: AdversarialInput.Iterations);
}
