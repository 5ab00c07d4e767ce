using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Able.FunctionalTests.Tls;

/// <summary>
/// A throwaway CA made in the test with <see cref="CertificateRequest"/>: a root, and leaf certificates for given host names,
/// written as PEM in the layouts the gateway reads (flat <c>name.crt</c>/<c>name.key</c>, certbot's <c>live/name/</c>).
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly ECDsa rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificateAuthority(string name = "Able Test Root")
    {
        var request = new CertificateRequest($"CN={name}", rootKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Root = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    public X509Certificate2 Root { get; }

    /// <summary>A leaf for <paramref name="names"/> (DNS SANs, wildcards allowed), with its key, as PEM texts.</summary>
    public IssuedCertificate Issue(string[] names, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var leaf = request.Create(Root, DateTimeOffset.UtcNow.AddMinutes(-5), notAfter ?? DateTimeOffset.UtcNow.AddDays(90), serial);
        // fullchain.pem as certbot writes it: the leaf, then the issuer.
        var chain = leaf.ExportCertificatePem() + "\n" + Root.ExportCertificatePem() + "\n";
        return new IssuedCertificate(leaf.Thumbprint, chain, key.ExportPkcs8PrivateKeyPem() + "\n", leaf.NotAfter.ToUniversalTime());
    }

    /// <summary>Whether <paramref name="certificate"/> chains to this root (custom trust: the machine's store plays no part).</summary>
    public bool Issued(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        Root.Dispose();
        rootKey.Dispose();
    }
}

/// <summary>One issued certificate: its thumbprint, the chain and key as PEM, and when it expires.</summary>
public sealed record IssuedCertificate(string Thumbprint, string ChainPem, string KeyPem, DateTime NotAfter)
{
    /// <summary>Writes <c>name.crt</c> and <c>name.key</c> into <paramref name="directory"/> (the flat layout).</summary>
    public void WriteFlat(string directory, string name)
    {
        File.WriteAllText(Path.Combine(directory, name + ".key"), KeyPem);
        File.WriteAllText(Path.Combine(directory, name + ".crt"), ChainPem);
    }

    /// <summary>Writes certbot's <c>live/name/fullchain.pem</c> and <c>privkey.pem</c> under <paramref name="directory"/>.</summary>
    public void WriteCertbot(string directory, string name)
    {
        var live = Directory.CreateDirectory(Path.Combine(directory, "live", name)).FullName;
        File.WriteAllText(Path.Combine(live, "privkey.pem"), KeyPem);
        File.WriteAllText(Path.Combine(live, "fullchain.pem"), ChainPem);
    }
}
