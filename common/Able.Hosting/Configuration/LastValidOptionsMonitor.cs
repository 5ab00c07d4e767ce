using Able.Schema.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Able.Hosting.Configuration;

/// <summary>
/// The <see cref="IOptionsMonitor{TOptions}"/> both services use for <see cref="AbleOptions"/>. A bad value
/// stops a service at start (nothing valid to fall back on), but a config file edited into a bad state while
/// it runs must not turn every request into a 500: the edit is refused with a log line and a metric, and the
/// last valid configuration stays in force until the file is fixed. Change listeners hear only valid versions.
/// Registered by <see cref="AbleOptionsServiceCollectionExtensions.AddAbleOptions"/>, whose options cache already
/// holds the value validated at start, so the factory (binding and validation) runs only when the configuration changes.
/// </summary>
public sealed partial class LastValidOptionsMonitor : IOptionsMonitor<AbleOptions>, IDisposable
{
    private readonly OptionsMonitor<AbleOptions> inner;
    private readonly IOptionsMonitorCache<AbleOptions> cache;
    private readonly ILogger<LastValidOptionsMonitor> logger;
    private readonly Counter reloads;
    private readonly List<IDisposable> subscriptions = [];
    private volatile AbleOptions? lastValid;
    private volatile bool fileRejected;

    public LastValidOptionsMonitor(
        IOptionsFactory<AbleOptions> factory,
        IEnumerable<IOptionsChangeTokenSource<AbleOptions>> sources,
        IOptionsMonitorCache<AbleOptions> cache,
        IMetricFactory metrics,
        ILogger<LastValidOptionsMonitor> logger)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        inner = new OptionsMonitor<AbleOptions>(factory, sources, cache);
        this.cache = cache;
        this.logger = logger;
        reloads = metrics.CreateCounter("able_config_reloads_total", "Configuration file changes seen while running, by outcome (applied, rejected).", ["outcome"]);
        // The inner monitor calls its listeners exactly when a changed configuration validated: that is when
        // a valid version takes over (also after a refused edit is fixed).
        subscriptions.Add(inner.OnChange((options, _) =>
        {
            lastValid = options;
            fileRejected = false;
            reloads.WithLabels("applied").Inc();
        })!);
        foreach (var source in sources)
        {
            // Only to notice a refused edit (the inner monitor then calls no listener). Change callbacks may run
            // before or after the inner monitor's own, so Reloaded drops the cached value and judges the file itself.
            subscriptions.Add(Microsoft.Extensions.Primitives.ChangeToken.OnChange(source.GetChangeToken, Reloaded));
        }
    }

    public AbleOptions CurrentValue => Get(Options.DefaultName);

    public AbleOptions Get(string? name)
    {
        if (fileRejected && lastValid is { } kept)
        {
            // The file on disk is known to be bad: skip rebuilding (and throwing) on every request.
            return kept;
        }

        try
        {
            return lastValid = inner.Get(name);
        }
        catch (OptionsValidationException) when (lastValid is not null)
        {
            return lastValid;
        }
    }

    /// <summary>Listeners are called only with configurations that passed validation.</summary>
    public IDisposable? OnChange(Action<AbleOptions, string?> listener) => inner.OnChange(listener);

    public void Dispose()
    {
        subscriptions.ForEach(s => s.Dispose());
        inner.Dispose();
    }

    private void Reloaded()
    {
        cache.TryRemove(Options.DefaultName);
        try
        {
            inner.Get(Options.DefaultName);
        }
        catch (OptionsValidationException error)
        {
            fileRejected = true;
            reloads.WithLabels("rejected").Inc();
            LogRejected(logger, string.Join("; ", error.Failures));
        }
    }

    [LoggerMessage(EventId = EventIds.ConfigurationChangeRejected, Level = LogLevel.Error,
        Message = "The changed configuration is not valid and was not applied; the last valid one stays in force: {Problems}")]
    private static partial void LogRejected(ILogger logger, string problems);
}
