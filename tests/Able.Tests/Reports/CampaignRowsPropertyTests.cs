using Able.Schema.Stats;
using CsCheck;

namespace Able.Tests.Reports;

/// <summary>
/// <see cref="CampaignRows"/> on attacker-controlled UTM text: every key round-trips through its stored field whatever the
/// values hold (separators and escapes included), reading any field never throws, and cut values keep whole characters.
/// </summary>
public sealed class CampaignRowsPropertyTests
{
    private static readonly Gen<string> Value = Gen.OneOf(
        AdversarialInput.Text,
        Gen.String[Gen.Char["|%7C25~ab"], 0, 12],
        Gen.Const("%7C"),
        Gen.Const("|"),
        Gen.Const("~other"));

    [Fact]
    public void Every_key_round_trips_through_its_field() =>
        Gen.Select(Value, Value, Value, Gen.Bool, AdversarialInput.Element("v", "fb", "lp", "fr:EUR", "lm")).Sample((source, campaign, content, click, metric) =>
        {
            var key = CampaignKey.Of(new Dictionary<string, string> { ["utm_source"] = source, ["utm_campaign"] = campaign, ["utm_content"] = content }, click ? "E.C.P" : null);
            var field = CampaignRows.Field(metric, CampaignRows.Encode(key));

            Assert.True(CampaignRows.TryReadField(field, out var readMetric, out var kind, out var read));
            Assert.Equal(metric, readMetric);
            Assert.Equal(CampaignRowKind.Campaign, kind);
            Assert.Equal(key, read);
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Distinct_keys_have_distinct_rows() =>
        Gen.Select(Value, Value, Value, Value).Sample((a, b, c, d) =>
        {
            var first = new CampaignKey(a, b, c, TikTokClick: false);
            var second = new CampaignKey(b, c, d, TikTokClick: false);
            Assert.Equal(first == second, CampaignRows.Encode(first) == CampaignRows.Encode(second));
            Assert.NotEqual(CampaignRows.Encode(first), CampaignRows.Encode(first with { TikTokClick = true }));
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Reading_any_text_never_throws_and_a_campaign_row_is_never_a_reserved_one() =>
        AdversarialInput.Text.Sample(text =>
        {
            if (CampaignRows.TryReadField(text, out _, out var kind, out var key))
            {
                Assert.Equal(kind == CampaignRowKind.Campaign, key is not null);
            }

            _ = CampaignRows.TryDecode(text, out _, out _);
            var encoded = CampaignRows.Encode(new CampaignKey(text, text, text, TikTokClick: false));
            Assert.False(encoded.StartsWith('~'));
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void A_cut_value_is_a_prefix_of_at_most_the_limit_without_half_a_surrogate_pair() =>
        AdversarialInput.Text.Sample(text =>
        {
            var cut = CampaignRows.Cut(text);
            Assert.InRange(cut.Length, 0, CampaignRows.MaxValueLength);
            Assert.StartsWith(cut, text, StringComparison.Ordinal);
            if (cut.Length > 0 && cut.Length < text.Length)
            {
                Assert.False(char.IsHighSurrogate(cut[^1]) && char.IsLowSurrogate(text[cut.Length]));
            }
        }, iter: AdversarialInput.Iterations);

    [Theory]
    [InlineData("v|~other", CampaignRowKind.Other)]
    [InlineData("fb|~unattributed", CampaignRowKind.Unattributed)]
    public void Reserved_rows_are_read_as_theirs(string field, CampaignRowKind expected)
    {
        Assert.True(CampaignRows.TryReadField(field, out _, out var kind, out var key));
        Assert.Equal(expected, kind);
        Assert.Null(key);
    }

    [Theory]
    [InlineData("rows")]
    [InlineData("|0|a|b|c")]
    [InlineData("v|2|a|b|c")]
    [InlineData("v|0|a|b")]
    [InlineData("v|0|a|b|c|d")]
    [InlineData("v|0|a%|b|c")]
    [InlineData("v|0|a%7|b|c")]
    [InlineData("v|0|a%41|b|c")]
    [InlineData("v|~else")]
    public void Fields_this_layout_does_not_write_are_refused(string field) =>
        Assert.False(CampaignRows.TryReadField(field, out _, out _, out _));

    [Fact]
    public void Separators_and_escapes_inside_values_round_trip()
    {
        var key = new CampaignKey("tik|tok", "50%|off %7C", "~x", TikTokClick: true);
        var row = CampaignRows.Encode(key);

        Assert.Equal("1|tik%7Ctok|50%25%7Coff %257C|~x", row);
        Assert.True(CampaignRows.TryDecode(row, out _, out var read));
        Assert.Equal(key, read);
    }
}
