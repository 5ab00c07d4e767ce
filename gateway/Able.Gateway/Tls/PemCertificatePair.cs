using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Able.Gateway.Tls;

/// <summary>A certificate ready to serve: its chain for the handshake, the host names it covers, and when it is valid.</summary>
internal sealed record ServedCertificate(
    string Source, SslStreamCertificateContext Context, IReadOnlyList<string> Names, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Thumbprint)
{
    public bool IsValidAt(DateTimeOffset now) => NotBefore <= now && now <= NotAfter;
}

/// <summary>The outcome of reading one certificate and key: the certificate, or what is wrong with the files.</summary>
internal readonly record struct PemParseResult(ServedCertificate? Certificate, string? Problem);

/// <summary>
/// Reads a PEM certificate chain (leaf first, then intermediates: certbot's <c>fullchain.pem</c>) and its PEM private key.
/// Never throws on bad data. A file is taken only whole: every <c>BEGIN</c> line has its <c>END</c> line and nothing but
/// white space follows the last one, so a file caught half-written is refused (and retried on the next check) rather
/// than half-used; a key that does not belong to the certificate is refused too.
/// </summary>
internal static class PemCertificatePair
{
    private const string Begin = "-----BEGIN ";
    private const string End = "-----END ";

    public static PemParseResult Parse(string source, string certificatePem, string keyPem)
    {
        ArgumentNullException.ThrowIfNull(certificatePem);
        ArgumentNullException.ThrowIfNull(keyPem);
        if (IncompleteProblem(certificatePem) is { } certificateProblem)
        {
            return new(null, $"certificate file: {certificateProblem}");
        }

        if (IncompleteProblem(keyPem) is { } keyProblem)
        {
            return new(null, $"key file: {keyProblem}");
        }

        try
        {
            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(certificatePem);
            if (chain.Count == 0)
            {
                return new(null, "certificate file: no CERTIFICATE block");
            }

            // The leaf (the first block) with the private key; fails when the key belongs to another certificate.
            // (On Linux an ephemeral PEM key is usable by the TLS stack as it is.)
            var leaf = X509Certificate2.CreateFromPem(certificatePem, keyPem);
            var names = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>()
                .SelectMany(extension => extension.EnumerateDnsNames())
                .Select(name => name.TrimEnd('.').ToLowerInvariant())
                .Distinct(StringComparer.Ordinal)
                .ToArray();
            if (names.Length == 0)
            {
                leaf.Dispose();
                return new(null, "the certificate names no DNS host in its subject alternative names");
            }

            var intermediates = new X509Certificate2Collection();
            for (var i = 1; i < chain.Count; i++)
            {
                intermediates.Add(chain[i]);
            }

            // offline: the chain comes from the file, never from the network (AIA fetches) during a handshake.
            var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
            return new(
                new ServedCertificate(source, context, names, leaf.NotBefore.ToUniversalTime(), leaf.NotAfter.ToUniversalTime(), leaf.Thumbprint),
                null);
        }
        catch (CryptographicException error)
        {
            return new(null, $"not a usable certificate and key ({error.Message})");
        }
        catch (ArgumentException error)
        {
            return new(null, $"not a usable certificate and key ({error.Message})");
        }
    }

    /// <summary>Why a PEM text is not whole, or null when every block is closed and nothing follows the last.</summary>
    internal static string? IncompleteProblem(string pem)
    {
        var begins = Count(pem, Begin);
        var ends = Count(pem, End);
        if (begins == 0)
        {
            return "empty or no PEM block";
        }

        if (begins != ends)
        {
            return "a PEM block is not closed (the file may be half-written)";
        }

        var lastEnd = pem.LastIndexOf(End, StringComparison.Ordinal);
        var lineEnd = pem.IndexOf("-----", lastEnd + End.Length, StringComparison.Ordinal);
        if (lineEnd < 0 || !pem.AsSpan(lineEnd + 5).IsWhiteSpace())
        {
            return "text after the last PEM block (the file may be half-written)";
        }

        return null;
    }

    private static int Count(string text, string marker)
    {
        var count = 0;
        for (var at = text.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = text.IndexOf(marker, at + marker.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
