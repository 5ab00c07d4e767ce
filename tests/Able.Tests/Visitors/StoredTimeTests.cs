using Able.Schema;
using Able.Schema.Visitors;
using CsCheck;
using StackExchange.Redis;

namespace Able.Tests.Visitors;

/// <summary>Times read back from Redis: a damaged value is no time at all, never an exception in the worker.</summary>
public sealed class StoredTimeTests
{
    [Fact]
    public void Any_number_of_milliseconds_is_a_time_or_none_and_never_throws()
    {
        Gen.Long.Sample(ms =>
        {
            var time = UnixMilliseconds.ToTime(ms);
            Assert.True(time is null || time.Value.ToUnixTimeMilliseconds() == ms);
        }, iter: 20000);
        Assert.Null(UnixMilliseconds.ToTime(long.MaxValue));
        Assert.Null(UnixMilliseconds.ToTime(long.MinValue));
        Assert.Equal(DateTimeOffset.UnixEpoch, UnixMilliseconds.ToTime(0));
    }

    [Theory]
    [InlineData("9223372036854775807")]
    [InlineData("-9223372036854775808")]
    [InlineData("253402300800000")]
    public void A_visitor_whose_stored_click_time_is_out_of_range_is_read_without_a_click_time(string clickAt)
    {
        HashEntry[] fields = [new(VisitorFields.ClickTtclid, "E.C.P.abc"), new(VisitorFields.ClickAt, clickAt)];

        var profile = VisitorProfile.FromFields("AAAAAAAAAAAAAAAAAAAAAA", fields, newestLaterTouch: null);

        Assert.Equal("E.C.P.abc", profile.ClickTtclid);
        Assert.Null(profile.ClickAt);
    }
}
