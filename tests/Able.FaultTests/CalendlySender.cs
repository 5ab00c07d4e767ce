using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Able.Attribution.Signatures;

namespace Able.FaultTests;

/// <summary>One Calendly delivery to make: an <c>invitee.created</c> for <see cref="InviteeUuid"/>.</summary>
internal sealed record Booking(string InviteeUuid, byte[] Body)
{
    public string EventId => $"schedule:{InviteeUuid}";

    /// <summary>A booking made now by a walk-in (no carried visitor id unless one is given), as Calendly sends it.</summary>
    public static Booking Create(string inviteeUuid, string? visitorId = null)
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        var tracking = visitorId is null ? "null" : $"\"{visitorId}\"";
        var body = $$"""
            {"event":"invitee.created","created_at":"{{now}}","created_by":"https://api.calendly.com/users/fault-tests",
             "payload":{"uri":"https://api.calendly.com/scheduled_events/fault-event/invitees/{{inviteeUuid}}",
              "email":"invitee.{{inviteeUuid}}@example.com","name":"Fault Test","status":"active","created_at":"{{now}}",
              "questions_and_answers":[],"text_reminder_number":null,
              "tracking":{"utm_campaign":"faults","utm_source":"tiktok","utm_medium":"paid_social","salesforce_uuid":{{tracking}}},
              "rescheduled":false,"old_invitee":null,"new_invitee":null,"payment":null,
              "scheduled_event":{"uri":"https://api.calendly.com/scheduled_events/fault-event","name":"30 Minute Discovery Call",
               "start_time":"{{now}}","event_type":"https://api.calendly.com/event_types/0b7e4c2d-9d15-4f63-8a0e-5c1d2e3f4a5b"} } }
            """;
        return new Booking(inviteeUuid, Encoding.UTF8.GetBytes(body));
    }

    public static IReadOnlyList<Booking> Many(int count, string scenario) =>
        [.. Enumerable.Range(0, count).Select(i => Create(InviteeUuidFor(scenario, i)))];

    /// <summary>A distinct, readable invitee uuid per scenario and index.</summary>
    public static string InviteeUuidFor(string scenario, int index) =>
        $"{(uint)StringComparer.Ordinal.GetHashCode(scenario) % 100_000_000:D8}-0000-4000-8000-{index:D12}";
}

/// <summary>What a sender saw: bookings it had to send, how many were answered 2xx, attempts and answers.</summary>
internal sealed class SendReport
{
    private readonly ConcurrentDictionary<string, int> answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> accepted = new(StringComparer.Ordinal);
    private int attempts;

    public int Sent { get; set; }

    public int Attempts => attempts;

    /// <summary>Distinct invitees answered 2xx at least once: the bookings the service took responsibility for.</summary>
    public IReadOnlyCollection<string> AcceptedInvitees => [.. accepted.Keys];

    public int Accepted => accepted.Count;

    /// <summary>When each invitee was first answered 2xx.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> AcceptedAt => accepted;

    /// <summary>Attempts per answer: an HTTP status code, or <c>connection</c>/<c>timeout</c> when no answer came.</summary>
    public IReadOnlyDictionary<string, int> Answers => answers;

    public DateTimeOffset? LastAcceptedAt { get; private set; }

    public string Describe() => string.Join(", ", answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}: {a.Value}"));

    internal void Record(string answer)
    {
        Interlocked.Increment(ref attempts);
        answers.AddOrUpdate(answer, 1, (_, n) => n + 1);
    }

    internal void RecordAccepted(string inviteeUuid)
    {
        accepted.TryAdd(inviteeUuid, DateTimeOffset.UtcNow);
        lock (answers)
        {
            LastAcceptedAt = DateTimeOffset.UtcNow;
        }
    }
}

/// <summary>
/// Sends signed Calendly webhooks the way Calendly does: several at once, each signed at the moment it is sent, and
/// every answer that is not 2xx (or no answer at all) sent again after a short backoff, until a 2xx or the give-up
/// deadline. Bookings are released at a steady rate, so a fault lands in the middle of a run.
/// </summary>
internal sealed class CalendlySender(Uri webhookUrl, string signingKey) : IDisposable
{
    private readonly HttpClient client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    public async Task<SendReport> SendAsync(IReadOnlyList<Booking> bookings, int concurrency, double perSecond, TimeSpan giveUpAfter, Action<SendReport>? afterEachAccepted = null)
    {
        var report = new SendReport { Sent = bookings.Count };
        var started = DateTimeOffset.UtcNow;
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < bookings.Count)
            {
                var releaseAt = started + TimeSpan.FromSeconds(index / perSecond);
                var wait = releaseAt - DateTimeOffset.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                if (await DeliverAsync(bookings[index], report, DateTimeOffset.UtcNow + giveUpAfter))
                {
                    afterEachAccepted?.Invoke(report);
                }
            }
        });
        await Task.WhenAll(workers);
        return report;
    }

    /// <summary>Sends once, signed with <paramref name="key"/> at <paramref name="signedAt"/>; returns the status code (0: no answer).</summary>
    public async Task<int> SendOnceAsync(Booking booking, string key, DateTimeOffset signedAt)
    {
        try
        {
            using var request = Request(booking, key, signedAt);
            using var response = await client.SendAsync(request);
            return (int)response.StatusCode;
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    private async Task<bool> DeliverAsync(Booking booking, SendReport report, DateTimeOffset giveUpAt)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            string answer;
            try
            {
                using var request = Request(booking, signingKey, DateTimeOffset.UtcNow);
                using var response = await client.SendAsync(request);
                answer = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                if (response.IsSuccessStatusCode)
                {
                    report.Record(answer);
                    report.RecordAccepted(booking.InviteeUuid);
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                answer = "connection";
            }
            catch (TaskCanceledException)
            {
                answer = "timeout";
            }

            report.Record(answer);
            if (DateTimeOffset.UtcNow >= giveUpAt)
            {
                return false;
            }

            await Task.Delay(backoff);
            backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 1000));
        }
    }

    private HttpRequestMessage Request(Booking booking, string key, DateTimeOffset signedAt)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, webhookUrl) { Content = new ByteArrayContent(booking.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Calendly-Webhook-Signature", WebhookSignature.Sign(booking.Body, key, signedAt.ToUnixTimeSeconds()));
        return request;
    }

    public void Dispose() => client.Dispose();
}
