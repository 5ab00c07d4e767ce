using Able.Attribution.Identity;

namespace Able.Tests.Identity;

/// <summary>Phone numbers as TikTok matches them: E.164 (a '+' and at most 15 digits), read in the funnel's region when they have no country code.</summary>
public sealed class PhoneHashingTests
{
    /// <summary>A country code in brackets is still the country code, whatever the funnel's region.</summary>
    [Theory]
    [InlineData("(+49)151 12345678", "US", "+4915112345678")]
    [InlineData("(+49) 151 12345678", "US", "+4915112345678")]
    [InlineData("(+1)2133734253", "DE", "+12133734253")]
    [InlineData("(+1) (213) 373-4253", "DE", "+12133734253")]
    public void A_bracketed_country_code_is_read_as_the_country_code(string phone, string region, string e164) =>
        Assert.Equal(e164, PhoneHashing.NormalisePhone(phone, region));

    [Theory]
    [InlineData("0151 12345678", "DE", "+4915112345678")]
    [InlineData("  +49 151 12345678  ", "US", "+4915112345678")]
    [InlineData("2133734253", "US", "+12133734253")]
    public void A_number_is_read_in_the_region_only_without_a_country_code(string phone, string region, string e164) =>
        Assert.Equal(e164, PhoneHashing.NormalisePhone(phone, region));

    /// <summary>E.164 allows 15 digits: a possible number of 15 digits is kept, a longer one is no number TikTok could match.</summary>
    [Theory]
    [InlineData("+49 30 12345678901", "+493012345678901")]
    public void A_number_of_fifteen_digits_is_kept(string phone, string e164) =>
        Assert.Equal(e164, PhoneHashing.NormalisePhone(phone, "DE"));

    [Theory]
    [InlineData("+49 30 123456789012")]
    [InlineData("+49 30 1234567890123")]
    public void A_number_of_more_than_fifteen_digits_is_no_phone_number(string phone)
    {
        Assert.Null(PhoneHashing.NormalisePhone(phone, "DE"));
        Assert.Null(PhoneHashing.HashPhone(phone, "DE"));
    }

    [Fact]
    public void A_null_number_is_refused_by_the_normaliser_and_has_no_hash()
    {
        Assert.Throws<ArgumentNullException>(() => PhoneHashing.NormalisePhone(null!, "US"));
        Assert.Null(PhoneHashing.HashPhone(null, "US"));
    }
}
