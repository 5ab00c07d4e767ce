using Able.Schema.Visitors;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Able.FaultTests;

/// <summary>
/// Each scenario sends <see cref="FaultRun.Bookings"/> signed Calendly bookings to the real attribution service (a
/// child process) like Calendly does, injects one fault in the middle of the run and checks that every accepted
/// booking reached TikTok exactly once by event_id, and that the service never exited on its own. The scenarios
/// run one after another (xunit.runner.json): each starts its own Redis and service, and they share two cores.
/// </summary>
public sealed class FaultScenarioTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RedisDownFor = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RedisFrozenFor = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan TikTokFaultFor = TimeSpan.FromSeconds(5);

    private static int Bookings => FaultRun.Bookings;

    [Fact]
    public async Task Baseline_every_booking_is_delivered_once()
    {
        await using var run = await FaultRun.StartAsync("baseline");
        var report = await run.SendAsync(Booking.Many(Bookings, run.Scenario));

        Held(run, await run.AwaitDeliveryAsync(report));
    }

    [Fact]
    public async Task The_service_killed_twice_mid_run_loses_nothing_and_resends_at_most_the_batch_in_flight()
    {
        await using var run = await FaultRun.StartAsync("kill -9 service twice");
        var sending = run.SendAsync(Booking.Many(Bookings, run.Scenario));
        // The first kill lands wherever the service happens to be.
        await run.WhenAcceptedAsync(Bookings / 3);
        await run.Service.RestartAfterKillAsync();
        // The second lands in the crash window: TikTok accepted a request and the service has not seen the answer.
        await run.WhenAcceptedAsync(2 * Bookings / 3);
        var inFlight = await run.Recorder.HoldNextAnswerAsync().WaitAsync(FaultRun.Patience);
        await run.Service.RestartAfterKillAsync();
        run.Kills = 2;
        run.FaultEnded();
        run.Notes.Add($"second kill after TikTok accepted a request of {inFlight.Count} events");

        var outcome = await run.AwaitDeliveryAsync(await sending);
        Held(run, outcome, duplicatesAllowed: true);
        // The crash window: a kill after TikTok accepted a request and before the ledger said so re-sends that
        // request's events once (here: all of the held one), and nothing else; one request is in flight at a time,
        // so at most one per kill.
        Assert.InRange(outcome.BatchesWithDuplicates, 0, run.Kills);
        Assert.All(outcome.Duplicated.Values, extra => Assert.Equal(1, extra));
        Assert.All(inFlight, id => Assert.Equal(1, outcome.Duplicated.GetValueOrDefault(id)));
        Assert.Equal(3, run.Service.Starts);
    }

    [Fact]
    public async Task Redis_stopped_with_SIGTERM_and_started_again_from_its_AOF_loses_nothing()
    {
        await using var run = await FaultRun.StartAsync("Redis SIGTERM + restart (AOF)");
        var sending = run.SendAsync(Booking.Many(Bookings, run.Scenario));
        await run.WhenAcceptedAsync(Bookings / 3);
        await run.Redis.TerminateAsync();
        await Task.Delay(RedisDownFor);
        await run.Redis.StartAgainAsync();
        run.FaultEnded();

        Held(run, await run.AwaitDeliveryAsync(await sending));
    }

    [Fact]
    public async Task Redis_frozen_with_SIGSTOP_for_four_seconds_loses_nothing()
    {
        await using var run = await FaultRun.StartAsync("Redis SIGSTOP 4 s");
        var sending = run.SendAsync(Booking.Many(Bookings, run.Scenario));
        await run.WhenAcceptedAsync(Bookings / 3);
        run.Redis.Pause();
        try
        {
            await Task.Delay(RedisFrozenFor);
        }
        finally
        {
            run.Redis.Resume();
        }

        run.FaultEnded();

        Held(run, await run.AwaitDeliveryAsync(await sending));
    }

    [Fact]
    public async Task TikTok_answering_HTTP_503_for_a_while_delays_but_loses_nothing()
    {
        await using var run = await FaultRun.StartAsync("TikTok HTTP 503");
        await TikTokFaultAsync(run, new FakeReply(HttpStatus: 503, Code: null, Message: "service unavailable"));
    }

    [Fact]
    public async Task TikTok_rate_limiting_with_40100_for_a_while_delays_but_loses_nothing()
    {
        await using var run = await FaultRun.StartAsync("TikTok 40100 rate limit");
        await TikTokFaultAsync(run, FakeReply.TooManyRequests);
    }

    [Fact]
    public async Task A_duplicate_storm_is_delivered_once_per_booking()
    {
        await using var run = await FaultRun.StartAsync("duplicate storm (each booking 4×)");
        var bookings = Booking.Many(Bookings, run.Scenario);
        // Each booking arrives four times, the copies spread over the run as a retrying sender would spread them.
        const int copies = 4;
        var storm = Enumerable.Range(0, copies).SelectMany(copy => bookings.Skip(copy * 7).Concat(bookings.Take(copy * 7))).ToList();
        var report = await run.SendAsync(storm);

        Held(run, await run.AwaitDeliveryAsync(report));
        Assert.Equal(storm.Count, report.Sent);
        Assert.True(report.Answers["202"] >= storm.Count, report.Describe());
    }

    [Fact]
    public async Task Forged_and_replayed_webhooks_are_all_refused_and_none_is_delivered()
    {
        await using var run = await FaultRun.StartAsync("forged + replayed storm");
        var bookings = Booking.Many(Bookings, run.Scenario);
        var forged = Enumerable.Range(Bookings, Bookings).Select(i => Booking.Create(Booking.InviteeUuidFor(run.Scenario, i))).ToList();
        var replayedOld = Enumerable.Range(2 * Bookings, Bookings).Select(i => Booking.Create(Booking.InviteeUuidFor(run.Scenario, i))).ToList();
        var sending = run.SendAsync(bookings);
        var attacks = new List<Task<int>>();
        foreach (var (booking, index) in forged.Select((b, i) => (b, i)))
        {
            attacks.Add(run.Sender.SendOnceAsync(booking, "not-the-signing-key", DateTimeOffset.UtcNow));
            // A replay: a genuine signature captured an hour ago, of a new booking and of one being sent now.
            attacks.Add(run.Sender.SendOnceAsync(replayedOld[index], FaultRun.SigningKey, DateTimeOffset.UtcNow.AddHours(-1)));
            attacks.Add(run.Sender.SendOnceAsync(bookings[index], FaultRun.SigningKey, DateTimeOffset.UtcNow.AddHours(-1)));
            if (index % FaultRun.Senders == 0)
            {
                await Task.WhenAll(attacks.TakeLast(3 * FaultRun.Senders));
            }
        }

        var answers = await Task.WhenAll(attacks);
        run.FaultEnded();

        Assert.All(answers, status => Assert.Equal(401, status));
        run.Notes.Add($"{forged.Count} forged + {2 * replayedOld.Count} replayed: {answers.Count(a => a == 401)} answered 401");
        var refused = forged.Concat(replayedOld).Select(b => b.EventId).ToList();
        Held(run, await run.AwaitDeliveryAsync(await sending, notExpected: refused));
    }

    [Fact]
    public async Task A_poison_entry_is_dead_lettered_without_blocking_the_bookings_around_it()
    {
        await using var run = await FaultRun.StartAsync("poison entry");
        // A booking whose carried visitor key holds a string, not a hash: every attempt fails with WRONGTYPE.
        var brokenVisitor = VisitorId.New();
        await run.Db.StringSetAsync(run.Keys.Visitor(brokenVisitor), "not a visitor hash");
        var poison = Booking.Create(Booking.InviteeUuidFor(run.Scenario, 999_999), brokenVisitor);
        var sending = run.SendAsync(Booking.Many(Bookings, run.Scenario));
        await run.WhenAcceptedAsync(Bookings / 3);
        Assert.Equal(202, await run.Sender.SendOnceAsync(poison, FaultRun.SigningKey, DateTimeOffset.UtcNow));
        run.FaultEnded();

        var outcome = await run.AwaitDeliveryAsync(await sending, notExpected: [poison.EventId]);
        var deadLetter = Assert.Single(await run.Db.StreamRangeAsync(run.Keys.DeadLetterStream));
        Assert.Equal("ingest", deadLetter["kind"].ToString());
        run.Notes.Add("the poison entry dead-lettered");
        Held(run, outcome);
    }

    private async Task TikTokFaultAsync(FaultRun run, FakeReply fault)
    {
        var sending = run.SendAsync(Booking.Many(Bookings, run.Scenario));
        await run.WhenAcceptedAsync(Bookings / 3);
        run.Recorder.Fault = fault;
        await Task.Delay(TikTokFaultFor);
        run.Recorder.Fault = null;
        run.FaultEnded();
        run.Notes.Add($"TikTok refused {run.TikTok.Requests.Count(r => r.Reply == fault)} requests over {TikTokFaultFor.TotalSeconds:F0} s");

        Held(run, await run.AwaitDeliveryAsync(await sending));
        Assert.Contains(run.TikTok.Requests, r => r.Reply == fault);
    }

    private void Held(FaultRun run, FaultOutcome outcome, bool duplicatesAllowed = false)
    {
        output.WriteLine(outcome.Describe());
        run.AssertHeld(outcome, Bookings, duplicatesAllowed);
    }
}
