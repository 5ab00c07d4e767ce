using System.Reflection;
using System.Text.Json.Nodes;
using Able.Attribution.Receipts;

namespace Able.Tests.Receipts;

/// <summary>
/// A receipt is stored as JSON and shown as stored by the admin API: every value reads back as written, absent
/// values are left out rather than written as null, and the status words are the ones operators filter on.
/// (<c>StoredJsonFormatTests</c> pins the field names.)
/// </summary>
public sealed class MatchReceiptTests
{
    private static MatchReceipt Full() => new()
    {
        Id = "rid-1", Mark = "acme", Source = "calendly", SourceEvent = "invitee.created", EntryId = "1700000000000-0",
        Status = ReceiptStatus.Retrying, Reason = "tiktok_5xx", TikTokEvent = "Schedule", EventId = "calendly:inv-1",
        EventTime = 1_773_926_400, VisitorId = "T96QytDToKDf7VeDgsojtg", JoinPath = "carrier:salesforce_uuid", NoJoinReason = null,
        KeysAvailable = ["ttclid", "email", "ip"], KeysSent = ["ttclid", "email"], ClickAgeSeconds = 3600,
        Payload = new JsonObject { ["event"] = "Schedule", ["user"] = new JsonObject { ["ttclid"] = "E.C.P.x" } },
        Attempts = 2, TikTokCode = 40002, TikTokMessage = "Invalid", TikTokRequestId = "202603041503000000", UpdatedAt = 1_773_926_401_234,
    };

    [Fact]
    public void Every_value_reads_back_as_written()
    {
        var written = Full();
        var read = MatchReceipt.FromJson(written.ToJson());

        Assert.NotNull(read);
        Assert.Equal(written.Id, read.Id);
        Assert.Equal(written.Mark, read.Mark);
        Assert.Equal(written.Source, read.Source);
        Assert.Equal(written.SourceEvent, read.SourceEvent);
        Assert.Equal(written.EntryId, read.EntryId);
        Assert.Equal(written.Status, read.Status);
        Assert.Equal(written.Reason, read.Reason);
        Assert.Equal(written.TikTokEvent, read.TikTokEvent);
        Assert.Equal(written.EventId, read.EventId);
        Assert.Equal(written.EventTime, read.EventTime);
        Assert.Equal(written.VisitorId, read.VisitorId);
        Assert.Equal(written.JoinPath, read.JoinPath);
        Assert.Null(read.NoJoinReason);
        Assert.Equal(written.KeysAvailable, read.KeysAvailable);
        Assert.Equal(written.KeysSent, read.KeysSent);
        Assert.Equal(written.ClickAgeSeconds, read.ClickAgeSeconds);
        Assert.True(JsonNode.DeepEquals(written.Payload, read.Payload), read.Payload?.ToJsonString());
        Assert.Equal(written.Attempts, read.Attempts);
        Assert.Equal(written.TikTokCode, read.TikTokCode);
        Assert.Equal(written.TikTokMessage, read.TikTokMessage);
        Assert.Equal(written.TikTokRequestId, read.TikTokRequestId);
        Assert.Equal(written.UpdatedAt, read.UpdatedAt);
        Assert.Equal(written.ToJson(), read.ToJson());
    }

    [Fact]
    public void Absent_values_are_left_out_and_read_back_as_absent()
    {
        var minimal = new MatchReceipt { Id = "rid-2", Mark = "acme", Source = "stripe", SourceEvent = "charge.refunded", Status = ReceiptStatus.Recorded };

        var json = JsonNode.Parse(minimal.ToJson())!.AsObject();

        Assert.Equal(
            "attempts funnel id keys_available keys_sent source source_type status updated_at",
            string.Join(' ', json.Select(p => p.Key).Order(StringComparer.Ordinal)));
        Assert.Empty(json["keys_available"]!.AsArray());
        var read = MatchReceipt.FromJson(minimal.ToJson())!;
        Assert.Null(read.VisitorId);
        Assert.Null(read.Payload);
        Assert.Null(read.TikTokCode);
        Assert.Empty(read.KeysSent);
    }

    [Fact]
    public void A_receipt_written_by_hand_in_the_stored_layout_reads()
    {
        const string stored = """
            {"id":"r","funnel":"acme","source":"calendly","source_type":"invitee.created","status":"sent","event":"Schedule",
             "join_path":"email","keys_sent":["email"],"tik_tok_code":0,"attempts":1,"updated_at":5}
            """;

        var read = MatchReceipt.FromJson(stored)!;

        Assert.Equal(("acme", "invitee.created", "Schedule", "email"), (read.Mark, read.SourceEvent, read.TikTokEvent, read.JoinPath));
        Assert.Equal(new[] { "email" }, read.KeysSent);
        Assert.Equal(0L, read.TikTokCode);
        Assert.Equal(ReceiptStatus.Sent, read.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Nothing_stored_is_no_receipt(string? stored) => Assert.Null(MatchReceipt.FromJson(stored));

    /// <summary>The words receipts, metrics and the README use; renaming one would orphan stored receipts.</summary>
    [Fact]
    public void The_status_words_are_fixed()
    {
        var statuses = typeof(ReceiptStatus).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral)
            .ToDictionary(field => field.Name, field => (string)field.GetRawConstantValue()!, StringComparer.Ordinal);

        Assert.Equal(
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [nameof(ReceiptStatus.Queued)] = "queued",
                [nameof(ReceiptStatus.WaitingForJoin)] = "waiting_for_join",
                [nameof(ReceiptStatus.Sent)] = "sent",
                [nameof(ReceiptStatus.DryRun)] = "dry_run",
                [nameof(ReceiptStatus.Retrying)] = "retrying",
                [nameof(ReceiptStatus.DeadLettered)] = "dead_lettered",
                [nameof(ReceiptStatus.Recorded)] = "recorded",
                [nameof(ReceiptStatus.TooOld)] = "too_old",
                [nameof(ReceiptStatus.Ignored)] = "ignored",
                [nameof(ReceiptStatus.Malformed)] = "malformed",
            },
            statuses);
    }
}
