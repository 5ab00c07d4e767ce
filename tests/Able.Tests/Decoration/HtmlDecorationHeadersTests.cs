using Able.Gateway.Decoration;
using Microsoft.Extensions.Primitives;

namespace Able.Tests.Decoration;

public sealed class HtmlDecorationHeadersTests
{
    [Theory]
    [InlineData("", "private")]
    [InlineData("public, max-age=600", "private, max-age=600")]
    [InlineData("no-store", "private, no-store")]
    [InlineData("private", "private")]
    [InlineData("private=\"set-cookie\", max-age=60", "private, max-age=60")]
    [InlineData("PUBLIC,s-maxage=60 , no-cache", "private, s-maxage=60, no-cache")]
    public void Cache_control_becomes_private_and_keeps_the_rest(string origin, string expected)
    {
        Assert.Equal(expected, Able.Gateway.Capture.VisitorCookies.PrivateCacheControl(new StringValues(origin)));
    }

    [Theory]
    [InlineData("gzip, deflate, br", "br", true)]
    [InlineData("gzip;q=0.8", "gzip", true)]
    [InlineData("x-gzip", "gzip", true)]
    [InlineData("gzip;q=0", "gzip", false)]
    [InlineData("*", "br", true)]
    [InlineData("*, br;q=0", "br", false)]
    [InlineData("identity", "gzip", false)]
    [InlineData("", "gzip", false)]
    public void Client_accept_encoding_decides_recompression(string acceptEncoding, string coding, bool accepted)
    {
        Assert.Equal(accepted, HtmlDecorationTransforms.ClientAccepts(new StringValues(acceptEncoding), coding));
    }
}
