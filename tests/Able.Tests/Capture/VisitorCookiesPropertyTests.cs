using Able.Attribution.Visitors;
using Able.Gateway.Capture;
using Able.Schema.Configuration;
using Able.Schema.Visitors;
using CsCheck;
using Microsoft.AspNetCore.Http;

namespace Able.Tests.Capture;

/// <summary>The gateway's own cookies as a browser (or a sibling subdomain) may send them back: never a throw.</summary>
public sealed class VisitorCookiesPropertyTests
{
    private static readonly VisitorCookieOptions Options = new();

    [Fact]
    public void Any_visitor_cookie_gives_a_well_formed_id_or_null() =>
        AdversarialInput.Text.Sample(value =>
        {
            var context = new DefaultHttpContext();
            context.Request.Headers.Cookie = $"{Options.Name}={value}";
            var id = VisitorCookies.ReadVisitorId(context.Request, Options);
            Assert.True(id is null || VisitorId.IsWellFormed(id));
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Any_utm_cookie_gives_only_known_names_with_clean_values() =>
        AdversarialInput.Weighted((1, AdversarialInput.Text), (1, AdversarialInput.Text.Select(t => System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(t)))))
            .Sample(cookie =>
            {
                foreach (var (name, value) in VisitorCookies.DecodeUtms(cookie))
                {
                    Assert.Contains(name, TouchParameters.UtmNames);
                    Assert.Equal(value, CaptureValue.Clean(value, CaptureValue.MaxIdLength).Value);
                }
            }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Clean_utms_round_trip_through_the_cookie() =>
        AdversarialInput.Text.Array[5].Sample(values =>
        {
            var utms = TouchParameters.UtmNames.Zip(values)
                .Where(p => p.Second.Length > 0 && CaptureValue.Clean(p.Second, CaptureValue.MaxIdLength).Value == p.Second)
                .ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
            var encoded = VisitorCookies.EncodeUtms(utms);
            if (encoded.Length <= VisitorCookies.MaxUtmCookieLength)
            {
                Assert.Equal(utms, VisitorCookies.DecodeUtms(encoded));
            }
        }, iter: AdversarialInput.Iterations);
}
