using Able.Schema.Visitors;

namespace Able.Tests.Visitors;

/// <summary>Named examples beside <see cref="VisitorIdPropertyTests"/>: what a visitor id looks like and the near misses.</summary>
public sealed class VisitorIdExampleTests
{
    [Fact]
    public void New_ids_are_22_base64url_characters_and_do_not_repeat()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => VisitorId.New()).ToList();

        Assert.All(ids, id => Assert.Equal(VisitorId.Length, id.Length));
        Assert.All(ids, id => Assert.DoesNotContain(id, c => c is '+' or '/' or '='));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA")] // 16 zero bytes
    [InlineData("_____________________w")] // 16 0xff bytes
    [InlineData("AAAAAAAAAAAAAAAAAAAAAQ")]
    [InlineData("Zm9vYmFyLWJhei1xdXV4Xg")]
    public void Canonical_ids_are_well_formed(string value) =>
        Assert.True(VisitorId.IsWellFormed(value));

    [Theory]
    [InlineData("")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA")] // 21 characters
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAA")] // 23 characters
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==")] // padded base64
    [InlineData("+++++++++++++++++++++w")] // standard base64 alphabet, not base64url
    [InlineData("/////////////////////w")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAB")] // spare bits set: decodes to the same bytes as ...AA
    [InlineData("_____________________/")]
    [InlineData("AAAAAAAAAAAAAAAAAAAA A")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAéA")] // a letter, but not ASCII
    [InlineData("ＡAAAAAAAAAAAAAAAAAAAAA")] // full-width A
    public void Near_misses_are_not(string value) =>
        Assert.False(VisitorId.IsWellFormed(value));
}
