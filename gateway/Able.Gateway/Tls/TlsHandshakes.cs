using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Able.Gateway.Tls;

/// <summary>
/// The HTTPS listener's per-connection TLS: picks the certificate by SNI among funnel hosts, refuses every other handshake
/// (no default certificate, so an unknown or missing name never sees another customer's certificate), counts each handshake
/// once in <c>able_tls_handshakes_total{outcome}</c>, and logs a refused host at most once an hour.
/// </summary>
internal sealed partial class TlsHandshakes(CertificateStore store, FunnelHostNames funnelHosts, TlsMetrics metrics, TimeProvider time, ILogger<TlsHandshakes> logger)
{
    /// <summary>Distinct refused names remembered for the once-an-hour log; beyond it the memory is cleared (it is only log throttling).</summary>
    private const int RememberedRefusals = 4096;

    /// <summary>Refusal log lines per hour across all names, so a scan of random names cannot flood the log.</summary>
    private const int RefusalLinesPerHour = 100;

    private static readonly TimeSpan LogEvery = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> lastLogged = new(StringComparer.Ordinal);
    private readonly Lock refusalBudgetLock = new();
    private (DateTimeOffset HourStart, int Lines) refusalBudget;

    public TlsHandshakeCallbackOptions CallbackOptions() => new()
    {
        OnConnection = context => SelectAsync(context),
        HandshakeTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>
    /// The connection middleware that wraps the TLS one: it gives each connection its <see cref="TlsHandshakeAttempt"/> and
    /// counts a handshake that neither succeeded nor was refused by the certificate choice (a protocol mismatch, a client
    /// that left) as <see cref="TlsOutcome.Failed"/>.
    /// </summary>
    public Func<ConnectionDelegate, ConnectionDelegate> CountOutcomes() => next => async connection =>
    {
        var attempt = new TlsHandshakeAttempt();
        connection.Features.Set(attempt);
        try
        {
            await next(connection);
        }
        finally
        {
            if (attempt.Outcome is null)
            {
                metrics.Handshake(TlsOutcome.Failed);
            }
        }
    };

    /// <summary>The connection middleware after the TLS one: the handshake succeeded.</summary>
    public Func<ConnectionDelegate, ConnectionDelegate> CountSucceeded() => next => connection =>
    {
        if (connection.Features.Get<TlsHandshakeAttempt>() is { } attempt)
        {
            attempt.Outcome = TlsOutcome.Ok;
        }

        metrics.Handshake(TlsOutcome.Ok);
        return next(connection);
    };

    private ValueTask<SslServerAuthenticationOptions> SelectAsync(TlsHandshakeCallbackContext context)
    {
        var serverName = context.ClientHelloInfo.ServerName;
        var host = string.IsNullOrEmpty(serverName) ? "" : FunnelHostNames.Normalize(serverName);
        ServedCertificate? certificate = null;
        var refusal = host.Length == 0
            ? TlsOutcome.NoSni
            : !funnelHosts.Current.Contains(host)
                ? TlsOutcome.UnknownHost
                : (certificate = store.Find(host)) is null ? TlsOutcome.NoCertificate : null;
        if (certificate is null || refusal is not null)
        {
            refusal ??= TlsOutcome.NoCertificate;
            Refuse(context.Connection, host, refusal);
            throw new AuthenticationException($"No certificate for the TLS server name '{host}' ({refusal}).");
        }

        return ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate.Context,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        });
    }

    private void Refuse(ConnectionContext connection, string host, string outcome)
    {
        if (connection.Features.Get<TlsHandshakeAttempt>() is { } attempt)
        {
            attempt.Outcome = outcome;
        }

        metrics.Handshake(outcome);
        var now = time.GetUtcNow();
        var key = $"{outcome}:{host}";
        if (lastLogged.TryGetValue(key, out var last) && now - last < LogEvery || !TakeRefusalLine(now))
        {
            return;
        }

        if (lastLogged.Count >= RememberedRefusals)
        {
            lastLogged.Clear();
        }

        lastLogged[key] = now;
        var shown = host.Length == 0 ? "(none)" : Printable(host);
        var client = connection.RemoteEndPoint?.ToString() ?? "unknown";
        LogRefused(logger, shown, outcome, client);
    }

    /// <summary>A client-chosen name as it may appear in a log line: host-name characters only, at most 253.</summary>
    internal static string Printable(string name)
    {
        var clean = name.Length <= 253 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '*');
        return clean ? name : "(not a host name)";
    }

    private bool TakeRefusalLine(DateTimeOffset now)
    {
        lock (refusalBudgetLock)
        {
            if (now - refusalBudget.HourStart >= LogEvery)
            {
                refusalBudget = (now, 0);
            }

            if (refusalBudget.Lines >= RefusalLinesPerHour)
            {
                return false;
            }

            refusalBudget.Lines++;
            return true;
        }
    }

    [LoggerMessage(EventId = EventIds.TlsHandshakeRefused, Level = LogLevel.Warning,
        Message = "Refused a TLS handshake for the server name {Host} ({Outcome}, from {Client}); logged once an hour per name")]
    private static partial void LogRefused(ILogger logger, string host, string outcome, string client);
}

/// <summary>Per HTTPS connection: how its handshake ended, once known (null until then).</summary>
internal sealed class TlsHandshakeAttempt
{
    public string? Outcome { get; set; }
}
