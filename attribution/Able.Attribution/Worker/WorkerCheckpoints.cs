namespace Able.Attribution.Worker;

/// <summary>
/// Named points in the worker where a crash matters for exactly-once delivery. Production does nothing
/// here; crash tests register a subclass that holds a replica at a point until it is stopped, leaving
/// exactly the Redis state a crash there would leave.
/// </summary>
public class WorkerCheckpoints
{
    /// <summary>A delivery was claimed and its batch built; the request is not sent yet.</summary>
    public const string BeforeSend = "before-send";

    /// <summary>TikTok accepted and the ledger says sent; the job is still in the schedule.</summary>
    public const string AfterSentBeforeRemove = "after-sent-before-remove";

    /// <summary>An entry's outcome is stored; it is not acknowledged yet.</summary>
    public const string BeforeAck = "before-ack";

    public virtual Task ReachedAsync(string point, CancellationToken cancellationToken) => Task.CompletedTask;
}
