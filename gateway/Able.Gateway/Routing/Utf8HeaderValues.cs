using System.Text;
using Yarp.ReverseProxy.Configuration;

namespace Able.Gateway.Routing;

/// <summary>
/// Header values are UTF-8 in both directions, on both hops. Browsers send raw UTF-8 in headers (a cookie the site's
/// own script set to <c>city=München</c>) and origins send it (<c>Set-Cookie</c>, <c>Content-Disposition</c>
/// filenames). Kestrel decodes and encodes them as UTF-8, and YARP's client to the origins and to the attribution
/// service does the same, so the bytes pass unchanged (left at their defaults, YARP's client refuses non-ASCII in
/// requests and reads responses as Latin-1, which Kestrel then refuses: a 502 either way). A request header that
/// is not valid UTF-8 is answered 400 by Kestrel and never forwarded.
/// </summary>
internal static class Utf8HeaderValues
{
    /// <summary>The name YARP resolves with <see cref="Encoding.GetEncoding(string)"/>.</summary>
    public const string EncodingName = "utf-8";

    /// <summary>Throws on bytes that are not UTF-8 instead of replacing them, so nothing is silently altered.</summary>
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>For every cluster (funnel origins and the attribution service).</summary>
    public static HttpClientConfig ForwarderClient { get; } = new()
    {
        RequestHeaderEncoding = EncodingName,
        ResponseHeaderEncoding = EncodingName,
    };

    /// <summary>Kestrel reads request header values and writes response header values as UTF-8.</summary>
    public static IWebHostBuilder UseUtf8HeaderValues(this IWebHostBuilder webHost) =>
        webHost.ConfigureKestrel(kestrel =>
        {
            kestrel.RequestHeaderEncodingSelector = _ => StrictUtf8;
            kestrel.ResponseHeaderEncodingSelector = _ => StrictUtf8;
        });
}
