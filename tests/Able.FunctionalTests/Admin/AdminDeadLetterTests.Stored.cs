using System.Net;
using System.Text.Json.Nodes;
using Able.Attribution.Delivery;
using Able.Attribution.Ingest;
using Able.Schema.Redis;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Able.FunctionalTests.Admin;

/// <summary>
/// Dead letters the worker writes without TikTok's word, as the admin API shows them: a poison ingest entry with its
/// error's type and message, the message masked (no email address, no phone number), on one line and at most 500
/// characters, or without an error when its deliveries ended without an outcome; and the dead letters that cannot be
/// sent again (an unreadable job, a job that is not one, an ingest letter without its entry), each refused with why and
/// kept.
/// </summary>
public sealed partial class AdminDeadLetterTests
{
    private static readonly DateTimeOffset GivenUpAt = DateTimeOffset.FromUnixTimeMilliseconds(1_772_636_580_123);

    [Fact]
    public async Task A_poison_entry_shows_its_error_masked_on_one_line_of_at_most_500_characters_or_no_error_when_it_had_no_outcome()
    {
        await using var admin = await AdminService.StartAsync();
        var deadLetters = admin.Service.Services.GetRequiredService<DeadLetters>();
        // A library quoting what it was given: an email address and a phone number, over three lines, too long to keep.
        var error = new InvalidOperationException("no visitor for Jane.Doe@Example.com,\r\ncall +49 151 12345678\tback " + new string('x', 600));
        await deadLetters.AddPoisonAsync(Entry("1772636400000-0"), "acme", 4, error, GivenUpAt);
        await deadLetters.AddPoisonAsync(Entry("1772636400000-1"), "acme", 2, null, GivenUpAt);

        var items = (await admin.GetJsonAsync("/admin/api/deadletters?funnel=acme"))["items"]!.AsArray();
        Assert.Equal(2, items.Count);
        var failed = items[0]!;
        Assert.Equal("ingest", (string?)failed["kind"]);
        Assert.Equal("acme", (string?)failed["funnel"]);
        Assert.Null(failed["delivery_id"]);
        Assert.Equal("1772636400000-0", (string?)failed["entry_id"]);
        Assert.Equal(4, (long?)failed["deliveries"]);
        Assert.Equal("System.InvalidOperationException", (string?)failed["error_type"]);
        Assert.Equal("ingest entry failed at delivery 4: System.InvalidOperationException", (string?)failed["reason"]);
        var expected = ("no visitor for [email], call [number] back " + new string('x', 600))[..DeadLetters.MaxErrorMessageLength];
        Assert.Equal(expected, (string?)failed["error_message"]);
        Assert.Equal([IngestEntry.Source, IngestEntry.Mark, IngestEntry.SourceEvent, IngestEntry.ReceivedAt, IngestEntry.Facts],
            failed["entry_fields"]!.AsArray().Select(f => (string?)f));

        var noOutcome = items[1]!;
        Assert.Equal("ingest entry delivered 2 times without an outcome", (string?)noOutcome["reason"]);
        Assert.Null(noOutcome["error_type"]);
        Assert.Null(noOutcome["error_message"]);
        Assert.Equal(2, (long?)noOutcome["deliveries"]);

        // Stored as written: when each was given up, and nothing of the raw message.
        Assert.All(await deadLetters.ReadAsync(), l => Assert.Equal(GivenUpAt.ToUnixTimeMilliseconds(), l.At));
        var stream = await RedisDump.TextAsync((await RedisTestServer.GetAsync()).Multiplexer.GetDatabase(), new RedisKeys(admin.Config.KeyPrefix).DeadLetterStream);
        Assert.DoesNotContain("Example.com", stream, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("12345678", stream, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dead_letters_that_cannot_be_sent_again_are_refused_with_why_and_kept()
    {
        await using var admin = await AdminService.StartAsync();
        var deadLetters = admin.Service.Services.GetRequiredService<DeadLetters>();
        var db = (await RedisTestServer.GetAsync()).Multiplexer.GetDatabase();
        var stream = new RedisKeys(admin.Config.KeyPrefix).DeadLetterStream;
        await deadLetters.AddUnreadableJobAsync("CTESTPIXEL0000000000:Schedule:schedule:damaged", "not json at all {", "it is not JSON", GivenUpAt);
        var unreadable = (await db.StreamRangeAsync(stream)).Single().Id.ToString();
        var notAJob = (await db.StreamAddAsync(stream,
        [
            new NameValueEntry("kind", DeadLetters.DeliveryKind), new NameValueEntry("delivery_id", "CTESTPIXEL0000000000:Schedule:schedule:other"),
            new NameValueEntry("funnel", "acme"), new NameValueEntry("reason", "invalid"), new NameValueEntry(DeadLetters.JobField, "null"),
        ])).ToString();
        var noEntry = (await db.StreamAddAsync(stream,
        [
            new NameValueEntry("kind", DeadLetters.IngestKind), new NameValueEntry("entry_id", "1772636400000-0"),
            new NameValueEntry("funnel", "acme"), new NameValueEntry("reason", "ingest entry failed at delivery 5: System.InvalidOperationException"),
        ])).ToString();

        // The unreadable job, as stored: no funnel (it could not be read), the stored text as the payload, and its problem.
        var shown = await admin.GetJsonAsync($"/admin/api/deadletters/{unreadable}");
        Assert.Equal("", (string?)shown["funnel"]);
        Assert.Equal("delivery", (string?)shown["kind"]);
        Assert.Equal("the stored job cannot be read: it is not JSON", (string?)shown["reason"]);
        Assert.Equal("not json at all {", (string?)shown["payload"]);
        var stored = Assert.Single(await deadLetters.ReadAsync(), l => l.Id == unreadable);
        Assert.Equal("", stored.Mark);
        Assert.Equal(GivenUpAt.ToUnixTimeMilliseconds(), stored.At);

        var refusals = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [unreadable] = "the stored job cannot be read: it is not JSON",
            [notAJob] = "the delivery job cannot be read: not a delivery job object",
            [noEntry] = "the dead letter holds no ingest entry fields",
        };
        foreach (var (id, why) in refusals)
        {
            using var response = await admin.SendAsync(HttpMethod.Post, $"/admin/api/deadletters/{id}/replay");
            var (status, problem) = await AdminService.ProblemAsync(response);
            Assert.Equal(HttpStatusCode.Conflict, status);
            Assert.Equal($"dead letter {id} cannot be sent again: {why}", (string?)problem["detail"]);
        }

        var all = await admin.JsonAsync(HttpMethod.Post, "/admin/api/deadletters/replay");
        Assert.Equal(0, (int)all["queued"]!);
        Assert.Equal(3, (int)all["not_replayable"]!);
        Assert.Equal(refusals.Values, all["outcomes"]!.AsArray().Select(o => (string?)o!["detail"]));
        Assert.Equal(refusals.Keys, (await admin.GetJsonAsync("/admin/api/deadletters"))["items"]!.AsArray().Select(l => (string?)l!["id"]));
        Assert.Equal(0, await db.StreamLengthAsync(new RedisKeys(admin.Config.KeyPrefix).IngestStream));
    }

    [Fact]
    public async Task Any_stream_id_up_to_the_longest_is_looked_up_and_anything_longer_is_a_bad_id()
    {
        await using var admin = await AdminService.StartAsync();
        const string longest = "18446744073709551614-18446744073709551615";
        using var missing = await admin.GetAsync($"/admin/api/deadletters/{longest}");
        Assert.Equal(HttpStatusCode.NotFound, (await AdminService.ProblemAsync(missing)).Status);
        using var tooLong = await admin.GetAsync($"/admin/api/deadletters/{longest}0");
        Assert.Equal(HttpStatusCode.BadRequest, (await AdminService.ProblemAsync(tooLong)).Status);
        var page = await admin.GetJsonAsync($"/admin/api/deadletters?cursor={longest}");
        Assert.Empty(page["items"]!.AsArray());
        Assert.Null(page["next_cursor"]);

        // The largest id there is: nothing can follow it (Redis refuses to read after it). Past 64 bits: not an id.
        var last = await admin.GetJsonAsync("/admin/api/deadletters?cursor=18446744073709551615-18446744073709551615&funnel=acme");
        Assert.Empty(last["items"]!.AsArray());
        Assert.Null(last["next_cursor"]);
        foreach (var beyond in new[] { "18446744073709551616-0", "99999999999999999999-0", "0-18446744073709551616" })
        {
            using var lookedUp = await admin.GetAsync($"/admin/api/deadletters/{beyond}");
            Assert.Equal(HttpStatusCode.BadRequest, (await AdminService.ProblemAsync(lookedUp)).Status);
            using var listed = await admin.GetAsync($"/admin/api/deadletters?cursor={beyond}");
            Assert.Equal(HttpStatusCode.BadRequest, (await AdminService.ProblemAsync(listed)).Status);
            using var replayed = await admin.SendAsync(HttpMethod.Post, $"/admin/api/deadletters/{beyond}/replay");
            Assert.Equal(HttpStatusCode.BadRequest, (await AdminService.ProblemAsync(replayed)).Status);
        }
    }

    /// <summary>An ingest entry as the ingress writes one.</summary>
    private static StreamEntry Entry(string id) => new(id,
    [
        new NameValueEntry(IngestEntry.Source, "calendly"), new NameValueEntry(IngestEntry.Mark, "acme"),
        new NameValueEntry(IngestEntry.SourceEvent, "invitee.created"), new NameValueEntry(IngestEntry.ReceivedAt, 1_772_636_400_000),
        new NameValueEntry(IngestEntry.Facts, """{"source":"calendly"}"""),
    ]);
}
