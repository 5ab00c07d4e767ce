using Prometheus;

namespace Able.Gateway.Tls;

/// <summary>
/// <c>able_tls_handshakes_total{outcome}</c>, <c>able_tls_certificate_expiry_seconds{host}</c>,
/// <c>able_tls_hosts_without_certificate</c> and <c>able_tls_certificate_loads_total{outcome}</c>.
/// </summary>
internal sealed class TlsMetrics
{
    private readonly Counter handshakes;

    private readonly Gauge expiry;

    private readonly Gauge hostsWithoutCertificate;

    private readonly Counter loads;

    private HashSet<string> hostsWithExpiry = new(StringComparer.Ordinal);

    public TlsMetrics(IMetricFactory metrics)
    {
        handshakes = metrics.CreateCounter(
            "able_tls_handshakes_total",
            "TLS handshakes on the HTTPS listener by outcome: ok, no_sni (the client named no host), unknown_host (not a funnel host), "
            + "no_certificate (a funnel host with no certificate loaded), failed (the handshake itself failed or the client left).",
            ["outcome"]);

        expiry = metrics.CreateGauge(
            "able_tls_certificate_expiry_seconds",
            "When the certificate served for each funnel host expires, as a Unix time in seconds (alert on this minus time()).",
            ["host"]);

        hostsWithoutCertificate = metrics.CreateGauge(
            "able_tls_hosts_without_certificate", "Funnel hosts for which no certificate is loaded (their HTTPS handshakes fail).");

        loads = metrics.CreateCounter(
            "able_tls_certificate_loads_total",
            "Certificate files read after they changed: loaded, or rejected (half-written, unreadable, or a key of another certificate; the previous one stays).",
            ["outcome"]);

        // Every label set exists from the start at 0, so rate() and increase() see the first refusal or rejection too.
        foreach (var outcome in new[] { TlsOutcome.Ok, TlsOutcome.NoSni, TlsOutcome.UnknownHost, TlsOutcome.NoCertificate, TlsOutcome.Failed })
        {
            handshakes.WithLabels(outcome);
        }

        loads.WithLabels("loaded");
        loads.WithLabels("rejected");
    }

    public void Handshake(string outcome) => handshakes.WithLabels(outcome).Inc();

    public void Loaded() => loads.WithLabels("loaded").Inc();

    public void Rejected() => loads.WithLabels("rejected").Inc();

    /// <summary>Sets the expiry of every funnel host's certificate and removes the series of hosts that no longer have one.</summary>
    public void Coverage(IReadOnlyDictionary<string, DateTimeOffset> expiryByHost, int hostsWithout)
    {
        foreach (var (host, notAfter) in expiryByHost)
        {
            expiry.WithLabels(host).Set(notAfter.ToUnixTimeSeconds());
        }

        foreach (var host in hostsWithExpiry.Where(host => !expiryByHost.ContainsKey(host)))
        {
            expiry.RemoveLabelled(host);
        }

        hostsWithExpiry = new HashSet<string>(expiryByHost.Keys, StringComparer.Ordinal);
        hostsWithoutCertificate.Set(hostsWithout);
    }
}
