using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Gateway.Tls;

/// <summary>
/// Checks the certificate directory every <c>Able:Gateway:Tls:ReloadCheckSeconds</c> and loads what changed. Polling rather
/// than file-system events: it sees certbot's symlink swaps and Kubernetes' Secret volume updates alike, and a check of
/// unchanged files costs a few <c>stat</c> calls. Also refreshes the per-host expiry gauge, which follows funnel changes.
/// </summary>
internal sealed partial class CertificateReloader(
    CertificateStore store, IOptions<AbleOptions> options, TimeProvider time, ILogger<CertificateReloader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Gateway.Tls.Enabled)
        {
            return;
        }

        var interval = TimeSpan.FromSeconds(options.Value.Gateway.Tls.ReloadCheckSeconds);
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    store.Reload();
                }
                catch (Exception error) when (error is IOException or UnauthorizedAccessException)
                {
                    // The directory itself went away or became unreadable: keep serving what is loaded.
                    var directory = store.Directory;
                    LogCheckFailed(logger, directory, error);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = EventIds.TlsCertificateCheckFailed, Level = LogLevel.Warning,
        Message = "Could not check the certificate directory {Directory}; the loaded certificates stay in use")]
    private static partial void LogCheckFailed(ILogger logger, string directory, Exception error);
}
