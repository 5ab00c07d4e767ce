using Able.Gateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Able.Tests.Routing;

/// <summary>
/// Which requests the gateway refuses before forwarding: a body on GET, HEAD, OPTIONS or TRACE, judged the way YARP
/// decides whether to copy one (the server's body detection, else Content-Length and Transfer-Encoding).
/// </summary>
public sealed class BodyOnBodilessMethodTests
{
    [Theory]
    [InlineData("GET", true)]
    [InlineData("get", true)]
    [InlineData("HEAD", true)]
    [InlineData("OPTIONS", true)]
    [InlineData("TRACE", true)]
    [InlineData("POST", false)]
    [InlineData("PUT", false)]
    [InlineData("PATCH", false)]
    [InlineData("DELETE", false)]
    [InlineData("CONNECT", false)]
    [InlineData("PROPFIND", false)]
    public void The_bodiless_methods_are_get_head_options_and_trace(string method, bool bodiless) =>
        Assert.Equal(bodiless, BodyOnBodilessMethod.IsBodilessMethod(method));

    [Theory]
    [InlineData(null, null, false)]
    [InlineData(0L, null, false)]
    [InlineData(1L, null, true)]
    [InlineData(null, "chunked", true)]
    [InlineData(0L, "chunked", true)]
    public void Without_the_servers_judgement_length_and_transfer_encoding_decide(long? contentLength, string? transferEncoding, bool carries)
    {
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpRequestBodyDetectionFeature>(null);
        context.Request.ContentLength = contentLength;
        if (transferEncoding is not null)
        {
            context.Request.Headers.TransferEncoding = transferEncoding;
        }

        Assert.Equal(carries, BodyOnBodilessMethod.CarriesBody(context.Request));
    }

    /// <summary>An HTTP/2 stream left open after the headers has a body though it names no length: the server knows.</summary>
    [Theory]
    [InlineData(true, 0L, true)]
    [InlineData(false, 5L, false)]
    public void The_servers_body_detection_wins_over_the_headers(bool canHaveBody, long contentLength, bool carries)
    {
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpRequestBodyDetectionFeature>(new BodyDetection(canHaveBody));
        context.Request.ContentLength = contentLength;

        Assert.Equal(carries, BodyOnBodilessMethod.CarriesBody(context.Request));
    }

    private sealed class BodyDetection(bool canHaveBody) : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => canHaveBody;
    }
}
