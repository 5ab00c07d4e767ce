using Able.Attribution.Calendly.Api;
using Able.Schema.Configuration;
using Able.Supervision;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Calendly.Watchdog;

/// <summary>
/// Keeps every funnel's Calendly webhook subscription alive, for funnels with a Calendly API token and webhook URL
/// (<c>Able:Funnels:i:Calendly:ApiToken</c> and <c>WebhookUrl</c>, stored by <c>./able calendly connect</c>). Every
/// <c>Able:Attribution:Calendly:WatchdogIntervalMinutes</c> (±10 % jitter) it lists the subscriptions posting to the funnel's
/// webhook URL; one that Calendly disabled (after 24 h of failed deliveries) or deleted (after a 410) is created again with a fresh
/// signing key, written to the secrets overlay first (with the replaced key still accepted for <c>SigningKeyGraceMinutes</c>),
/// which the ingress picks up without a restart. One replica at a time acts (<see cref="WatchdogLock"/>); a rate limit is waited out by the
/// API client, never hammered. <c>able_calendly_subscription_up{funnel}</c> and <c>able_calendly_subscription_repairs_total</c>.
/// </summary>
internal sealed partial class CalendlyWatchdog(
    CalendlyConnector connector,
    SecretsOverlayFile overlay,
    WatchdogLock watchdogLock,
    CalendlyWatchdogMetrics metrics,
    LoopHealth health,
    IOptionsMonitor<AbleOptions> options,
    TimeProvider time,
    ILogger<CalendlyWatchdog> logger) : BackgroundService
{
    /// <summary>The loop's name in logs, /readyz and <c>able_loop_up{loop}</c>.</summary>
    public const string LoopName = "calendly-watchdog";

    private readonly string holder = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly HashSet<string> notWatched = new(StringComparer.OrdinalIgnoreCase);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        options.CurrentValue.Attribution.Calendly.WatchdogEnabled
            ? SupervisedLoop.RunAsync(LoopName, TurnAsync, health, time, logger, stoppingToken)
            : Task.CompletedTask;

    /// <summary>One round over the watched funnels (when no other replica holds the lock); returns the jittered pause before the next.</summary>
    private async Task<TimeSpan> TurnAsync(CancellationToken stoppingToken)
    {
        var all = options.CurrentValue;
        var api = all.Attribution.Calendly;
        var pause = TimeSpan.FromMinutes(api.WatchdogIntervalMinutes) * (0.9 + (0.2 * Random.Shared.NextDouble()));
        var watched = all.Funnels.Where(f => !string.IsNullOrWhiteSpace(f.Calendly.ApiToken) && !string.IsNullOrWhiteSpace(f.Calendly.WebhookUrl)).ToList();
        foreach (var unconnected in all.Funnels.Where(f => !string.IsNullOrWhiteSpace(f.Calendly.ApiToken) && string.IsNullOrWhiteSpace(f.Calendly.WebhookUrl)))
        {
            if (notWatched.Add(unconnected.Mark))
            {
                // Guessing the URL could create a second subscription beside one made by hand, and its new key would then
                // retire the key that one signs with: only a funnel whose URL is known (connect stores it) is watched.
                LogNotWatched(logger, unconnected.Mark);
            }
        }

        if (watched.Count == 0)
        {
            return pause;
        }

        // Longer than a round can take: every call may wait out a rate limit once.
        var expiry = TimeSpan.FromSeconds(60 + (2 * api.MaxRateLimitWaitSeconds)) * Math.Max(1, watched.Count);
        if (!await watchdogLock.TryTakeAsync(holder, expiry))
        {
            return pause;
        }

        try
        {
            foreach (var funnel in watched)
            {
                stoppingToken.ThrowIfCancellationRequested();
                await CheckAsync(funnel, api, stoppingToken);
            }
        }
        finally
        {
            await watchdogLock.ReleaseAsync(holder);
        }

        return pause;
    }

    private async Task CheckAsync(FunnelOptions funnel, CalendlyApiOptions api, CancellationToken stoppingToken)
    {
        var token = funnel.Calendly.ApiToken!;
        var url = funnel.Calendly.WebhookUrl!;
        var scope = funnel.Calendly.SubscriptionScope;
        var found = await connector.FindAsync(token, url, scope, stoppingToken);
        if (!found.Succeeded)
        {
            Failed(funnel, found.Error);
            return;
        }

        if (found.Value.Subscriptions.Any(s => s.IsActive))
        {
            metrics.SubscriptionUp.WithLabels(funnel.Mark).Set(1);
            return;
        }

        metrics.SubscriptionUp.WithLabels(funnel.Mark).Set(0);
        var state = found.Value.Subscriptions.Count == 0 ? "missing" : string.Join(", ", found.Value.Subscriptions.Select(s => s.State).Distinct());
        LogSubscriptionDown(logger, funnel.Mark, state, url);
        // The new key is stored before Calendly learns it, with the current one still accepted for the grace period: a stop,
        // a crash or a lost answer at any later point leaves a subscription whose key the ingress knows, never one nobody does.
        // An overlay that cannot be written (a read-only mount) stops the repair here: leave it to ./able calendly connect.
        var key = CalendlyConnector.NewSigningKey();
        var graceUntil = time.GetUtcNow().AddMinutes(api.SigningKeyGraceMinutes);
        try
        {
            await CalendlySecrets.StoreAsync(overlay, funnel.Mark, key, funnel.Calendly.SigningKey, graceUntil, apiToken: null, url, scope, CancellationToken.None);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            LogCannotRepair(logger, funnel.Mark, overlay.Path, error.Message);
            return;
        }

        // Not cancelled by a stop: each request is bounded by its own timeout, and the key above is already stored.
        var replaced = await connector.ReplaceAsync(token, url, scope, CancellationToken.None, key);
        if (!replaced.Succeeded)
        {
            Failed(funnel, replaced.Error);
            return;
        }

        metrics.Repairs.WithLabels(funnel.Mark).Inc();
        metrics.SubscriptionUp.WithLabels(funnel.Mark).Set(1);
        LogRepaired(logger, funnel.Mark, state, replaced.Value.Subscription.Uri, overlay.Path);
    }

    private void Failed(FunnelOptions funnel, CalendlyApiError error)
    {
        if (error.Kind is CalendlyApiFailure.Unauthorized or CalendlyApiFailure.Forbidden)
        {
            // The token cannot see or make the subscription: nothing will deliver until an operator acts.
            metrics.SubscriptionUp.WithLabels(funnel.Mark).Set(0);
        }

        LogCallFailed(logger, funnel.Mark, error.Kind, error.Message);
    }

    [LoggerMessage(EventId = EventIds.CalendlySubscriptionDown, Level = LogLevel.Warning,
        Message = "Funnel {Funnel}: the Calendly webhook subscription for {WebhookUrl} is {State}; bookings are not arriving. Recreating it.")]
    private static partial void LogSubscriptionDown(ILogger logger, string funnel, string state, string webhookUrl);

    [LoggerMessage(EventId = EventIds.CalendlySubscriptionRepaired, Level = LogLevel.Warning,
        Message = "Funnel {Funnel}: the Calendly webhook subscription was {State} and is recreated as {Subscription}; its new signing key is in {Overlay}.")]
    private static partial void LogRepaired(ILogger logger, string funnel, string state, string subscription, string overlay);

    [LoggerMessage(EventId = EventIds.CalendlyNotWatched, Level = LogLevel.Warning,
        Message = "Funnel {Funnel} has a Calendly API token but no Calendly:WebhookUrl, so the watchdog does not watch its subscription; run ./able calendly connect --funnel {Funnel} (or set the URL the subscription posts to).")]
    private static partial void LogNotWatched(ILogger logger, string funnel);

    [LoggerMessage(EventId = EventIds.CalendlyWatchdogCallFailed, Level = LogLevel.Warning,
        Message = "Funnel {Funnel}: the Calendly subscription check failed ({Failure}): {Reason}")]
    private static partial void LogCallFailed(ILogger logger, string funnel, CalendlyApiFailure failure, string reason);

    [LoggerMessage(EventId = EventIds.CalendlyRepairImpossible, Level = LogLevel.Error,
        Message = "Funnel {Funnel}: the Calendly subscription cannot be recreated because the secrets overlay {Overlay} cannot be written ({Reason}); run ./able calendly connect where it can.")]
    private static partial void LogCannotRepair(ILogger logger, string funnel, string overlay, string reason);
}
