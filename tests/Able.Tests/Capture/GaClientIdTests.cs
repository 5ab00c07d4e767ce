using Able.Gateway.Capture;

namespace Able.Tests.Capture;

public sealed class GaClientIdTests
{
    [Theory]
    [InlineData("GA1.1.1234567890.1700000000", "1234567890.1700000000")]
    [InlineData("GA1.2.1234567890.1700000000", "1234567890.1700000000")]
    [InlineData("GA1.3.987.654", "987.654")]
    [InlineData("GA1.2-1.1234567890.1700000000", "1234567890.1700000000")]
    [InlineData(" GA1.1.11.22 ", "11.22")]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("junk", null)]
    [InlineData("GA1.1.abc.1700000000", null)]
    [InlineData("GA1.1.1234567890", null)]
    [InlineData("GA1.1.1234567890.1700000000.5", null)]
    [InlineData("GS1.1.1700000000.1.1.1700000000.0.0.0", null)]
    [InlineData("GA2.1.1234567890.1700000000", null)]
    [InlineData("GA1.1.-1.1700000000", null)]
    [InlineData("GA1.1.123456789012345678901.1", null)]
    [InlineData("GA1.1.1\u0000.2", null)]
    public void Client_id_comes_from_the_last_two_numbers(string? cookie, string? expected) =>
        Assert.Equal(expected, GaClientId.FromCookie(cookie));
}
