using Able.Attribution.Delivery;
using Able.Hosting.Configuration;
using Able.Schema.Configuration;

namespace Able.Tests.Delivery;

/// <summary>
/// The delivery schedule's timing, checked against what it must guarantee: retries spread within ±50 % of a
/// doubling delay that stops at RetryMax, nothing retried past the deadline, and a lease that outlasts a TikTok
/// request yet lets a dead replica's jobs fall due again within ClaimIdleSeconds.
/// </summary>
public sealed class DeliveryTimingTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 20, 12, 0, 0, TimeSpan.Zero);

    private static readonly WorkerOptions Worker = new() { RetryBaseMilliseconds = 1000, RetryMaxMilliseconds = 5000, RetryDeadlineMinutes = 60 };

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(2, 2000)]
    [InlineData(3, 4000)]
    public void Without_jitter_the_delay_starts_at_the_base_and_doubles_per_attempt(int attempt, double milliseconds) =>
        Assert.Equal(milliseconds, DeliveryTiming.Backoff(Worker, attempt, unit: 0.5).TotalMilliseconds, precision: 6);

    [Theory]
    [InlineData(4)]
    [InlineData(31)]
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    public void Without_jitter_the_delay_stops_at_the_maximum(int attempt) =>
        Assert.Equal(5000, DeliveryTiming.Backoff(Worker, attempt, unit: 0.5).TotalMilliseconds, precision: 6);

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(3, 4000)]
    [InlineData(40, 5000)]
    public void Jitter_stays_within_half_the_delay_either_way(int attempt, double delay)
    {
        Assert.Equal(delay * 0.5, DeliveryTiming.Backoff(Worker, attempt, unit: 0).TotalMilliseconds, precision: 6);
        Assert.InRange(DeliveryTiming.Backoff(Worker, attempt, unit: Math.BitDecrement(1.0)).TotalMilliseconds, delay * 1.49, delay * 1.5);
    }

    [Fact]
    public void Random_jitter_stays_in_bounds_and_spreads_both_ways()
    {
        var drawn = Enumerable.Range(0, 400).Select(_ => (DeliveryTiming.RetryAt(Worker, 2, Now, Now)!.Value - Now).TotalMilliseconds).ToList();
        Assert.All(drawn, ms => Assert.True(ms is >= 1000 and <= 3000, $"{ms} ms is outside 2000 ms ± 50 %"));
        // 400 fair draws all on one side of the middle would be a broken jitter, not bad luck (2^-399).
        Assert.Contains(drawn, ms => ms < 2000);
        Assert.Contains(drawn, ms => ms > 2000);
    }

    [Fact]
    public void A_retry_inside_the_deadline_is_due_after_its_jittered_delay()
    {
        for (var i = 0; i < 100; i++)
        {
            var due = DeliveryTiming.RetryAt(Worker, 1, firstAttempt: Now, Now);
            Assert.NotNull(due);
            Assert.InRange(due.Value, Now.AddMilliseconds(500), Now.AddMilliseconds(1500));
        }
    }

    [Fact]
    public void A_retry_that_would_fall_after_the_deadline_is_given_up()
    {
        // The deadline is 60 min after the first attempt; even the shortest draw (500 ms) lands 100 ms past it.
        var firstAttempt = Now - TimeSpan.FromMinutes(60) + TimeSpan.FromMilliseconds(400);
        Assert.Null(DeliveryTiming.RetryAt(Worker, 1, firstAttempt, Now, unit: 0));
        Assert.Null(DeliveryTiming.RetryAt(Worker, 1, firstAttempt, Now));
    }

    [Fact]
    public void A_retry_due_exactly_at_the_deadline_is_still_made()
    {
        var firstAttempt = Now - TimeSpan.FromMinutes(60) + TimeSpan.FromSeconds(1);
        Assert.Equal(Now.AddSeconds(1), DeliveryTiming.RetryAt(Worker, 1, firstAttempt, Now, unit: 0.5));
        Assert.Null(DeliveryTiming.RetryAt(Worker, 1, firstAttempt, Now, unit: 0.501));
    }

    [Theory]
    [InlineData(60, 10_000)]
    [InlineData(11, 10_000)]
    [InlineData(2, 1_000)]
    [InlineData(121, 120_000)]
    public void A_lease_outlasts_a_TikTok_request_and_ends_within_the_claim_idle_time(int claimIdleSeconds, int requestTimeoutMilliseconds)
    {
        var worker = new WorkerOptions { ClaimIdleSeconds = claimIdleSeconds, RequestTimeoutMilliseconds = requestTimeoutMilliseconds };
        Assert.True(new AbleOptionsValidator(Configuration.ServiceSections.Attribution).Validate(null, WithWorker(worker)).Succeeded);

        var leaseEnd = DeliveryTiming.LeaseEnd(worker, Now);

        // Longer than a request: a job being sent never falls due for another replica meanwhile.
        Assert.True(leaseEnd - Now > TimeSpan.FromMilliseconds(requestTimeoutMilliseconds));
        // No longer than ClaimIdleSeconds: a replica that dies holding the job lets it fall due again by then.
        Assert.True(leaseEnd - Now <= TimeSpan.FromSeconds(claimIdleSeconds));
        Assert.Equal(leaseEnd - Now, DeliveryTiming.Lease(worker));
    }

    private static AbleOptions WithWorker(WorkerOptions worker) => new()
    {
        Funnels = [new FunnelOptions { Mark = "acme", Hosts = ["book.example.com"], Origin = "https://origin.example.com" }],
        Worker = worker,
    };
}
