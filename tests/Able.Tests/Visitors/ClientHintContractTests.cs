using Able.Schema.Visitors;

namespace Able.Tests.Visitors;

/// <summary>
/// The client hint formats pinned one rule at a time (RFC 8941 structured fields as Chromium sends them): the length caps
/// at their exact edges, the parameter grammar of a brand list, which <c>v</c> is the version, and the visitor's hints as
/// the hash keeps them.
/// </summary>
public sealed class ClientHintContractTests
{
    [Fact]
    public void A_string_of_128_characters_is_read_and_one_of_129_is_not()
    {
        Assert.Equal(new string('a', 128), ClientHintValue.Text($"\"{new string('a', 128)}\""));
        Assert.Null(ClientHintValue.Text($"\"{new string('a', 129)}\""));
    }

    [Fact]
    public void A_brand_list_header_of_256_characters_is_kept_and_one_of_257_is_not()
    {
        var exactly = List(256);
        Assert.Equal(256, exactly.Length);
        Assert.NotNull(ClientHintValue.CompactBrandList(exactly));
        Assert.Null(ClientHintValue.CompactBrandList(List(257)));
    }

    [Fact]
    public void A_brand_list_of_1024_characters_is_read_and_one_of_1025_is_not()
    {
        Assert.NotNull(ClientHintValue.Brands(List(1024)));
        Assert.Null(ClientHintValue.Brands(List(1025)));
    }

    [Fact]
    public void An_empty_list_names_no_brand_and_is_not_kept()
    {
        Assert.Empty(ClientHintValue.Brands("")!);
        Assert.Null(ClientHintValue.CompactBrandList(""));
    }

    [Theory]
    [InlineData("\"A\";v=\"1\";a_b-c.d*=\"x\"", "1")]
    [InlineData("\"A\";*x=\"y\";v=\"1\"", "1")]
    [InlineData("\"A\";x=token;v=\"1\"", "1")]
    [InlineData("\"A\";v=\"1\";x=\"2\"", "1")]
    [InlineData("\"A\";v=\"1\";x", "1")]
    [InlineData("\"A\";v=\"1\";v=\"2\"", "2")]
    public void Parameters_other_than_v_are_skipped_and_the_last_v_string_is_the_version(string list, string version) =>
        Assert.Equal(version, Assert.Single(ClientHintValue.Brands(list)!).Version);

    [Theory]
    [InlineData("\"A\";1a=\"x\";v=\"1\"")]
    [InlineData("\"A\";_a=\"x\";v=\"1\"")]
    [InlineData("\"A\";-a=\"x\";v=\"1\"")]
    [InlineData("\"A\";.a=\"x\";v=\"1\"")]
    [InlineData("\"A\";=\"x\";v=\"1\"")]
    [InlineData("\"A\";v=\"1\";v")]
    [InlineData("\"A\";v=\"1\";v=token")]
    [InlineData("\"A\";v=")]
    [InlineData("\"A\";v=\"1")]
    [InlineData("\"A\";v=\"1\\")]
    [InlineData("\"A\\")]
    [InlineData("\"A\";x=a b;v=\"1\"")]
    [InlineData("\"A\";x=a\u007fb;v=\"1\"")]
    [InlineData("\"A\";x=a\u0001b;v=\"1\"")]
    [InlineData("\"A\";x=;v=\"1\"")]
    public void A_malformed_parameter_or_a_version_that_is_not_a_string_makes_the_list_unreadable(string list) =>
        Assert.Null(ClientHintValue.Brands(list));

    [Fact]
    public void A_string_cut_after_its_escape_or_not_starting_with_its_quote_is_not_read()
    {
        Assert.Null(ClientHintValue.Text("\"A\\"));
        Assert.Null(ClientHintValue.Text("a\""));
        Assert.Null(ClientHintValue.Text("a\"b\""));
    }

    [Theory]
    [InlineData("ch_ua")]
    [InlineData("ch_mob")]
    [InlineData("ch_plat")]
    [InlineData("ch_platv")]
    [InlineData("ch_model")]
    [InlineData("ch_arch")]
    [InlineData("ch_bits")]
    [InlineData("ch_fvl")]
    public void A_visitor_with_any_one_hint_has_device_hints(string field)
    {
        var hints = DeviceHints.FromFields(name => name == field ? (field == "ch_mob" ? "1" : "x") : null);

        Assert.NotNull(hints);
        Assert.False(hints.IsEmpty);
    }

    [Fact]
    public void Mobile_is_stored_as_1_or_0_and_read_back_and_no_hints_are_none()
    {
        Assert.Equal("1", DeviceHints.StoredMobile(true));
        Assert.Equal("0", DeviceHints.StoredMobile(false));
        Assert.Null(DeviceHints.StoredMobile(null));
        Assert.True(DeviceHints.FromFields(name => name == "ch_mob" ? "1" : null)!.Mobile);
        Assert.False(DeviceHints.FromFields(name => name == "ch_mob" ? "0" : null)!.Mobile);
        Assert.Null(DeviceHints.FromFields(name => name == "ch_mob" ? "yes" : null));
        Assert.Null(DeviceHints.FromFields(_ => null));
        Assert.Equal("field", Assert.Throws<ArgumentNullException>(() => DeviceHints.FromFields(null!)).ParamName);
    }

    [Fact]
    public void Hints_without_a_full_version_list_have_no_full_versions_rather_than_none()
    {
        Assert.Empty(new DeviceHints { Platform = "Android" }.FullVersions());
        Assert.Equal([new BrandVersion("Chromium", "128.0.1")], new DeviceHints { FullVersionList = "\"Chromium\";v=\"128.0.1\"" }.FullVersions());
    }

    /// <summary>A well-formed brand list of exactly <paramref name="length"/> characters (at least 10).</summary>
    private static string List(int length)
    {
        const string first = "\"B\";v=\"1\"";
        var text = first;
        while (text.Length + 10 <= length)
        {
            text += ",\"B\";v=\"1\"";
        }

        // Pad the last brand's name to the exact length.
        var missing = length - text.Length;
        return missing == 0 ? text : text[..^8] + new string('B', missing + 1) + text[^7..];
    }
}
