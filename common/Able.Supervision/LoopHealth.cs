using Prometheus;

namespace Able.Supervision;

/// <summary>A loop in an outage: since when, why (the first failure's exception type) and how often it failed since.</summary>
public sealed record LoopOutage(string Loop, DateTimeOffset Since, string Kind, int Failures);

/// <summary>
/// The health of this process's background loops, as /readyz and the metrics show it: <c>able_loop_up{loop}</c> is 1
/// while a loop works and 0 during an outage (Redis or the network failing it), <c>able_loop_outages_total{loop}</c>
/// counts outages. A loop registers when it starts, so a loop that never ran is not reported.
/// </summary>
public sealed class LoopHealth(IMetricFactory metrics)
{
    private readonly Gauge up = metrics.CreateGauge("able_loop_up", "1 while a background loop works, 0 while Redis or the network fails it.", ["loop"]);
    private readonly Counter outages = metrics.CreateCounter("able_loop_outages_total", "Outages of a background loop (Redis or the network failing it).", ["loop"]);
    private readonly Dictionary<string, LoopOutage?> loops = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>The loops that registered, in name order.</summary>
    public IReadOnlyList<string> Loops
    {
        get
        {
            lock (gate)
            {
                return [.. loops.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>The loops in an outage now, oldest first.</summary>
    public IReadOnlyList<LoopOutage> Outages
    {
        get
        {
            lock (gate)
            {
                return [.. loops.Values.OfType<LoopOutage>().OrderBy(o => o.Since)];
            }
        }
    }

    /// <summary>A loop starts: it counts as working until it fails.</summary>
    public void Register(string loop)
    {
        lock (gate)
        {
            loops.TryAdd(loop, null);
        }

        up.WithLabels(loop).Set(1);
        outages.WithLabels(loop);
    }

    /// <summary>A turn of <paramref name="loop"/> failed; returns the outage when this failure started it (log it then).</summary>
    public LoopOutage? Failed(string loop, Exception error, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(error);
        lock (gate)
        {
            if (loops.GetValueOrDefault(loop) is { } current)
            {
                loops[loop] = current with { Failures = current.Failures + 1 };
                return null;
            }

            var started = new LoopOutage(loop, now, error.GetType().Name, 1);
            loops[loop] = started;
            up.WithLabels(loop).Set(0);
            outages.WithLabels(loop).Inc();
            return started;
        }
    }

    /// <summary>A turn of <paramref name="loop"/> worked; returns the outage it ended, if there was one (log it then).</summary>
    public LoopOutage? Succeeded(string loop)
    {
        lock (gate)
        {
            if (loops.GetValueOrDefault(loop) is not { } ended)
            {
                return null;
            }

            loops[loop] = null;
            up.WithLabels(loop).Set(1);
            return ended;
        }
    }
}
