using Able.Attribution.Reports;
using CsCheck;

namespace Able.Tests.Reports;

/// <summary>
/// <see cref="StatsReader.ToCsv"/>: RFC 4180 (CRLF, quoted fields with doubled quotes), revenue one column per currency, and
/// UTM text that a spreadsheet would run as a formula made inert.
/// </summary>
public sealed class CampaignCsvTests
{
    [Fact]
    public void The_report_has_a_header_a_revenue_column_per_currency_and_one_line_per_row()
    {
        IReadOnlyList<CampaignRow> rows =
        [
            new() { Source = "tiktok", Campaign = "spring", Content = "video-a", TikTokClick = true, Visits = 10, Bookings = 2, Purchases = 1,
                Revenue = new Dictionary<string, decimal> { ["EUR"] = 149.5m }, Matched = 3 },
            new() { Source = "", Campaign = "", Content = "", Unattributed = true, Bookings = 1, Revenue = new Dictionary<string, decimal> { ["USD"] = 20m } },
            new() { Source = "(other)", Campaign = "(other)", Content = "(other)", Overflow = true, Visits = 7 },
        ];

        var csv = StatsReader.ToCsv(rows);

        Assert.Equal(
            "row,utm_source,utm_campaign,utm_content,ttclid,visits,bookings,purchases,revenue_EUR,revenue_USD,matched,matched_share\r\n" +
            "campaign,tiktok,spring,video-a,yes,10,2,1,149.5,0,3,1\r\n" +
            "unattributed,,,,no,0,1,0,0,20,0,0\r\n" +
            "other,(other),(other),(other),no,7,0,0,0,0,0,0\r\n",
            csv);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil\")", "\"'=HYPERLINK(\"\"http://evil\"\")\"")]
    [InlineData("+1+2", "\"'+1+2\"")]
    [InlineData("-2+3", "\"'-2+3\"")]
    [InlineData("@SUM(A1)", "\"'@SUM(A1)\"")]
    [InlineData("\t=1", "\"'\t=1\"")]
    [InlineData("\r=1", "\"'\r=1\"")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("line\nbreak", "\"line\nbreak\"")]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    public void A_field_is_quoted_as_RFC_4180_asks_and_never_starts_a_formula(string value, string expected) =>
        Assert.Equal(expected, StatsReader.CsvField(value));

    [Fact]
    public void Any_text_reads_back_from_its_field_and_never_starts_with_a_formula_character() =>
        AdversarialInput.Text.Sample(text =>
        {
            var field = StatsReader.CsvField(text);
            var read = ReadField(field);
            Assert.DoesNotMatch("^[=+\\-@\t\r]", read);
            Assert.Equal(text, read.StartsWith('\'') && text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? read[1..] : read);
        }, iter: AdversarialInput.Iterations);

    /// <summary>An RFC 4180 reader of one field (the oracle): a quoted field unquoted, quotes undoubled; a bare one as it is.</summary>
    private static string ReadField(string field)
    {
        if (field.Length == 0 || field[0] != '"')
        {
            Assert.DoesNotContain(field, c => c is ',' or '"' or '\r' or '\n');
            return field;
        }

        Assert.EndsWith("\"", field, StringComparison.Ordinal);
        var inner = field[1..^1];
        Assert.DoesNotMatch("(?<!\")\"(?!\")", inner.Replace("\"\"", "", StringComparison.Ordinal));
        return inner.Replace("\"\"", "\"", StringComparison.Ordinal);
    }
}
