using System.Buffers.Text;
using Able.Attribution.Visitors;
using Able.Schema.Visitors;
using CsCheck;

namespace Able.Tests.Visitors;

/// <summary><see cref="VisitorId.IsWellFormed"/> on anything a cookie, a URL or a webhook field can carry: never throws, and says yes exactly to the ids <see cref="VisitorId.New"/> makes.</summary>
public sealed class VisitorIdPropertyTests
{
    [Fact]
    public void Any_text_is_answered_without_throwing_and_a_yes_is_a_canonical_16_byte_id() =>
        AdversarialInput.Text.Sample(value =>
        {
            if (VisitorId.IsWellFormed(value))
            {
                Assert.Equal(VisitorId.Length, value.Length);
                var bytes = Base64Url.DecodeFromChars(value);
                Assert.Equal(16, bytes.Length);
                Assert.Equal(value, Base64Url.EncodeToString(bytes));
            }
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Every_22_character_base64url_string_is_well_formed_exactly_when_it_re_encodes_to_itself() =>
        Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"].Array[VisitorId.Length].Select(chars => new string(chars)).Sample(value =>
        {
            // The decoder throws for non-zero spare bits, which is what IsWellFormed must never do: compare with a checked decode.
            bool canonical;
            try
            {
                canonical = Base64Url.EncodeToString(Base64Url.DecodeFromChars(value)) == value;
            }
            catch (FormatException)
            {
                canonical = false;
            }

            Assert.Equal(canonical, VisitorId.IsWellFormed(value));
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Any_16_bytes_encode_to_a_well_formed_id_and_new_ids_are_well_formed() =>
        Gen.Byte.Array[16].Sample(bytes =>
        {
            Assert.True(VisitorId.IsWellFormed(Base64Url.EncodeToString(bytes)));
            Assert.True(VisitorId.IsWellFormed(VisitorId.New()));
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void New_ids_never_repeat_across_refills_and_threads()
    {
        // Several refills of each thread's 64-id buffer, on several threads at once.
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 1000; i++)
            {
                ids.Add(VisitorId.New());
            }
        });

        Assert.Equal(8000, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.True(VisitorId.IsWellFormed(id)));
    }
}
