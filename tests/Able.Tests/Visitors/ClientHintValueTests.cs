using Able.Schema.Visitors;

namespace Able.Tests.Visitors;

/// <summary><see cref="ClientHintValue"/>: the structured fields of the User-Agent client hint headers, as Chromium sends them and as they must not be.</summary>
public sealed class ClientHintValueTests
{
    [Theory]
    [InlineData("\"Windows\"", "Windows")]
    [InlineData(" \"Android\" ", "Android")]
    [InlineData("\"15.0.0\"", "15.0.0")]
    [InlineData("\"Pixel 8 Pro\"", "Pixel 8 Pro")]
    [InlineData("\"\"", "")]
    [InlineData("\"say \\\"hi\\\" \\\\\"", "say \"hi\" \\")]
    [InlineData("Windows", null)]
    [InlineData("\"Windows", null)]
    [InlineData("\"Win\"dows\"", null)]
    [InlineData("\"a\\n\"", null)]
    [InlineData("\"é\"", null)]
    [InlineData("\"a\u0001\"", null)]
    [InlineData("\"a\" \"b\"", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void A_string_hint_is_unquoted_and_anything_else_is_refused(string? header, string? expected) =>
        Assert.Equal(expected, ClientHintValue.Text(header));

    [Theory]
    [InlineData("?1", true)]
    [InlineData("?0", false)]
    [InlineData(" ?1", true)]
    [InlineData("1", null)]
    [InlineData("?2", null)]
    [InlineData("\"?1\"", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void The_mobile_hint_is_a_structured_boolean(string? header, bool? expected) =>
        Assert.Equal(expected, ClientHintValue.Flag(header));

    [Theory]
    [InlineData(
        "\"Chromium\";v=\"128\", \"Not;A=Brand\";v=\"24\", \"Google Chrome\";v=\"128\"",
        "\"Chromium\";v=\"128\",\"Not;A=Brand\";v=\"24\",\"Google Chrome\";v=\"128\"")]
    [InlineData(
        "\"Not)A;Brand\";v=\"99.0.0.0\",\"Google Chrome\";v=\"127.0.6533.120\",\"Chromium\";v=\"127.0.6533.120\"",
        "\"Not)A;Brand\";v=\"99.0.0.0\",\"Google Chrome\";v=\"127.0.6533.120\",\"Chromium\";v=\"127.0.6533.120\"")]
    [InlineData("\"A\";x;v=\"1\";y=?0;z=tok, \"B\";v=\"2\"", "\"A\";v=\"1\",\"B\";v=\"2\"")]
    [InlineData("\"Q\\\"uote\";v=\"1\"", "\"Q\\\"uote\";v=\"1\"")]
    [InlineData("\"A\";v=\"1\",", null)]
    [InlineData("\"A\"", null)]
    [InlineData("\"A\";v=1", null)]
    [InlineData("\"A\";V=\"1\"", null)]
    [InlineData("Chromium;v=\"128\"", null)]
    [InlineData("\"A\";v=\"1\" \"B\";v=\"2\"", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void A_brand_list_is_kept_as_compact_text_or_not_at_all(string? header, string? expected) =>
        Assert.Equal(expected, ClientHintValue.CompactBrandList(header));

    [Fact]
    public void A_brand_list_longer_than_the_cap_is_not_kept() =>
        Assert.Null(ClientHintValue.CompactBrandList($"\"{new string('a', ClientHintValue.MaxBrandListLength)}\";v=\"1\""));

    [Fact]
    public void The_compact_text_gives_the_brands_and_versions_back()
    {
        var compact = ClientHintValue.CompactBrandList("\"Google Chrome\";v=\"127.0.6533.120\", \"Not)A;Brand\";v=\"99.0.0.0\"");

        Assert.Equal(
            [new BrandVersion("Google Chrome", "127.0.6533.120"), new BrandVersion("Not)A;Brand", "99.0.0.0")],
            ClientHintValue.Brands(compact));
    }
}
