using Able.Schema.Visitors;

namespace Able.Tests.Visitors;

public sealed class StoredUrlTests
{
    [Theory]
    [InlineData("ttclid=E.C.P.1&utm_source=tiktok", "ttclid=E.C.P.1&utm_source=tiktok")]
    [InlineData("invitee_email=a%40b.com&invitee_uuid=X&event_type_uuid=E", "event_type_uuid=E")]
    [InlineData("answer_1=hi&text_reminder_number=%2B1555&guest_emails=x", "")]
    [InlineData("email=me&Phone=1&name=Jo&ref=ok", "ref=ok")]
    [InlineData("contact=jo%40example.com&ref=ok", "ref=ok")]
    [InlineData("contact=jo@example.com", "")]
    [InlineData("a=%01&b=%FF&c=ok", "c=ok")]
    [InlineData("flag&x=1&&", "flag&x=1")]
    [InlineData("", "")]
    public void Personal_and_unstorable_parameters_are_removed(string query, string expected) =>
        Assert.Equal(expected, StoredUrl.ScrubQuery(query));

    [Theory]
    [InlineData("https://calendly.com/acme/intro?invitee_email=a%40b.com#frag", "https://calendly.com/acme/intro")]
    [InlineData("https://www.tiktok.com/", "https://www.tiktok.com/")]
    [InlineData("https://x.test/p?q=1#h", "https://x.test/p?q=1")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Referrers_are_scrubbed_the_same_way(string? referrer, string? expected) =>
        Assert.Equal(expected, StoredUrl.Scrub(referrer));

    [Fact]
    public void An_over_long_url_keeps_its_path() =>
        Assert.Equal("https://x.test/p", StoredUrl.Scrub("https://x.test/p?" + string.Join('&', Enumerable.Range(0, 400).Select(i => $"k{i}=v"))));
}
