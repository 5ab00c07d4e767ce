using Prometheus;

namespace Able.Attribution.Calendly.Watchdog;

/// <summary>The watchdog's Prometheus metrics (README, "Calendly: connect and stay connected").</summary>
public sealed class CalendlyWatchdogMetrics(IMetricFactory metrics)
{
    /// <summary>1 while the funnel's subscription is active at Calendly, 0 when it was found disabled or missing and is not repaired yet.</summary>
    public Gauge SubscriptionUp { get; } = metrics.CreateGauge(
        "able_calendly_subscription_up", "Whether the funnel's Calendly webhook subscription is active (1) or disabled or missing (0), as the watchdog last saw it.", ["funnel"]);

    public Counter Repairs { get; } = metrics.CreateCounter(
        "able_calendly_subscription_repairs_total", "Calendly webhook subscriptions the watchdog recreated (found disabled or missing).", ["funnel"]);
}
