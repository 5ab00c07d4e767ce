using System.Net;
using Able.Attribution.Receipts;

namespace Able.FunctionalTests.Admin;

/// <summary>
/// Dead letters through the admin API: a booking TikTok refused for good is listed with TikTok's code and message,
/// replayed once to the fake TikTok (which then accepts it), and a second replay sends nothing; a discarded one is gone.
/// </summary>
public sealed partial class AdminDeadLetterTests
{
    [Fact]
    public async Task A_replayed_dead_letter_is_delivered_once_and_a_second_replay_sends_nothing()
    {
        await using var pipeline = await AdminPipeline.StartAsync();
        pipeline.TikTok.Enqueue(FakeReply.NoPermission);
        var jane = await pipeline.VisitAsync("ttclid=E.C.P.dlq&utm_source=tiktok");
        await pipeline.BookAsJaneAsync(jane);
        await pipeline.WaitForAsync(ReceiptStatus.DeadLettered, AdminPipeline.JaneBookingId);
        Assert.Equal(0, pipeline.TikTok.AcceptedCount(AdminPipeline.JaneBookingId));

        var list = await pipeline.Admin.GetJsonAsync("/admin/api/deadletters?funnel=acme");
        var letter = Assert.Single(list["items"]!.AsArray())!;
        Assert.Null(list["next_cursor"]);
        var id = (string)letter["id"]!;
        Assert.Equal("delivery", (string?)letter["kind"]);
        Assert.Equal("acme", (string?)letter["funnel"]);
        Assert.Equal("Schedule", (string?)letter["event"]);
        Assert.Equal(AdminPipeline.JaneBookingId, (string?)letter["event_id"]);
        Assert.Equal(40001, (long?)letter["tik_tok_code"]);
        Assert.Equal("No permission to operate pixel code", (string?)letter["tik_tok_message"]);
        Assert.Equal("E.C.P.dlq", (string?)letter["payload"]!["user"]!["ttclid"]);
        Assert.NotNull(letter["at"]);
        Assert.Equal(letter.ToJsonString(), (await pipeline.Admin.GetJsonAsync($"/admin/api/deadletters/{id}")).ToJsonString());

        var replay = await pipeline.Admin.JsonAsync(HttpMethod.Post, $"/admin/api/deadletters/{id}/replay");
        Assert.Equal("queued", (string?)replay["result"]);
        Assert.Equal($"delivery {(string?)letter["delivery_id"]} queued", (string?)replay["detail"]);
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(pipeline.TikTok.AcceptedCount(AdminPipeline.JaneBookingId) == 1), TimeSpan.FromSeconds(30)));
        await pipeline.WaitForAsync(ReceiptStatus.Sent, AdminPipeline.JaneBookingId);

        // Replayed: the dead letter is gone, so neither replaying it again nor replaying all queues anything.
        using var second = await pipeline.Admin.SendAsync(HttpMethod.Post, $"/admin/api/deadletters/{id}/replay");
        Assert.Equal(HttpStatusCode.NotFound, (await AdminService.ProblemAsync(second)).Status);
        var all = await pipeline.Admin.JsonAsync(HttpMethod.Post, "/admin/api/deadletters/replay");
        Assert.Equal(0, (int)all["queued"]!);
        Assert.Empty((await pipeline.Admin.GetJsonAsync("/admin/api/deadletters")).AsObject()["items"]!.AsArray());

        // A later booking goes through the same worker after those replays: by then the first was still sent once.
        await pipeline.BookAsWalkInAsync();
        await pipeline.WaitForAsync(ReceiptStatus.Sent, AdminPipeline.WalkInBookingId);
        Assert.Equal(1, pipeline.TikTok.AcceptedCount(AdminPipeline.JaneBookingId));
        Assert.Empty(pipeline.TikTok.Violations);
    }

    [Fact]
    public async Task Replaying_all_dead_letters_queues_each_once_and_a_discarded_one_is_gone()
    {
        await using var pipeline = await AdminPipeline.StartAsync();
        pipeline.TikTok.Enqueue(FakeReply.NoPermission, FakeReply.NoPermission);
        var jane = await pipeline.VisitAsync("ttclid=E.C.P.dlq-all&utm_source=tiktok");
        await pipeline.BookAsJaneAsync(jane);
        await pipeline.WaitForAsync(ReceiptStatus.DeadLettered, AdminPipeline.JaneBookingId);
        await pipeline.BookAsWalkInAsync();
        await pipeline.WaitForAsync(ReceiptStatus.DeadLettered, AdminPipeline.WalkInBookingId);
        var ids = (await pipeline.Admin.GetJsonAsync("/admin/api/deadletters")).AsObject()["items"]!.AsArray()
            .ToDictionary(l => (string)l!["event_id"]!, l => (string)l!["id"]!);
        Assert.Equal(2, ids.Count);

        using var discarded = await pipeline.Admin.SendAsync(HttpMethod.Delete, $"/admin/api/deadletters/{ids[AdminPipeline.WalkInBookingId]}");
        Assert.Equal(HttpStatusCode.NoContent, discarded.StatusCode);
        using var gone = await pipeline.Admin.GetAsync($"/admin/api/deadletters/{ids[AdminPipeline.WalkInBookingId]}");
        Assert.Equal(HttpStatusCode.NotFound, (await AdminService.ProblemAsync(gone)).Status);
        using var discardedAgain = await pipeline.Admin.SendAsync(HttpMethod.Delete, $"/admin/api/deadletters/{ids[AdminPipeline.WalkInBookingId]}");
        Assert.Equal(HttpStatusCode.NotFound, (await AdminService.ProblemAsync(discardedAgain)).Status);

        var all = await pipeline.Admin.JsonAsync(HttpMethod.Post, "/admin/api/deadletters/replay?funnel=acme");
        Assert.Equal(1, (int)all["queued"]!);
        Assert.Equal(ids[AdminPipeline.JaneBookingId], (string?)Assert.Single(all["outcomes"]!.AsArray())!["dead_letter_id"]);
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(pipeline.TikTok.AcceptedCount(AdminPipeline.JaneBookingId) == 1), TimeSpan.FromSeconds(30)));
        await pipeline.WaitForAsync(ReceiptStatus.Sent, AdminPipeline.JaneBookingId);

        var again = await pipeline.Admin.JsonAsync(HttpMethod.Post, "/admin/api/deadletters/replay");
        Assert.Equal(0, (int)again["queued"]!);
        Assert.Equal(0, pipeline.TikTok.AcceptedCount(AdminPipeline.WalkInBookingId));
    }
}
