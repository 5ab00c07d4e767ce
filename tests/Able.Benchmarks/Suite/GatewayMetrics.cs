using System.Globalization;

namespace Able.Benchmarks.Suite;

/// <summary>
/// The gateway's Prometheus text (/metrics on its management port), summed by metric name and optionally one label:
/// captures written (<c>able_capture_total{kind="pageview"}</c>), dropped (<c>able_capture_dropped_total</c>) and
/// the queue depth (<c>able_capture_queue_depth</c>), per gateway/Able.Gateway/Capture/CaptureMetrics.cs.
/// </summary>
internal sealed class GatewayMetrics(string managementUrl)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public async Task<Snapshot> ReadAsync(CancellationToken cancellationToken) =>
        new(await Http.GetStringAsync(managementUrl + "/metrics", cancellationToken));

    /// <summary>
    /// Waits until every capture the gateway admitted is written or dropped: the queue is empty and the written and
    /// dropped counts have not moved for a second (or <paramref name="expectedWritten"/> captures are written).
    /// </summary>
    public async Task<Snapshot> WaitUntilDrainedAsync(double? expectedWritten, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var last = await ReadAsync(cancellationToken);
        var stableSince = clock.Elapsed;
        while (clock.Elapsed < timeout)
        {
            await Task.Delay(200, cancellationToken);
            var now = await ReadAsync(cancellationToken);
            if (now.QueueDepth == 0 && expectedWritten is { } expected && now.CapturesWritten >= expected)
            {
                return now;
            }

            if (now.CapturesWritten != last.CapturesWritten || now.CapturesDropped != last.CapturesDropped || now.QueueDepth > 0)
            {
                stableSince = clock.Elapsed;
            }
            else if (clock.Elapsed - stableSince > TimeSpan.FromSeconds(expectedWritten is null ? 1 : 3))
            {
                return now;
            }

            last = now;
        }

        return last;
    }

    /// <summary>One scrape of /metrics.</summary>
    internal sealed class Snapshot(string text)
    {
        /// <summary>Captures written to Redis: one "pageview" per page capture (a capture counts once per kind).</summary>
        public double CapturesWritten => Sum("able_capture_total", "kind", "pageview");

        public double CapturesDropped => Sum("able_capture_dropped_total");

        public double QueueDepth => Sum("able_capture_queue_depth");

        /// <summary>Dropped captures by reason, e.g. "queue_full=12, redis_error=3"; empty when none were.</summary>
        public IReadOnlyDictionary<string, double> DroppedByReason()
        {
            var reasons = new SortedDictionary<string, double>(StringComparer.Ordinal);
            foreach (var (labels, value) in Samples("able_capture_dropped_total"))
            {
                var reason = Label(labels, "reason") ?? "";
                reasons[reason] = reasons.GetValueOrDefault(reason) + value;
            }

            return reasons;
        }

        public double Sum(string name, string? label = null, string? labelValue = null) =>
            Samples(name).Where(s => label is null || Label(s.Labels, label) == labelValue).Sum(s => s.Value);

        private IEnumerable<(string Labels, double Value)> Samples(string name)
        {
            foreach (var line in text.Split('\n'))
            {
                if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length)
                {
                    continue;
                }

                var next = line[name.Length];
                if (next != '{' && next != ' ')
                {
                    continue;
                }

                var end = line.LastIndexOf(' ');
                var labels = next == '{' ? line[(name.Length + 1)..line.LastIndexOf('}')] : "";
                if (double.TryParse(line[(end + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    yield return (labels, value);
                }
            }
        }

        private static string? Label(string labels, string name)
        {
            var start = labels.IndexOf(name + "=\"", StringComparison.Ordinal);
            if (start < 0)
            {
                return null;
            }

            start += name.Length + 2;
            var end = labels.IndexOf('"', start);
            return labels[start..end];
        }
    }
}
