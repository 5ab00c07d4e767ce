using System.Collections.Frozen;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Gateway.Tls;

/// <summary>
/// The certificates in <c>Able:Gateway:Tls:CertificateDirectory</c>, indexed by the host names in their SANs. <see cref="Reload"/>
/// reads only pairs whose files changed and swaps in a new index at once, so a handshake sees either the old set or the new
/// one, and connections already open keep theirs. A pair that fails to read keeps its last good certificate and is retried on
/// every check; a pair whose files are gone is dropped.
/// </summary>
internal sealed partial class CertificateStore
{
    private readonly string directory;
    private readonly FunnelHostNames funnelHosts;
    private readonly TlsMetrics metrics;
    private readonly TimeProvider time;
    private readonly ILogger<CertificateStore> logger;
    private readonly Lock reloading = new();

    /// <summary>Per certificate file: the fingerprint last read, and the certificate last read successfully from it.</summary>
    private readonly Dictionary<string, (string Fingerprint, ServedCertificate? Certificate, string? Problem)> read = new(StringComparer.Ordinal);

    private volatile CertificateIndex index = CertificateIndex.Empty;

    public CertificateStore(IOptions<AbleOptions> options, FunnelHostNames funnelHosts, TlsMetrics metrics, TimeProvider time, ILogger<CertificateStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        directory = Path.GetFullPath(options.Value.Gateway.Tls.CertificateDirectory);
        this.funnelHosts = funnelHosts;
        this.metrics = metrics;
        this.time = time;
        this.logger = logger;
    }

    public string Directory => directory;

    /// <summary>The certificate for a host: an exact SAN, else a wildcard one label up; among several, a currently valid one expiring last.</summary>
    public ServedCertificate? Find(string host) => index.Find(host, time.GetUtcNow());

    /// <summary>Reads what changed in the directory and publishes the new index; returns how many pairs are loaded.</summary>
    public int Reload()
    {
        lock (reloading)
        {
            var pairs = CertificateFiles.Find(directory);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var certificates = new List<ServedCertificate>();
            foreach (var pair in pairs)
            {
                seen.Add(pair.CertificatePath);
                var certificate = ReadIfChanged(pair);
                if (certificate is not null)
                {
                    certificates.Add(certificate);
                }
            }

            foreach (var gone in read.Keys.Where(path => !seen.Contains(path)).ToList())
            {
                read.Remove(gone);
                LogRemoved(logger, gone);
            }

            index = new CertificateIndex(certificates);
            PublishCoverage();
            return certificates.Count;
        }
    }

    /// <summary>Updates the expiry gauge and the count of funnel hosts without a certificate (also after a configuration reload).</summary>
    public void PublishCoverage()
    {
        var now = time.GetUtcNow();
        var expiry = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var without = 0;
        foreach (var host in funnelHosts.Current)
        {
            if (index.Find(host, now) is { } certificate)
            {
                expiry[host] = certificate.NotAfter;
            }
            else
            {
                without++;
            }
        }

        metrics.Coverage(expiry, without);
    }

    private ServedCertificate? ReadIfChanged(CertificateFiles pair)
    {
        var fingerprint = pair.Fingerprint();
        read.TryGetValue(pair.CertificatePath, out var previous);
        if (previous.Fingerprint == fingerprint && previous.Problem is null)
        {
            return previous.Certificate;
        }

        var result = Read(pair);
        if (result.Certificate is { } loaded)
        {
            read[pair.CertificatePath] = (fingerprint, loaded, null);
            metrics.Loaded();
            var names = string.Join(", ", loaded.Names);
            var notAfter = loaded.NotAfter;
            LogLoaded(logger, pair.CertificatePath, names, notAfter);
            return loaded;
        }

        // Keep the last good certificate; log each bad version of the files once, and read them again on the next check.
        if (previous.Fingerprint != fingerprint || previous.Problem != result.Problem)
        {
            metrics.Rejected();
            var problem = result.Problem ?? "unknown problem";
            LogRejected(logger, pair.CertificatePath, problem, previous.Certificate is not null);
        }

        read[pair.CertificatePath] = (fingerprint, previous.Certificate, result.Problem);
        return previous.Certificate;
    }

    private static PemParseResult Read(CertificateFiles pair)
    {
        try
        {
            return PemCertificatePair.Parse(pair.CertificatePath, File.ReadAllText(pair.CertificatePath), File.ReadAllText(pair.KeyPath));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return new(null, $"cannot read the files ({error.Message})");
        }
    }

    [LoggerMessage(EventId = EventIds.TlsCertificateLoaded, Level = LogLevel.Information,
        Message = "Loaded the certificate {Path} for {Names}, valid until {NotAfter:u}")]
    private static partial void LogLoaded(ILogger logger, string path, string names, DateTimeOffset notAfter);

    [LoggerMessage(EventId = EventIds.TlsCertificateRejected, Level = LogLevel.Warning,
        Message = "Did not load the certificate {Path}: {Problem}; it is read again on the next check (previous certificate kept: {KeptPrevious})")]
    private static partial void LogRejected(ILogger logger, string path, string problem, bool keptPrevious);

    [LoggerMessage(EventId = EventIds.TlsCertificateRemoved, Level = LogLevel.Information, Message = "The certificate {Path} is gone; no longer served")]
    private static partial void LogRemoved(ILogger logger, string path);

    /// <summary>An immutable index: exact names, and wildcard names by the part after <c>*.</c>.</summary>
    private sealed class CertificateIndex
    {
        public static readonly CertificateIndex Empty = new([]);

        private readonly FrozenDictionary<string, ServedCertificate[]> exact;
        private readonly FrozenDictionary<string, ServedCertificate[]> wildcard;

        public CertificateIndex(IReadOnlyList<ServedCertificate> certificates)
        {
            exact = Group(certificates, name => !name.StartsWith("*.", StringComparison.Ordinal), name => name);
            wildcard = Group(certificates, name => name.StartsWith("*.", StringComparison.Ordinal), name => name[2..]);
        }

        public ServedCertificate? Find(string host, DateTimeOffset now)
        {
            if (exact.TryGetValue(host, out var candidates))
            {
                return Best(candidates, now);
            }

            // A wildcard covers exactly one label: *.example.com serves shop.example.com, not example.com or a.shop.example.com.
            var dot = host.IndexOf('.', StringComparison.Ordinal);
            return dot > 0 && wildcard.TryGetValue(host[(dot + 1)..], out candidates) ? Best(candidates, now) : null;
        }

        private static ServedCertificate Best(ServedCertificate[] candidates, DateTimeOffset now) =>
            candidates.OrderByDescending(c => c.IsValidAt(now)).ThenByDescending(c => c.NotAfter).First();

        private static FrozenDictionary<string, ServedCertificate[]> Group(
            IReadOnlyList<ServedCertificate> certificates, Func<string, bool> include, Func<string, string> key) =>
            certificates
                .SelectMany(certificate => certificate.Names.Where(include).Select(name => (Key: key(name), Certificate: certificate)))
                .GroupBy(entry => entry.Key, StringComparer.Ordinal)
                .ToFrozenDictionary(group => group.Key, group => group.Select(entry => entry.Certificate).ToArray(), StringComparer.Ordinal);
    }
}
