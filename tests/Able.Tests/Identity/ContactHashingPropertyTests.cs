using Able.Attribution.Identity;
using Able.Schema.Identity;
using CsCheck;

namespace Able.Tests.Identity;

/// <summary>Email and phone normalisation (libphonenumber included) on anything a form or API sends: a hash or null, never a throw.</summary>
public sealed partial class ContactHashingPropertyTests
{
    private static readonly Gen<string> Region = AdversarialInput.Element("US", "DE", "GB", "FR", "JP", "ZZ", "001");

    private static readonly Gen<string> Phone = AdversarialInput.Weighted(
        (2, AdversarialInput.Text),
        (2, Gen.Select(AdversarialInput.Element("+", "00", "", "+1 ", "+49 ", "(", "tel:"), Gen.Char["0123456789 -()./+#*x"].Array[0, 40], (prefix, chars) => prefix + new string(chars))));

    [Fact]
    public void Any_email_gives_a_sha256_or_null() =>
        AdversarialInput.Weighted((2, AdversarialInput.Text), (1, Gen.Select(AdversarialInput.Text, AdversarialInput.Text, (a, b) => $"{a}@{b}"))).Sample(email =>
        {
            if (ContactHashing.HashEmail(email) is { } hash)
            {
                Assert.Matches(Sha256(), hash);
            }

            Assert.True(ContactHashing.HashExternalId(email) is null || Sha256().IsMatch(ContactHashing.HashExternalId(email)!));
            _ = ContactHashing.IsSha256Hex(email);
            Assert.Matches(Sha256(), ContactHashing.Sha256Hex(email));
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Any_phone_in_any_region_gives_e164_or_null() =>
        Gen.Select(Phone, Region).Sample((phone, region) =>
        {
            if (PhoneHashing.NormalisePhone(phone, region) is { } e164)
            {
                Assert.Matches(E164(), e164);
            }

            if (PhoneHashing.HashPhone(phone, region) is { } hash)
            {
                Assert.Matches(Sha256(), hash);
            }
        }, iter: AdversarialInput.Iterations);

    [System.Text.RegularExpressions.GeneratedRegex(@"\A[0-9a-f]{64}\z")]
    private static partial System.Text.RegularExpressions.Regex Sha256();

    [System.Text.RegularExpressions.GeneratedRegex(@"\A\+[1-9][0-9]{1,14}\z")]
    private static partial System.Text.RegularExpressions.Regex E164();
}
