using Able.Gateway.Tls;
using CsCheck;

namespace Able.Tests.Tls;

/// <summary>The certificate reader: whole files only, the key must match, the names come from the SANs, and it never throws.</summary>
public sealed class PemCertificatePairTests
{
    private static readonly TestCertificateAuthority Authority = new("Unit Root");

    private static (string Chain, string Key, string OtherKey) Sample(string[] names, bool withSan = true)
    {
        var issued = Authority.Issue(names, DateTimeOffset.UtcNow.AddDays(10), withNames: withSan);
        return (issued.ChainPem, issued.KeyPem, Authority.Issue(names).KeyPem);
    }

    private static readonly (string Chain, string Key, string OtherKey) Shop = Sample(["Shop.Example.com", "*.example.com"]);

    [Fact]
    public void A_whole_chain_and_its_key_load_with_the_SAN_names_lower_cased_and_the_intermediate_kept()
    {
        var result = PemCertificatePair.Parse("shop", Shop.Chain, Shop.Key);
        Assert.Null(result.Problem);
        var certificate = Assert.IsType<ServedCertificate>(result.Certificate);
        Assert.Equal(["shop.example.com", "*.example.com"], certificate.Names);
        // The intermediate from the file is sent in the handshake (clients need it to reach their trusted root).
        Assert.Equal("CN=Unit Root Intermediate", Assert.Single(certificate.Context.IntermediateCertificates).Subject);
        Assert.True(certificate.IsValidAt(DateTimeOffset.UtcNow));
        Assert.False(certificate.IsValidAt(DateTimeOffset.UtcNow.AddDays(11)));
    }

    [Fact]
    public void A_key_of_another_certificate_is_refused()
    {
        var result = PemCertificatePair.Parse("shop", Shop.Chain, Shop.OtherKey);
        Assert.Null(result.Certificate);
        Assert.StartsWith("not a usable certificate and key", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_without_DNS_names_is_refused()
    {
        var noSan = Sample(["cn-only.example.com"], withSan: false);
        Assert.Equal("the certificate names no DNS host in its subject alternative names", PemCertificatePair.Parse("x", noSan.Chain, noSan.Key).Problem);
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.75)]
    [InlineData(0.99)]
    public void A_file_cut_anywhere_is_refused_as_half_written(double fraction)
    {
        var cut = Shop.Chain[..(int)(Shop.Chain.Length * fraction)];
        Assert.NotNull(PemCertificatePair.Parse("shop", cut, Shop.Key).Problem);
        Assert.NotNull(PemCertificatePair.Parse("shop", Shop.Chain, Shop.Key[..(int)(Shop.Key.Length * fraction)]).Problem);
    }

    [Theory]
    [InlineData("", "empty or no PEM block")]
    [InlineData("hello", "empty or no PEM block")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA", "a PEM block is not closed (the file may be half-written)")]
    [InlineData("-----BEGIN X-----\nAA\n-----END X-----\ntrailing", "text after the last PEM block (the file may be half-written)")]
    [InlineData("-----BEGIN X-----\nAA\n-----END X", "text after the last PEM block (the file may be half-written)")]
    public void Incomplete_texts_are_named(string pem, string problem) => Assert.Equal(problem, PemCertificatePair.IncompleteProblem(pem));

    [Fact]
    public void Whole_texts_with_trailing_white_space_are_complete() =>
        Assert.Null(PemCertificatePair.IncompleteProblem("-----BEGIN X-----\nAA\n-----END X-----\r\n\n  "));

    [Fact]
    public void Random_and_mutated_files_never_throw()
    {
        var mutated = Gen.Select(Gen.Int[0, Shop.Chain.Length - 1], Gen.Int[0, 40], AdversarialInput.Text, (at, cut, insert) =>
            Shop.Chain[..at] + insert + Shop.Chain[Math.Min(Shop.Chain.Length, at + cut)..]);
        Gen.Select(Gen.OneOf(mutated, AdversarialInput.Text), Gen.OneOf(Gen.Const(Shop.Key), AdversarialInput.Text))
            .Sample((chain, key) =>
            {
                var result = PemCertificatePair.Parse("fuzz", chain, key);
                return result.Certificate is not null ^ result.Problem is not null;
            }, iter: 300);
    }
}
