using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Able.FaultTests;

/// <summary>
/// Answers the fake TikTok's requests (accept, or the fault a scenario sets) and records every request it accepted,
/// in order, with its time: what TikTok received, counted per event_id.
/// </summary>
internal sealed class DeliveryRecorder
{
    private readonly ConcurrentQueue<AcceptedRequest> accepted = new();
    private int sequence;
    private TaskCompletionSource<IReadOnlyList<string>>? crashWindow;

    /// <summary>The answer to the next requests; null accepts them.</summary>
    public FakeReply? Fault { get; set; }

    public IReadOnlyList<AcceptedRequest> AcceptedRequests => [.. accepted.OrderBy(r => r.Sequence)];

    public FakeReply Answer(IReadOnlyList<JsonObject> events)
    {
        if (Fault is { } fault)
        {
            return fault;
        }

        var ids = events.Select(e => (string?)e["event_id"] ?? "").ToList();
        accepted.Enqueue(new AcceptedRequest(Interlocked.Increment(ref sequence), DateTimeOffset.UtcNow, ids));
        if (Interlocked.Exchange(ref crashWindow, null) is { } window)
        {
            // Accepted, but the answer is held back: the sender is in the crash window until it is killed.
            window.TrySetResult(ids);
            return FakeReply.HangFor(TimeSpan.FromSeconds(30));
        }

        return FakeReply.Ok;
    }

    /// <summary>
    /// The next request is accepted and its answer held back; the task completes with its event ids while the sender
    /// waits for the answer, so a test can kill the sender exactly after TikTok accepted a batch.
    /// </summary>
    public Task<IReadOnlyList<string>> HoldNextAnswerAsync()
    {
        var window = new TaskCompletionSource<IReadOnlyList<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref crashWindow, window);
        return window.Task;
    }

    /// <summary>How often TikTok accepted each event_id.</summary>
    public Dictionary<string, int> AcceptedCounts() =>
        accepted.SelectMany(r => r.EventIds).GroupBy(id => id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>When TikTok first accepted each event_id.</summary>
    public Dictionary<string, DateTimeOffset> FirstAccepted()
    {
        var first = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var request in AcceptedRequests)
        {
            foreach (var id in request.EventIds)
            {
                first.TryAdd(id, request.At);
            }
        }

        return first;
    }
}

internal sealed record AcceptedRequest(int Sequence, DateTimeOffset At, IReadOnlyList<string> EventIds);
