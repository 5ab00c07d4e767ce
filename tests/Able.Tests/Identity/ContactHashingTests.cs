using Able.Attribution.Identity;
using Able.Schema.Identity;

namespace Able.Tests.Identity;

public sealed class ContactHashingTests
{
    // The worked examples of the reference (tiktok-events-api.md, Hashing).
    [Theory]
    [InlineData(" ALICE_abc@gmail.com ", "848a771458438fc2ec420560d769fb9b9b86851ee338ec56517baabd79d3bb4f")]
    [InlineData("jane.doe@example.com", "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d")]
    [InlineData("Jane.Doe@Example.com ", "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d")]
    [InlineData("86E0B9E56C17CC4D12387E1949B85053FBE73BC3CE5A1188713A9D300CC6133D", "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d")]
    public void Email_is_trimmed_lower_cased_and_hashed_once(string email, string expected) =>
        Assert.Equal(expected, ContactHashing.HashEmail(email));

    [Theory]
    [InlineData("(+1)2133734253", "US", "+12133734253", "9f7ec22d72092cd3c0b58726ed9c2d91b92e51a3f29837508fb2948bb22dd2fd")]
    [InlineData("+1 (213) 373-4253", "DE", "+12133734253", "9f7ec22d72092cd3c0b58726ed9c2d91b92e51a3f29837508fb2948bb22dd2fd")]
    [InlineData("(213) 373-4253", "US", "+12133734253", "9f7ec22d72092cd3c0b58726ed9c2d91b92e51a3f29837508fb2948bb22dd2fd")]
    [InlineData("+4915112345678", "US", "+4915112345678", "536afd523e19dc83fccba822ef5e4ca646111314aaf0aa286667c5bea18dd70b")]
    [InlineData("+49 151 12345678", "US", "+4915112345678", "536afd523e19dc83fccba822ef5e4ca646111314aaf0aa286667c5bea18dd70b")]
    [InlineData("0151 12345678", "DE", "+4915112345678", "536afd523e19dc83fccba822ef5e4ca646111314aaf0aa286667c5bea18dd70b")]
    public void Phone_is_normalised_to_E164_with_the_default_region_then_hashed(string phone, string region, string e164, string expected)
    {
        Assert.Equal(e164, PhoneHashing.NormalisePhone(phone, region));
        Assert.Equal(expected, PhoneHashing.HashPhone(phone, region));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("call me")]
    [InlineData("12")]
    public void Something_that_is_not_a_phone_number_has_no_hash(string phone) =>
        Assert.Null(PhoneHashing.HashPhone(phone, "US"));

    [Fact]
    public void An_already_hashed_phone_is_not_hashed_again() =>
        Assert.Equal(
            "536afd523e19dc83fccba822ef5e4ca646111314aaf0aa286667c5bea18dd70b",
            PhoneHashing.HashPhone("536AFD523E19DC83FCCBA822EF5E4CA646111314AAF0AA286667C5BEA18DD70B", "US"));

    [Theory]
    [InlineData("user_123", "80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b")]
    [InlineData("  user_123 ", "80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b")]
    public void External_id_is_trimmed_and_hashed(string value, string expected) =>
        Assert.Equal(expected, ContactHashing.HashExternalId(value));

    private const string Digest = "80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b";

    /// <summary>Sixty-four characters, one hex digit among them: a plain value, not a digest.</summary>
    private static readonly string PartlyHex = "a" + new string('z', 63);

    /// <summary>A plausible 64-character email address (a long one is 64 characters, hex digits and all).</summary>
    private static readonly string LongEmail = new string('q', 52) + "@example.com";

    [Theory]
    [InlineData(Digest, true)]
    [InlineData("80FBA0AE1C48E3978E43E4EFC365E14E12EA0C830BA8BA5B9A2DAFC7E3F2AB8B", true)]
    [InlineData("80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8", false)]
    [InlineData("80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b0", false)]
    [InlineData("80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8g", false)]
    [InlineData("g0fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b", false)]
    [InlineData("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void A_digest_is_exactly_64_hex_digits_every_one_of_them(string? value, bool isDigest) =>
        Assert.Equal(isDigest, ContactHashing.IsSha256Hex(value));

    [Fact]
    public void A_64_character_value_that_is_not_all_hex_is_hashed_not_kept()
    {
        Assert.Equal(64, PartlyHex.Length);
        Assert.Equal(ContactHashing.Sha256Hex(PartlyHex), ContactHashing.HashExternalId(PartlyHex));
        Assert.Equal(ContactHashing.Sha256Hex(new string('z', 64)), ContactHashing.HashExternalId(new string('z', 64)));
    }

    [Fact]
    public void A_64_character_email_is_hashed_not_mistaken_for_a_digest()
    {
        Assert.Equal(64, LongEmail.Length);
        Assert.Equal(ContactHashing.Sha256Hex(LongEmail), ContactHashing.HashEmail(LongEmail));
        Assert.Equal(ContactHashing.Sha256Hex(LongEmail), ContactHashing.HashEmail(LongEmail.ToUpperInvariant()));
    }

    [Theory]
    [InlineData(Digest)]
    [InlineData("80FBA0AE1C48E3978E43E4EFC365E14E12EA0C830BA8BA5B9A2DAFC7E3F2AB8B")]
    [InlineData("  80FBA0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b ")]
    public void An_already_hashed_external_id_is_lower_cased_and_kept(string value) =>
        Assert.Equal(Digest, ContactHashing.HashExternalId(value));

    [Fact]
    public void An_already_hashed_email_is_kept_lower_case() =>
        Assert.Equal(Digest, ContactHashing.HashEmail(Digest.ToUpperInvariant()));

    [Fact]
    public void A_lower_case_hashed_phone_is_kept_as_it_is() =>
        Assert.Equal(Digest, PhoneHashing.HashPhone(Digest, "DE"));

    [Fact]
    public void A_64_character_phone_value_that_is_not_all_hex_is_no_phone_and_is_never_kept()
    {
        // Not a digest, so it is read as a phone number; 64 characters are no phone number, so nothing is sent.
        Assert.Null(PhoneHashing.HashPhone(PartlyHex, "US"));
        Assert.Null(PhoneHashing.HashPhone(new string('5', 63) + "x", "US"));
    }
}
