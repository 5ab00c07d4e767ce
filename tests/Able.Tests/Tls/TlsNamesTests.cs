using Able.Gateway.Tls;
using CsCheck;

namespace Able.Tests.Tls;

/// <summary>Host names as the TLS side compares them, and client-chosen names as they may appear in logs.</summary>
public sealed class TlsNamesTests
{
    [Theory]
    [InlineData("shop.example.com", "shop.example.com")]
    [InlineData("Shop.Example.COM", "shop.example.com")]
    [InlineData("shop.example.com.", "shop.example.com")]
    [InlineData("shop.example.com:8443", "shop.example.com")]
    [InlineData(" shop.example.com ", "shop.example.com")]
    [InlineData("[2001:db8::1]:443", "2001:db8::1")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("", "")]
    public void Normalize(string host, string expected) => Assert.Equal(expected, FunnelHostNames.Normalize(host));

    [Theory]
    [InlineData("shop.example.com", "shop.example.com")]
    [InlineData("*.example.com", "*.example.com")]
    [InlineData("evil\nname", "(not a host name)")]
    [InlineData("a b", "(not a host name)")]
    [InlineData("ex\u0430mple.com", "(not a host name)")]
    public void Printable(string name, string expected) => Assert.Equal(expected, TlsHandshakes.Printable(name));

    [Fact]
    public void Normalize_and_Printable_never_throw_and_Printable_shows_no_control_characters() =>
        AdversarialInput.Text.Sample(text =>
        {
            FunnelHostNames.Normalize(text);
            return !TlsHandshakes.Printable(text).Any(char.IsControl);
        }, iter: AdversarialInput.Iterations);
}
