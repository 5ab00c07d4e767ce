using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Able.Testing;

/// <summary>
/// A throwaway CA made in the test with <see cref="CertificateRequest"/>: a root and, as a public CA issues, an intermediate
/// that signs the leaf certificates. Leaves carry the names given (DNS names, wildcards, IP addresses) and are written as PEM
/// in the layouts the gateway reads (flat <c>name.crt</c>/<c>name.key</c>, certbot's <c>live/name/</c>). The extensions are the
/// ones strict verifiers (OpenSSL's X509_STRICT, Go) require: key usages and key identifiers.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly ECDsa rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificateAuthority(string name = "Able Test Root")
    {
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var request = new CertificateRequest($"CN={name}", rootKey, HashAlgorithmName.SHA256);
        AddCaExtensions(request);
        Root = request.CreateSelfSigned(notBefore, DateTimeOffset.UtcNow.AddYears(1));

        var intermediateRequest = new CertificateRequest($"CN={name} Intermediate", intermediateKey, HashAlgorithmName.SHA256);
        AddCaExtensions(intermediateRequest);
        intermediateRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false));
        using var intermediate = intermediateRequest.Create(Root, notBefore, DateTimeOffset.UtcNow.AddYears(1).AddDays(-1), Serial());
        Intermediate = intermediate.CopyWithPrivateKey(intermediateKey);
    }

    public X509Certificate2 Root { get; }

    /// <summary>Signs the leaves; sent with them (certbot's fullchain.pem holds the leaf, then this).</summary>
    public X509Certificate2 Intermediate { get; }

    /// <summary>A leaf for <paramref name="names"/> (DNS SANs, wildcards allowed; an IP address becomes an IP SAN), with its key, as PEM.</summary>
    public IssuedCertificate Issue(string[] names, DateTimeOffset? notAfter = null, bool withNames = true)
    {
        ArgumentNullException.ThrowIfNull(names);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        if (withNames)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in names)
            {
                if (IPAddress.TryParse(name, out var address))
                {
                    san.AddIpAddress(address);
                }
                else
                {
                    san.AddDnsName(name);
                }
            }

            request.CertificateExtensions.Add(san.Build());
        }

        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Intermediate, true, false));
        using var leaf = request.Create(Intermediate, DateTimeOffset.UtcNow.AddMinutes(-5), notAfter ?? DateTimeOffset.UtcNow.AddDays(90), Serial());
        var chain = leaf.ExportCertificatePem() + "\n" + Intermediate.ExportCertificatePem() + "\n";
        return new IssuedCertificate(leaf.Thumbprint, chain, key.ExportPkcs8PrivateKeyPem() + "\n", leaf.NotAfter.ToUniversalTime());
    }

    /// <summary>Whether <paramref name="certificate"/> verifies, for a TLS server, up to this root.</summary>
    public bool Issued(X509Certificate2 certificate) => ChainsTo(certificate, Root, Intermediate);

    /// <summary>Whether <paramref name="leaf"/> verifies, for a TLS server, up to <paramref name="root"/> alone (no system roots).</summary>
    public static bool ChainsTo(X509Certificate2 leaf, X509Certificate2 root, X509Certificate2? intermediate)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(root);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.1")); // serverAuth
        if (intermediate is not null)
        {
            chain.ChainPolicy.ExtraStore.Add(intermediate);
        }

        return chain.Build(leaf);
    }

    public void Dispose()
    {
        Root.Dispose();
        Intermediate.Dispose();
        rootKey.Dispose();
        intermediateKey.Dispose();
    }

    private static void AddCaExtensions(CertificateRequest request)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
    }

    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        return serial;
    }
}

/// <summary>One issued certificate: its thumbprint, the chain (leaf, intermediate) and key as PEM, and when it expires.</summary>
public sealed record IssuedCertificate(string Thumbprint, string ChainPem, string KeyPem, DateTime NotAfter)
{
    /// <summary>Writes <c>name.crt</c> (the chain) and <c>name.key</c> into <paramref name="directory"/> (the flat layout).</summary>
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
