using Able.Attribution.Conversions;
using Able.Attribution.Delivery;
using Able.Attribution.Ingest;
using Able.Attribution.Receipts;

namespace Able.Tests.Delivery;

/// <summary>
/// The delivery job's id is the dedup ledger key (README, "Guarantees": pixel + event + event_id), and a stored job
/// is read back as it was written or refused with the problem.
/// </summary>
public sealed class DeliveryJobTests
{
    private static Conversion Sent(string mark, string tikTokEvent, string eventId) => new()
    {
        Mark = mark,
        Source = IngestEntry.Sources.Calendly,
        SourceEvent = "invitee.created",
        Decision = ConversionDecision.Send,
        ReceiptId = eventId,
        TikTokEvent = tikTokEvent,
        EventId = eventId,
    };

    [Fact]
    public void The_id_is_the_pixel_the_event_and_the_event_id()
    {
        var id = DeliveryJob.IdFor("CPIXEL123", Sent("acme", "Schedule", "schedule:c3e9d0f2"));

        Assert.Equal("CPIXEL123:Schedule:schedule:c3e9d0f2", id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_funnel_without_a_pixel_stands_in_for_it(string? pixelId)
    {
        var id = DeliveryJob.IdFor(pixelId, Sent("acme", "Purchase", "purchase:stripe:pi_1"));

        Assert.Equal("funnel-acme:Purchase:purchase:stripe:pi_1", id);
    }

    [Fact]
    public void A_redelivered_conversion_has_the_same_id()
    {
        var first = DeliveryJob.IdFor("CPIXEL123", Sent("acme", "Schedule", "schedule:c3e9d0f2"));
        var again = DeliveryJob.IdFor("CPIXEL123", Sent("acme", "Schedule", "schedule:c3e9d0f2") with { ReceiptId = "other", Value = 5m });

        Assert.Equal(first, again);
    }

    /// <summary>TikTok deduplicates per pixel: two funnels that send to one pixel share its ledger.</summary>
    [Fact]
    public void Funnels_sharing_a_pixel_share_its_ids()
    {
        var acme = DeliveryJob.IdFor("CPIXEL123", Sent("acme", "Schedule", "schedule:c3e9d0f2"));
        var beta = DeliveryJob.IdFor("CPIXEL123", Sent("beta", "Schedule", "schedule:c3e9d0f2"));

        Assert.Equal(acme, beta);
    }

    [Fact]
    public void Distinct_conversions_never_share_an_id()
    {
        string?[] pixels = ["CPIXEL123", "CPIXEL456", null];
        string[] marks = ["acme", "beta"];
        string[] events = ["Schedule", "Purchase", "Lead"];
        string[] eventIds = ["schedule:c3e9d0f2", "schedule:d4d4d4d4", "purchase:c3e9d0f2", "purchase:stripe:pi_1", "lead-7"];

        var ids = (
            from pixel in pixels
            from mark in marks
            from tikTokEvent in events
            from eventId in eventIds
            select (Key: (pixel ?? $"funnel:{mark}", tikTokEvent, eventId), Id: DeliveryJob.IdFor(pixel, Sent(mark, tikTokEvent, eventId))))
            .Distinct()
            .ToArray();

        // Two pixels (shared by both funnels) and two pixel-less funnels, each with 3 events x 5 event ids.
        Assert.Equal(60, ids.Select(i => i.Key).Distinct().Count());
        Assert.Equal(60, ids.Select(i => i.Id).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void A_null_conversion_is_refused() =>
        Assert.Throws<ArgumentNullException>(() => DeliveryJob.IdFor("CPIXEL123", null!));

    private static DeliveryJob Job()
    {
        var conversion = Sent("acme", "Schedule", "schedule:c3e9d0f2") with { Value = 50m, Currency = "EUR", EmailHashes = ["86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d"] };
        return new DeliveryJob
        {
            Id = DeliveryJob.IdFor("CPIXEL123", conversion),
            Conversion = conversion,
            Receipt = new MatchReceipt { Id = "schedule:c3e9d0f2", Mark = "acme", Source = "calendly", SourceEvent = "invitee.created", Status = ReceiptStatus.Retrying, Attempts = 2 },
            Attempts = 2,
            FirstAttemptAt = 1_773_321_600_000,
        };
    }

    [Fact]
    public void A_stored_job_is_read_back_as_it_was_written()
    {
        var job = Job();

        Assert.True(DeliveryJob.TryFromJson(job.ToJson(), out var read, out var problem));

        Assert.Null(problem);
        Assert.NotNull(read);
        Assert.Equal(job.Id, read.Id);
        Assert.Equal(2, read.Attempts);
        Assert.Equal(1_773_321_600_000, read.FirstAttemptAt);
        Assert.Equal(job.Conversion.EventId, read.Conversion.EventId);
        Assert.Equal(50m, read.Conversion.Value);
        Assert.Equal(job.Conversion.EmailHashes, read.Conversion.EmailHashes);
        Assert.Equal(ReceiptStatus.Retrying, read.Receipt.Status);
        Assert.Equal(job.Id, DeliveryJob.IdFor("CPIXEL123", read.Conversion));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void No_stored_text_is_no_job_and_no_problem(string? stored)
    {
        Assert.True(DeliveryJob.TryFromJson(stored, out var job, out var problem));

        Assert.Null(job);
        Assert.Null(problem);
    }

    public static TheoryData<string, string> NotJobs()
    {
        var stored = Job().ToJson();
        var withoutConversion = System.Text.Json.Nodes.JsonNode.Parse(stored)!.AsObject();
        withoutConversion["conversion"] = null;
        var withoutReceipt = System.Text.Json.Nodes.JsonNode.Parse(stored)!.AsObject();
        withoutReceipt["receipt"] = null;
        return new()
        {
            { "JSON null", "null" },
            { "a job without its conversion", withoutConversion.ToJsonString() },
            { "a job without its receipt", withoutReceipt.ToJsonString() },
        };
    }

    [Theory]
    [MemberData(nameof(NotJobs))]
    public void Json_that_is_not_a_whole_job_is_refused(string because, string stored)
    {
        Assert.False(DeliveryJob.TryFromJson(stored, out var job, out var problem), because);

        Assert.Null(job);
        Assert.Equal("not a delivery job object", problem);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"id\": 5}")]
    [InlineData("{}")]
    [InlineData("[1, 2]")]
    [InlineData("\ud800")]
    public void Text_that_cannot_be_read_as_a_job_is_refused_with_the_readers_message(string stored)
    {
        Assert.False(DeliveryJob.TryFromJson(stored, out var job, out var problem));

        Assert.Null(job);
        Assert.False(string.IsNullOrWhiteSpace(problem));
        Assert.NotEqual("not a delivery job object", problem);
    }
}
