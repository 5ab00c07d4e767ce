using System.Buffers.Text;
using System.Text;
using Able.Attribution.Delivery;
using Able.Attribution.Receipts;
using CsCheck;

namespace Able.Tests.Admin;

/// <summary>
/// The cursors the admin lists take from a query string: any text is a position this produced or "not valid", never a
/// throw; a written receipts cursor reads back as written.
/// </summary>
public sealed class AdminCursorPropertyTests
{
    [Fact]
    public void Any_text_or_base64url_of_any_text_is_read_as_a_cursor_or_refused_without_a_throw()
    {
        AdversarialInput.Text.Sample(text =>
        {
            _ = ReceiptCursor.TryRead(text);
            _ = ReceiptCursor.TryRead(Base64Url.EncodeToString(Encoding.UTF8.GetBytes("r1\n" + text)));
            _ = DeadLetterReplay.IsStreamId(text);
        }, iter: AdversarialInput.Iterations);
    }

    [Fact]
    public void A_written_receipts_cursor_reads_back_as_written()
    {
        var position = Gen.Select(Gen.Int[0, 2], Gen.Long[0, 99_999_999_999_999], AdversarialInput.Text).Select((state, score, member) => state switch
        {
            0 => FunnelPosition.Start,
            1 => new FunnelPosition(true, score, member, false),
            _ => FunnelPosition.Finished,
        });
        var marks = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-_"], 1, 40];
        Gen.Dictionary(marks, position)[1, 5].Sample(positions =>
        {
            // Receipt ids as stored: valid text, and at most a few kilobytes (the cursor's ReceiptCursor.MaxLength allows for five funnels of those).
            var valid = positions.Where(p => IsValidText(p.Value.Member) && p.Value.Member.Length <= 4096).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            if (valid.Count == 0)
            {
                return;
            }

            var read = ReceiptCursor.TryRead(ReceiptCursor.Write(valid));
            Assert.NotNull(read);
            Assert.Equal(valid.OrderBy(p => p.Key, StringComparer.Ordinal), read.OrderBy(p => p.Key, StringComparer.Ordinal));
        }, iter: AdversarialInput.Iterations);
    }

    [Theory]
    [InlineData("1700000000000-0", true)]
    [InlineData("0-0", true)]
    [InlineData("18446744073709551615-18446744073709551615", true)]
    [InlineData("18446744073709551616-0", false)]
    [InlineData("0-18446744073709551616", false)]
    [InlineData("99999999999999999999-0", false)]
    [InlineData("+1-0", false)]
    [InlineData(" 1-0", false)]
    [InlineData("1-+0", false)]
    [InlineData("1--0", false)]
    [InlineData("1-0-0", false)]
    [InlineData("-1", false)]
    [InlineData("1-", false)]
    [InlineData("١-0", false)]
    [InlineData("1700000000000", false)]
    [InlineData("(1-0", false)]
    [InlineData("-", false)]
    [InlineData("+", false)]
    [InlineData("1-0\n", false)]
    [InlineData("", false)]
    public void Only_stream_ids_are_asked_for(string id, bool valid) => Assert.Equal(valid, DeadLetterReplay.IsStreamId(id));

    private static bool IsValidText(string text)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetBytes(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }
}
