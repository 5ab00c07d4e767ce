using Able.Gateway.ClientHints;
using Microsoft.Extensions.Primitives;

namespace Able.Tests.ClientHints;

/// <summary><see cref="AcceptClientHints.Merge"/>: the origin's Accept-CH is kept whole, ours are added once.</summary>
public sealed class AcceptClientHintsTests
{
    private const string Ours = "Sec-CH-UA-Platform-Version, Sec-CH-UA-Model, Sec-CH-UA-Full-Version-List, Sec-CH-UA-Arch, Sec-CH-UA-Bitness";

    [Fact]
    public void Without_an_origin_header_ours_is_the_one_string_made_at_start()
    {
        Assert.Equal(Ours, AcceptClientHints.RequestedHeader);
        Assert.Same(AcceptClientHints.RequestedHeader, AcceptClientHints.Merge(StringValues.Empty).ToString());
        Assert.Same(AcceptClientHints.RequestedHeader, AcceptClientHints.Merge(new StringValues(" ")).ToString());
    }

    [Theory]
    [InlineData("DPR, Viewport-Width", "DPR, Viewport-Width, " + Ours)]
    [InlineData("sec-ch-ua-model, DPR", "sec-ch-ua-model, DPR, Sec-CH-UA-Platform-Version, Sec-CH-UA-Full-Version-List, Sec-CH-UA-Arch, Sec-CH-UA-Bitness")]
    [InlineData(" DPR ,", "DPR, " + Ours)]
    public void The_origin_s_tokens_come_first_and_ours_are_added_when_missing(string origin, string expected) =>
        Assert.Equal(expected, AcceptClientHints.Merge(origin).ToString());

    [Fact]
    public void An_origin_that_asks_for_all_of_ours_is_left_as_it_is()
    {
        var origin = new StringValues(["SEC-CH-UA-BITNESS,Sec-CH-UA-Arch", "Sec-CH-UA-Platform-Version, Sec-CH-UA-Model, Sec-CH-UA-Full-Version-List, DPR"]);

        Assert.Equal(origin, AcceptClientHints.Merge(origin));
    }

    [Fact]
    public void Several_origin_lines_become_one()
    {
        var merged = AcceptClientHints.Merge(new StringValues(["DPR", "Sec-CH-UA-Arch"]));

        Assert.Equal("DPR, Sec-CH-UA-Arch, Sec-CH-UA-Platform-Version, Sec-CH-UA-Model, Sec-CH-UA-Full-Version-List, Sec-CH-UA-Bitness", Assert.Single(merged.ToArray()));
    }

    [Theory]
    [InlineData("text/html", true)]
    [InlineData("text/html; charset=utf-8", true)]
    [InlineData(" TEXT/HTML;charset=utf-8", true)]
    [InlineData("text/htmlx", false)]
    [InlineData("application/json", false)]
    [InlineData("text/plain", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_html_gets_the_header(string? contentType, bool html) =>
        Assert.Equal(html, ClientHintsTransforms.IsHtml(contentType));
}
