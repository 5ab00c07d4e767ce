using System.Globalization;
using Able.Attribution.Calendly;
using Able.Attribution.Calendly.Api;
using Able.Schema.Configuration;
using Able.Schema.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Able.Attribution.Service.ConsolePages;

/// <summary>A funnel's Calendly webhook subscription as Calendly reports it (what <c>./able calendly status</c> prints).</summary>
public sealed record CalendlySubscriptionState(
    string WebhookUrl, IReadOnlyList<CalendlySubscription> Subscriptions, string? Problem, DateTimeOffset? LastDelivery)
{
    public bool AllActive => Problem is null && Subscriptions.Count > 0 && Subscriptions.All(s => s.IsActive);
}

/// <summary>Asks Calendly for a connected funnel's subscriptions (bounded in time) and reads the last webhook seen.</summary>
public sealed class CalendlyConnectionState(CalendlyConnector connector, IConnectionMultiplexer redis, RedisKeys keys, IOptionsMonitor<AbleOptions> options)
{
    /// <summary>Longest wait for Calendly before the overview shows the page without it.</summary>
    public static readonly TimeSpan CalendlyWait = TimeSpan.FromSeconds(5);

    /// <summary>Null when the funnel is not connected (no Calendly API token).</summary>
    public async Task<CalendlySubscriptionState?> ReadAsync(FunnelOptions funnel, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(funnel);
        if (string.IsNullOrWhiteSpace(funnel.Calendly.ApiToken))
        {
            return null;
        }

        var url = CalendlyWebhookUrl.Of(funnel, options.CurrentValue.Attribution.Calendly);
        var lastDelivery = await LastDeliveryAsync(funnel.Mark);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(CalendlyWait);
        try
        {
            var found = await connector.FindAsync(funnel.Calendly.ApiToken, url, funnel.Calendly.SubscriptionScope, wait.Token);
            return found.Succeeded
                ? new CalendlySubscriptionState(url, found.Value.Subscriptions, null, lastDelivery)
                : new CalendlySubscriptionState(url, [], $"Calendly answered: {found.Error.Kind} ({found.Error.Message})", lastDelivery);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new CalendlySubscriptionState(url, [], $"Calendly did not answer within {CalendlyWait.TotalSeconds:0} s.", lastDelivery);
        }
    }

    private async Task<DateTimeOffset?> LastDeliveryAsync(string mark)
    {
        try
        {
            var value = await redis.GetDatabase().StringGetAsync(keys.CalendlyLastDelivery(mark));
            return !value.IsNull && long.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                && ms is > 0 and < 253_402_300_799_999
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                : null;
        }
        catch (RedisException)
        {
            return null;
        }
    }
}
