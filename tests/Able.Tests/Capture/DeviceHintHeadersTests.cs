using Able.Gateway.Capture;
using Able.Schema.Visitors;
using CsCheck;
using Microsoft.AspNetCore.Http;

namespace Able.Tests.Capture;

/// <summary><see cref="DeviceHintHeaders.Read"/>: the client hint headers of a request, cleaned, and bad ones reported.</summary>
public sealed class DeviceHintHeadersTests
{
    [Fact]
    public void Chromium_s_hints_are_read_unquoted_with_the_brand_lists_compact()
    {
        var headers = new HeaderDictionary();
        foreach (var (name, value) in ChromiumClientHints.LowEntropy.Concat(ChromiumClientHints.HighEntropy))
        {
            headers[name] = value;
        }

        var problems = new List<CaptureValueProblem>();

        var hints = DeviceHintHeaders.Read(headers, problems.Add);

        Assert.Equal(ChromiumClientHints.Stored, hints);
        Assert.Empty(problems); // an empty string (no architecture) is well-formed
    }

    [Fact]
    public void A_request_without_hints_has_none() =>
        Assert.Null(DeviceHintHeaders.Read(new HeaderDictionary { ["User-Agent"] = "Mozilla/5.0" }, _ => Assert.Fail("nothing to report")));

    [Theory]
    [InlineData("Sec-CH-UA-Platform", "Windows", CaptureValueProblem.InvalidText)]
    [InlineData("Sec-CH-UA-Platform", "\"Win\u0001\"", CaptureValueProblem.ControlCharacter)]
    [InlineData("Sec-CH-UA-Mobile", "yes", CaptureValueProblem.InvalidText)]
    [InlineData("Sec-CH-UA-Model", "\"é\"", CaptureValueProblem.InvalidText)]
    [InlineData("Sec-CH-UA", "Chromium", CaptureValueProblem.InvalidText)]
    public void A_malformed_hint_is_dropped_and_reported(string header, string value, CaptureValueProblem problem)
    {
        var problems = new List<CaptureValueProblem>();

        var hints = DeviceHintHeaders.Read(new HeaderDictionary { [header] = value, ["Sec-CH-UA-Bitness"] = "\"64\"" }, problems.Add);

        Assert.Equal(new DeviceHints { Bitness = "64" }, hints);
        Assert.Equal([problem], problems);
    }

    [Fact]
    public void A_hint_over_its_cap_is_dropped_as_too_long()
    {
        var problems = new List<CaptureValueProblem>();

        var hints = DeviceHintHeaders.Read(new HeaderDictionary { ["Sec-CH-UA-Model"] = $"\"{new string('m', ClientHintValue.MaxLength + 1)}\"" }, problems.Add);

        Assert.Null(hints);
        Assert.Equal([CaptureValueProblem.TooLong], problems);
    }

    [Fact]
    public void Any_header_values_are_read_without_a_throw() =>
        Gen.Select(AdversarialInput.Text.Array[8], AdversarialInput.Text).Sample((values, extra) =>
        {
            string[] names = ["Sec-CH-UA", "Sec-CH-UA-Mobile", "Sec-CH-UA-Platform", "Sec-CH-UA-Platform-Version", "Sec-CH-UA-Model", "Sec-CH-UA-Arch", "Sec-CH-UA-Bitness", "Sec-CH-UA-Full-Version-List"];
            var headers = new HeaderDictionary();
            for (var i = 0; i < names.Length; i++)
            {
                headers[names[i]] = i % 3 == 0 ? new Microsoft.Extensions.Primitives.StringValues([values[i], extra]) : values[i];
            }

            if (DeviceHintHeaders.Read(headers, _ => { }) is { } hints)
            {
                Assert.False(hints.IsEmpty);
                foreach (var text in new[] { hints.Platform, hints.PlatformVersion, hints.Model, hints.Architecture, hints.Bitness })
                {
                    Assert.True(text is null || (text.Length is > 0 and <= ClientHintValue.MaxLength && !text.Any(c => c is < ' ' or > '~')), text);
                }

                foreach (var list in new[] { hints.Brands, hints.FullVersionList })
                {
                    Assert.True(list is null || (list.Length <= ClientHintValue.MaxBrandListLength && ClientHintValue.Brands(list) is { Count: > 0 }), list);
                }
            }
        }, iter: AdversarialInput.Iterations);
}
