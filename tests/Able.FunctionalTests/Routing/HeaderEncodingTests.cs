using System.Text;

namespace Able.FunctionalTests.Routing;

/// <summary>
/// Header values are UTF-8 in both directions: a browser sends raw UTF-8 in a cookie its site's script set,
/// an origin sends raw UTF-8 in <c>Set-Cookie</c> or <c>Content-Disposition</c>. The bytes pass unchanged.
/// </summary>
public sealed class HeaderEncodingTests
{
    private static readonly byte[] Munich = Encoding.UTF8.GetBytes("city=München");

    [Theory]
    [InlineData("/page")]
    [InlineData("/calendly-webhook/acme")]
    public async Task A_raw_UTF8_request_header_reaches_the_origin_byte_for_byte(string path)
    {
        await using var origin = RawSocketOrigin.Start();
        var redis = await RedisTestServer.GetAsync();
        using var config = TestConfig.Create(redis.ConnectionString, origin.Url);
        config.Able["Gateway"]!["AttributionUrl"] = origin.Url;
        await using var gateway = await RunningService.StartGatewayAsync(config);

        var cookie = Concat("Cookie: "u8.ToArray(), Munich, "\r\n"u8.ToArray());
        var response = await RawHttpClient.SendAsync(gateway.PublicBase, $"GET {path} HTTP/1.1", cookie);

        Assert.Equal(200, response.Status);
        var head = Assert.Single(origin.RequestHeads);
        Assert.True(head.AsSpan().IndexOf(cookie) >= 0, $"the origin received: {Encoding.Latin1.GetString(head)}");
    }

    [Fact]
    public async Task A_raw_UTF8_response_header_reaches_the_client_byte_for_byte()
    {
        var setCookie = Concat("Set-Cookie: "u8.ToArray(), Munich, "; Path=/\r\n"u8.ToArray());
        var disposition = Encoding.UTF8.GetBytes("Content-Disposition: attachment; filename=\"Grüße – Angebot.pdf\"\r\n");
        await using var origin = RawSocketOrigin.Start(extraResponseHeaders: Concat(setCookie, disposition));
        var redis = await RedisTestServer.GetAsync();
        using var config = TestConfig.Create(redis.ConnectionString, origin.Url);
        await using var gateway = await RunningService.StartGatewayAsync(config);

        var response = await RawHttpClient.SendAsync(gateway.PublicBase, "GET /download HTTP/1.1", []);

        Assert.Equal(200, response.Status);
        Assert.True(response.HeadContains(setCookie), $"the client received: {Encoding.UTF8.GetString(response.Head)}");
        Assert.True(response.HeadContains(disposition), $"the client received: {Encoding.UTF8.GetString(response.Head)}");
        Assert.Equal("GET /download HTTP/1.1", Encoding.ASCII.GetString(response.Body));
    }

    [Fact]
    public async Task A_request_header_that_is_not_valid_UTF8_is_400_and_never_forwarded()
    {
        await using var origin = RawSocketOrigin.Start();
        var redis = await RedisTestServer.GetAsync();
        using var config = TestConfig.Create(redis.ConnectionString, origin.Url);
        await using var gateway = await RunningService.StartGatewayAsync(config);

        // Latin-1 "München": 0xFC alone is not UTF-8.
        var latin1Cookie = Concat("Cookie: city=M"u8.ToArray(), [0xFC], "nchen\r\n"u8.ToArray());
        var response = await RawHttpClient.SendAsync(gateway.PublicBase, "GET /page HTTP/1.1", latin1Cookie);

        Assert.Equal(400, response.Status);
        Assert.Empty(origin.RequestHeads);
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
