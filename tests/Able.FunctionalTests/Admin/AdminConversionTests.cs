using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Able.Attribution.Receipts;

namespace Able.FunctionalTests.Admin;

/// <summary>The conversions (receipts) of the seeded pipeline through the admin API: filters, pages, one receipt.</summary>
public sealed class AdminConversionTests
{
    private static readonly string[] All = [AdminPipeline.JanePurchaseId, AdminPipeline.WalkInBookingId, AdminPipeline.JaneBookingId];

    [Fact]
    public async Task Conversions_filter_by_event_match_status_and_time_and_page_with_a_cursor()
    {
        await using var pipeline = await AdminPipeline.StartAsync();
        var started = DateTimeOffset.UtcNow;
        await pipeline.SeedAsync();
        var admin = pipeline.Admin;

        var everything = await IdsAsync(admin, "");
        Same(All, everything);
        var items = (await admin.GetJsonAsync("/admin/api/conversions")).AsObject()["items"]!.AsArray();
        var updated = items.Select(i => (long)i!["updated_at"]!).ToList();
        Assert.Equal(updated.OrderDescending(), updated);
        Assert.All(items, i => Assert.Equal(ReceiptStatus.Sent, (string?)i!["status"]));

        Same([AdminPipeline.JaneBookingId, AdminPipeline.WalkInBookingId], await IdsAsync(admin, "?event=Schedule"));
        Assert.Equal([AdminPipeline.JanePurchaseId], await IdsAsync(admin, "?event=Purchase"));
        Same([AdminPipeline.JaneBookingId, AdminPipeline.JanePurchaseId], await IdsAsync(admin, "?matched=true"));
        Assert.Equal([AdminPipeline.WalkInBookingId], await IdsAsync(admin, "?matched=false"));
        Assert.Equal([AdminPipeline.JanePurchaseId], await IdsAsync(admin, "?funnel=acme&matched=true&event=Purchase&status=sent"));
        Assert.Equal(3, (await IdsAsync(admin, "?status=sent")).Count);
        Assert.Empty(await IdsAsync(admin, "?status=dead_lettered"));

        var before = started.AddMinutes(-1);
        var after = DateTimeOffset.UtcNow.AddMinutes(1);
        Assert.Equal(3, (await IdsAsync(admin, $"?from={Iso(before)}&to={Iso(after)}")).Count);
        Assert.Equal(3, (await IdsAsync(admin, $"?from={before.ToUnixTimeMilliseconds()}&to={after.ToUnixTimeMilliseconds()}")).Count);
        Assert.Empty(await IdsAsync(admin, $"?from={Iso(after)}"));
        Assert.Empty(await IdsAsync(admin, $"?to={before.ToUnixTimeMilliseconds()}"));

        // One at a time: the cursors walk the same list, each receipt once, and the last page has none.
        var paged = new List<string>();
        string? cursor = null;
        for (var page = 0; page < 5; page++)
        {
            var answer = (await admin.GetJsonAsync("/admin/api/conversions?limit=1" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)))).AsObject();
            var pageItems = answer["items"]!.AsArray();
            Assert.True(pageItems.Count <= 1);
            paged.AddRange(pageItems.Select(i => (string)i!["id"]!));
            cursor = (string?)answer["next_cursor"];
            if (cursor is null)
            {
                break;
            }
        }

        Assert.Null(cursor);
        Assert.Equal(everything, paged);
    }

    [Fact]
    public async Task One_receipt_shows_how_the_purchase_was_joined_and_what_was_sent_with_hashed_values_only()
    {
        await using var pipeline = await AdminPipeline.StartAsync();
        await pipeline.SeedAsync();

        using var response = await pipeline.Admin.GetAsync($"/admin/api/conversions/acme/{AdminPipeline.JanePurchaseId}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var receipt = JsonNode.Parse(text)!;
        Assert.Equal(AdminPipeline.JanePurchaseId, (string?)receipt["id"]);
        Assert.Equal("acme", (string?)receipt["funnel"]);
        Assert.Equal("Purchase", (string?)receipt["event"]);
        Assert.Equal(ReceiptStatus.Sent, (string?)receipt["status"]);
        Assert.Equal("email", (string?)receipt["join_path"]);
        Assert.Equal("E.C.P.admin", (string?)receipt["payload"]!["user"]!["ttclid"]);
        Assert.Equal(Worker.WorkerDeliveryTests.JaneEmail, (string?)receipt["payload"]!["user"]!["email"]![0]);
        Assert.DoesNotContain("jane", text, StringComparison.OrdinalIgnoreCase);

        using var missing = await pipeline.Admin.GetAsync("/admin/api/conversions/acme/purchase:stripe:pi_none");
        Assert.Equal(HttpStatusCode.NotFound, (await AdminService.ProblemAsync(missing)).Status);
    }

    private static async Task<List<string>> IdsAsync(AdminService admin, string query)
    {
        var answer = (await admin.GetJsonAsync("/admin/api/conversions" + query)).AsObject();
        return [.. answer["items"]!.AsArray().Select(i => (string)i!["id"]!)];
    }

    /// <summary>The same receipt ids, in any order.</summary>
    private static void Same(IEnumerable<string> expected, IEnumerable<string> actual) =>
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
}
