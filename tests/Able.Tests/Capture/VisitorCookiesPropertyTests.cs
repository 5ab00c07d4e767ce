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

    [Fact]
    public void Any_cookie_header_is_read_without_a_throw() =>
        AdversarialInput.Weighted(
                (1, AdversarialInput.Text),
                (1, AdversarialInput.Text.Select(t => $"{VisitorCookies.UtmCookieName}={t}; {Options.Name}={t}")),
                (1, AdversarialInput.Text.Select(t => $"{VisitorCookies.UtmCookieName}={System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(t))}")))
            .Sample(header =>
            {
                var context = new DefaultHttpContext();
                context.Request.Headers.Cookie = header;
                var id = VisitorCookies.ReadVisitorId(context.Request, Options);
                Assert.True(id is null || VisitorId.IsWellFormed(id));
                Assert.All(VisitorCookies.ReadUtms(context.Request).Keys, name => Assert.Contains(name, TouchParameters.UtmNames));
            }, iter: AdversarialInput.Iterations);

    /// <summary>Clean UTM values, short or up to the per-value cap, so that some sets of five pass the cookie's cap and some do not.</summary>
    private static readonly Gen<string> UtmValue = AdversarialInput.Weighted(
            (2, AdversarialInput.Text),
            (1, Gen.Char["abcXYZ019-_.~ %&=+é日😀"].Array[0, CaptureValue.MaxIdLength].Select(chars => new string(chars))))
        .Where(v => v.Length > 0 && CaptureValue.Clean(v, CaptureValue.MaxIdLength).Value == v);

    [Fact]
    public void Utms_written_to_the_cookie_header_are_read_back_when_within_the_cap() =>
        Gen.Select(Gen.Bool.Array[5], UtmValue.Array[5]).Sample((present, values) =>
        {
            var utms = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < 5; i++)
            {
                if (present[i])
                {
                    utms[TouchParameters.UtmNames[i]] = values[i];
                }
            }

            var header = VisitorCookies.UtmCookieHeader(utms, Options);
            var encodedLength = VisitorCookies.EncodeUtms(utms).Length;
            Assert.Equal(encodedLength is > 0 and <= VisitorCookies.MaxUtmCookieLength, header is not null);
            if (header is not null)
            {
                var context = new DefaultHttpContext();
                context.Request.Headers.Cookie = header[..header.IndexOf(';', StringComparison.Ordinal)];
                Assert.Equal(utms, VisitorCookies.ReadUtms(context.Request));
            }
        }, iter: AdversarialInput.Iterations);
}
