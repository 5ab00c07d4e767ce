using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Able.Attribution.Receipts;
using Able.FunctionalTests.Worker;
using Able.Schema.Identity;
using StackExchange.Redis;

namespace Able.FunctionalTests.Admin;

/// <summary>A person through the admin API: their journey by email or phone, and their erasure.</summary>
public sealed class AdminPeopleTests
{
    [Fact]
    public async Task A_journey_by_an_email_written_with_other_case_and_spaces_finds_the_visitor_their_touches_and_conversions()
    {
        await using var pipeline = await AdminPipeline.StartAsync();
        var (jane, reader) = await pipeline.SeedAsync();

        var journey = await pipeline.Admin.JsonAsync(HttpMethod.Post, "/admin/api/journey", """{"email":"  JANE.doe@EXAMPLE.com  "}""");

        Assert.Equal("email", (string?)journey["contact"]!["kind"]);
        Assert.Equal(WorkerDeliveryTests.JaneEmail, (string?)journey["contact"]!["sha256"]);
        var visitor = Assert.Single(journey["visitors"]!.AsArray())!;
        Assert.Equal(jane, (string?)visitor["visitor_id"]);
        var touch = Assert.Single(visitor["touches"]!.AsArray())!;
        Assert.Equal("E.C.P.admin", (string?)touch["ttclid"]);
        var credited = visitor["conversions"]!.AsArray().Select(c => (string?)c!["id"]).ToList();
        Assert.Contains(AdminPipeline.JaneBookingId, credited);
        Assert.Contains(AdminPipeline.JanePurchaseId, credited);
        var text = journey.ToJsonString();
        Assert.DoesNotContain(reader, text, StringComparison.Ordinal);
        Assert.DoesNotContain(AdminPipeline.WalkInBookingId, text, StringComparison.Ordinal);
        Assert.DoesNotContain("jane.doe", text, StringComparison.OrdinalIgnoreCase);

        // Her phone, written as a German caller would (the funnel's region reads it), finds the same visitor.
        var byPhone = await pipeline.Admin.JsonAsync(HttpMethod.Post, "/admin/api/journey", """{"phone":"0151 123 456 78","funnel":"acme"}""");
        Assert.Equal(WorkerDeliveryTests.JanePhone, (string?)byPhone["contact"]!["sha256"]);
        Assert.Equal(jane, (string?)Assert.Single(byPhone["visitors"]!.AsArray())!["visitor_id"]);

        var nobody = await pipeline.Admin.JsonAsync(HttpMethod.Post, "/admin/api/journey", """{"email":"nobody@example.com"}""");
        Assert.Empty(nobody["visitors"]!.AsArray());
    }

    [Fact]
    public async Task After_erasure_no_key_holds_the_persons_hashes_or_visitor_id_and_their_next_purchase_is_a_new_unmatched_person()
    {
        await using var pipeline = await AdminPipeline.StartAsync();
        var (jane, reader) = await pipeline.SeedAsync();
        var forbidden = new[] { WorkerDeliveryTests.JaneEmail, WorkerDeliveryTests.JanePhone, jane, ContactHashing.HashExternalId(jane)! };
        Assert.NotEmpty(await WhereAsync(pipeline, forbidden));

        var report = await pipeline.Admin.JsonAsync(HttpMethod.Delete, "/admin/api/people", """{"email":" Jane.Doe@example.COM"}""");

        Assert.True((int)report["visitors"]! >= 1, report.ToJsonString());
        Assert.True((int)report["identity_links"]! >= 1, report.ToJsonString());
        Assert.True((int)report["receipts"]! >= 2, report.ToJsonString());
        var left = await WhereAsync(pipeline, forbidden);
        Assert.True(left.Count == 0, "left after erasure:\n" + string.Join('\n', left));
        // Only Jane: the newsletter reader and the walk-in's booking are still there.
        Assert.NotEmpty(await WhereAsync(pipeline, [reader]));
        Assert.NotNull(await pipeline.Receipts.GetAsync("acme", AdminPipeline.WalkInBookingId));

        // Erasing her again finds nothing.
        var again = await pipeline.Admin.JsonAsync(HttpMethod.Delete, "/admin/api/people", """{"email":"jane.doe@example.com"}""");
        Assert.Equal(0, (int)again["visitors"]!);
        Assert.Equal(0, (int)again["receipts"]!);

        // She pays again: nothing links her email to a visitor any more.
        await pipeline.PayAsJaneAsync("pi_after_erasure");
        await pipeline.WaitForAsync(ReceiptStatus.Sent, "purchase:stripe:pi_after_erasure");
        var after = (await pipeline.Receipts.GetAsync("acme", "purchase:stripe:pi_after_erasure"))!;
        Assert.Null(after.JoinPath);
        Assert.Null(after.VisitorId);
    }

    /// <summary>Where (key names and whole values of every key under the test's prefix, whatever the type) any of <paramref name="values"/> occurs.</summary>
    private static async Task<List<string>> WhereAsync(AdminPipeline pipeline, IReadOnlyList<string> values)
    {
        var db = pipeline.Redis.Multiplexer.GetDatabase();
        var found = new List<string>();
        foreach (var key in await pipeline.Redis.KeysAsync(pipeline.Keys.Prefix))
        {
            var text = await RedisDump.TextAsync(db, key);
            found.AddRange(values.Where(v => text.Contains(v, StringComparison.OrdinalIgnoreCase)).Select(v => $"{v} in {key}"));
        }

        return found;
    }
}
