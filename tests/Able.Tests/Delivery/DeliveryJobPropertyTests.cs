using System.Text;
using Able.Attribution.Conversions;
using Able.Attribution.Delivery;
using Able.Attribution.Receipts;
using CsCheck;

namespace Able.Tests.Delivery;

/// <summary>A stored job is read or refused with a problem, never thrown on, whatever text the key holds.</summary>
public sealed class DeliveryJobPropertyTests
{
    [Fact]
    public void Any_text_is_read_as_a_job_or_refused_with_a_problem() =>
        AdversarialInput.Text.Sample(text =>
        {
            if (DeliveryJob.TryFromJson(text, out var job, out var problem))
            {
                Assert.Null(problem);
                Assert.True(job is null == string.IsNullOrEmpty(text));
            }
            else
            {
                Assert.Null(job);
                Assert.False(string.IsNullOrEmpty(problem));
            }
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void The_sample_is_a_readable_job()
    {
        Assert.True(DeliveryJob.TryFromJson(StoredJob, out var job, out var problem), problem);
        Assert.Equal("acme", job!.Conversion.Mark);
    }

    [Fact]
    public void A_mutated_stored_job_is_read_or_refused_without_throwing() =>
        Gen.Int.Sample(seed =>
        {
            var mutated = Encoding.UTF8.GetString(AdversarialInput.Mutate(StoredJob, new Random(seed)));
            _ = DeliveryJob.TryFromJson(mutated, out _, out _);
        }, iter: AdversarialInput.Iterations);

    private static readonly string StoredJob = new DeliveryJob
    {
        Id = "CPIXEL:Schedule:schedule:1",
        Conversion = new Conversion
        {
            Mark = "acme",
            Source = "calendly",
            SourceEvent = "invitee.created",
            Decision = ConversionDecision.Send,
            ReceiptId = "schedule:1",
            TikTokEvent = "Schedule",
            EventId = "schedule:1",
            EmailHashes = ["b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514"],
        },
        Receipt = new MatchReceipt { Id = "schedule:1", Mark = "acme", Source = "calendly", SourceEvent = "invitee.created", Status = ReceiptStatus.Queued },
        Attempts = 2,
    }.ToJson();
}
