using Able.Attribution.TikTok;

namespace Able.Tests.TikTok;

public sealed class TikTokResponseTests
{
    [Theory]
    [InlineData(200, """{"code":0,"message":"OK","request_id":"r1"}""", TikTokOutcome.Accepted, false)]
    [InlineData(500, """{"code":0,"message":"OK","request_id":"r1"}""", TikTokOutcome.Accepted, false)]
    [InlineData(200, """{"code":40100,"message":"Too many requests"}""", TikTokOutcome.Retry, false)]
    [InlineData(200, """{"code":50002,"message":"internal"}""", TikTokOutcome.Retry, false)]
    [InlineData(502, "<html>bad gateway</html>", TikTokOutcome.Retry, false)]
    [InlineData(429, "", TikTokOutcome.Retry, false)]
    [InlineData(200, """{"code":40002,"message":"Invalid event_id"}""", TikTokOutcome.InvalidParameter, false)]
    [InlineData(200, """{"code":40001,"message":"No permission"}""", TikTokOutcome.Permanent, false)]
    [InlineData(200, """{"code":40104,"message":"token missing"}""", TikTokOutcome.Permanent, true)]
    [InlineData(200, """{"code":40105,"message":"token invalid"}""", TikTokOutcome.Permanent, true)]
    [InlineData(200, """{"code":40106,"message":"token expired"}""", TikTokOutcome.Permanent, true)]
    [InlineData(404, "not found", TikTokOutcome.Permanent, false)]
    public void Success_is_code_zero_whatever_the_HTTP_status(int status, string body, TikTokOutcome outcome, bool tokenError)
    {
        var result = TikTokClient.Interpret(status, body);

        Assert.Equal(outcome, result.Outcome);
        Assert.Equal(tokenError, result.IsTokenError);
    }
}
