using System.Net;
using Able.Schema.Configuration;

namespace Able.Gateway.Acme;

/// <summary>A configured host that gets no certificate, and why.</summary>
internal sealed record SkippedHost(string Host, string Reason);

/// <summary>One funnel's certificate: its certbot arguments (null when no host can have one) and the hosts left out.</summary>
internal sealed record FunnelCertificate(string Mark, IReadOnlyList<string> Hosts, IReadOnlyList<SkippedHost> Skipped, IReadOnlyList<string>? Arguments);

/// <summary>Where certbot keeps its lock and temporary files and its logs; null leaves certbot's own default.</summary>
internal sealed record CertbotDirectories(string? WorkDirectory, string? LogsDirectory)
{
    /// <summary>
    /// As root, certbot's defaults (<c>/var/lib/letsencrypt</c>, <c>/var/log/letsencrypt</c>), the ones its systemd timer
    /// (<c>certbot renew</c>) uses too, so both take the same locks. Otherwise a folder the user can write:
    /// <c>$XDG_STATE_HOME/able/certbot</c> (<c>~/.local/state/able/certbot</c>).
    /// </summary>
    public static CertbotDirectories ForCurrentUser()
    {
        if (Environment.UserName == "root")
        {
            return new CertbotDirectories(null, null);
        }

        var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrWhiteSpace(state))
        {
            state = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        }

        var root = Path.Combine(state, "able", "certbot");
        return new CertbotDirectories(Path.Combine(root, "work"), Path.Combine(root, "logs"));
    }
}

/// <summary>
/// The certbot command lines <c>./able certs</c> runs: one <c>certbot certonly --webroot</c> per funnel, named after the funnel's
/// mark, for the funnel's host names. The gateway picks certificates by the names in them, so the name is only certbot's handle.
/// </summary>
internal static class CertbotPlan
{
    /// <summary>One entry per funnel, in configuration order.</summary>
    public static IReadOnlyList<FunnelCertificate> Build(AbleOptions options, CertbotDirectories directories, IReadOnlyList<string> extraArguments)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(directories);
        ArgumentNullException.ThrowIfNull(extraArguments);
        var tls = options.Gateway.Tls;
        var plans = new List<FunnelCertificate>(options.Funnels.Length);
        foreach (var funnel in options.Funnels)
        {
            var hosts = new List<string>();
            var skipped = new List<SkippedHost>();
            foreach (var configured in funnel.Hosts)
            {
                var (host, reason) = Classify(configured);
                if (host is null)
                {
                    skipped.Add(new SkippedHost(configured, reason!));
                }
                else if (!hosts.Contains(host, StringComparer.Ordinal))
                {
                    hosts.Add(host);
                }
            }

            plans.Add(new FunnelCertificate(funnel.Mark, hosts, skipped,
                hosts.Count == 0 ? null : Arguments(funnel.Mark, hosts, tls, directories, extraArguments)));
        }

        return plans;
    }

    /// <summary>
    /// The DNS name a public CA can certify for a configured host (lower case, without <c>:port</c> or a trailing dot),
    /// or null and the reason it cannot. Never throws.
    /// </summary>
    public static (string? Host, string? Reason) Classify(string? configured)
    {
        var value = (configured ?? "").Trim();
        if (value.Length == 0)
        {
            return (null, "empty host name");
        }

        if (value.StartsWith('[') || value.Count(c => c == ':') > 1)
        {
            return (null, "an IPv6 address: public CAs do not issue certificates for IP addresses by HTTP-01 here");
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var host = (colon >= 0 ? value[..colon] : value).TrimEnd('.').ToLowerInvariant();
        if (host.Length == 0)
        {
            return (null, "empty host name");
        }

        if (IPAddress.TryParse(host, out _) || host.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            return (null, "an IP address: public CAs do not issue certificates for IP addresses by HTTP-01 here");
        }

        if (host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal))
        {
            return (null, "localhost: no public CA issues certificates for it (./able up --tls makes a self-signed one)");
        }

        if (host.Contains('*', StringComparison.Ordinal))
        {
            return (null, "a wildcard: HTTP-01 cannot validate wildcards (use DNS-01 with certbot yourself)");
        }

        if (!host.Contains('.', StringComparison.Ordinal))
        {
            return (null, "a single-label name: public CAs only issue certificates for names in a public domain");
        }

        return (host, null);
    }

    private static List<string> Arguments(
        string mark, List<string> hosts, GatewayTlsOptions tls, CertbotDirectories directories, IReadOnlyList<string> extraArguments)
    {
        var arguments = new List<string>
        {
            "certonly", "--webroot", "-w", Path.GetFullPath(tls.AcmeWebroot),
            "--config-dir", Path.GetFullPath(tls.CertificateDirectory),
        };
        if (directories.WorkDirectory is { } work && !extraArguments.Any(a => a.StartsWith("--work-dir", StringComparison.Ordinal)))
        {
            arguments.AddRange(["--work-dir", Path.GetFullPath(work)]);
        }

        if (directories.LogsDirectory is { } logs && !extraArguments.Any(a => a.StartsWith("--logs-dir", StringComparison.Ordinal)))
        {
            arguments.AddRange(["--logs-dir", Path.GetFullPath(logs)]);
        }

        arguments.AddRange(["--server", tls.Acme.Directory, "--non-interactive", "--agree-tos"]);
        if (string.IsNullOrWhiteSpace(tls.Acme.Email))
        {
            arguments.Add("--register-unsafely-without-email");
        }
        else
        {
            arguments.AddRange(["--email", tls.Acme.Email.Trim()]);
        }

        arguments.AddRange(["--cert-name", mark]);
        foreach (var host in hosts)
        {
            arguments.AddRange(["-d", host]);
        }

        arguments.AddRange(["--keep-until-expiring", "--expand"]);
        arguments.AddRange(extraArguments);
        return arguments;
    }
}
