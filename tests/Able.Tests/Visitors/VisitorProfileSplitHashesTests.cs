using Able.Schema.Visitors;

namespace Able.Tests.Visitors;

/// <summary>
/// <see cref="VisitorProfile.SplitHashes"/> reads the visitor hash's comma-separated contact-hash fields
/// (<c>em</c>, <c>ph</c>) as written by <see cref="VisitorContactHashes"/>, and tolerates what older or hand-made
/// values may hold (empty entries, spaces).
/// </summary>
public sealed class VisitorProfileSplitHashesTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(",")]
    [InlineData(" , ,")]
    public void A_missing_or_empty_field_is_no_hashes(string? value) =>
        Assert.Empty(VisitorProfile.SplitHashes(value));

    [Fact]
    public void Hashes_come_back_in_stored_order()
    {
        Assert.Equal(["a1"], VisitorProfile.SplitHashes("a1"));
        Assert.Equal(["c3", "a1", "b2"], VisitorProfile.SplitHashes("c3,a1,b2"));
    }

    [Fact]
    public void Empty_entries_are_dropped_and_entries_trimmed()
    {
        Assert.Equal(["a1", "b2"], VisitorProfile.SplitHashes(",a1,,b2,"));
        Assert.Equal(["a1", "b2"], VisitorProfile.SplitHashes(" a1 , b2\t"));
    }

    [Fact]
    public void Splitting_is_not_deduplicating_the_writer_keeps_the_set()
    {
        Assert.Equal(["a1", "a1"], VisitorProfile.SplitHashes("a1,a1"));
    }
}
