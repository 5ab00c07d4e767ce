namespace Able.Supervision;

/// <summary>
/// Log event ids of background-loop supervision (2000-2999). Hosting uses 1000-1999, the gateway 3000-4999, the
/// attribution service 5000-5999, the attribution domain 6000-6999.
/// </summary>
internal static class EventIds
{
    /// <summary>A loop's first failure of an outage (Warning, once per outage).</summary>
    public const int LoopOutageStarted = 2001;

    /// <summary>A further failure during the same outage (Debug).</summary>
    public const int LoopOutageContinues = 2002;

    /// <summary>The loop works again (Information, once per outage).</summary>
    public const int LoopOutageEnded = 2003;

    /// <summary>A loop ended on an unexpected error; the process stops with a non-zero exit code (Critical).</summary>
    public const int LoopStopped = 2004;
}
