using Able.Schema.Visitors;
using CsCheck;

namespace Able.Tests.Visitors;

/// <summary>
/// <see cref="ClientHintValue"/> on any header text: never throws; what it keeps is printable ASCII within the caps; a
/// brand list's compact text is no longer than the header and reads back as the same brands.
/// </summary>
public sealed class ClientHintValuePropertyTests
{
    private static readonly Gen<string> BrandText = Gen.Char[" !#$%&'()*+,-./0123456789:;<=>?@ABCXYZ[]^_`abcxyz{|}~\"\\"].Array[0, 20].Select(c => new string(c));

    private static readonly Gen<string> BrandLists = Gen.Select(BrandText, BrandText).Array[1, 4].Select(brands =>
        string.Join(", ", brands.Select(b => $"{Quote(b.Item1)};v={Quote(b.Item2)}")));

    private static readonly Gen<string> Headers = AdversarialInput.Weighted(
        (3, AdversarialInput.Text),
        (2, BrandLists),
        (1, BrandLists.Select(AdversarialInput.Text, (list, noise) => list + noise)),
        (1, BrandText.Select(Quote)));

    [Fact]
    public void Any_header_is_read_without_a_throw_and_kept_only_as_printable_ASCII() =>
        Headers.Sample(header =>
        {
            if (ClientHintValue.Text(header) is { } text)
            {
                Assert.True(text.Length <= ClientHintValue.MaxLength, text);
                Assert.DoesNotContain(text, c => c is < ' ' or > '~');
            }

            _ = ClientHintValue.Flag(header);
            if (ClientHintValue.CompactBrandList(header) is { } compact)
            {
                Assert.True(compact.Length <= header.Length, compact);
                Assert.DoesNotContain(compact, c => c is < ' ' or > '~');
                Assert.Equal(ClientHintValue.Brands(header), ClientHintValue.Brands(compact));
                Assert.Equal(compact, ClientHintValue.CompactBrandList(compact));
            }
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void A_well_formed_brand_list_within_the_cap_is_always_kept() =>
        BrandLists.Where(list => list.Length <= ClientHintValue.MaxBrandListLength).Sample(list =>
            Assert.NotNull(ClientHintValue.CompactBrandList(list)), iter: AdversarialInput.Iterations);

    private static string Quote(string value) => $"\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
}
