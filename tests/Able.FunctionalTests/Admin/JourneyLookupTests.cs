using Able.Attribution.Identity;
using Able.Attribution.Journeys;
using Able.Attribution.Receipts;
using Able.FunctionalTests.Worker;
using Able.Schema.Visitors;
using Microsoft.Extensions.DependencyInjection;

namespace Able.FunctionalTests.Admin;

/// <summary>The journey of a person looked up by email, after the real worker processed their booking and purchase.</summary>
public sealed class JourneyLookupTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task An_email_written_with_other_case_and_spaces_finds_the_visitor_its_touches_in_time_order_and_its_conversions()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        var vid = VisitorId.New();
        await scenario.AddVisitorAsync(vid, "E.C.P.journey", WorkerDeliveryTests.ClickedAt, "203.0.113.30");
        // Two later visits, pushed as the gateway does: the touches list is newest first.
        var clicked = ShiftedTime.At(WorkerDeliveryTests.ClickedAt);
        foreach (var minutes in new[] { 4, 9 })
        {
            var touch = new VisitorTouch { At = clicked.AddMinutes(minutes).ToUnixTimeMilliseconds(), Url = $"https://book.example.com/page{minutes}" };
            await scenario.Db.ListLeftPushAsync(scenario.Keys.VisitorTouches(vid), touch.ForStorage().ToJson());
        }

        await using var worker = await scenario.StartWorkerAsync();
        await scenario.AddAsync("calendly", "invitee.created", Fixtures.Read("calendly/invitee-created-free.json", vid));
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", WorkerDeliveryTests.FreeScheduleId))?.Status == ReceiptStatus.Sent, Within));
        scenario.Time.JumpTo(ShiftedTime.At("2026-03-12T13:21:00Z"));
        await scenario.AddAsync("stripe", "checkout.session.completed", Fixtures.Read("stripe/checkout-session-completed.json"));
        const string purchaseId = "purchase:stripe:pi_3QcS0ZLkdIwHu7ix1AbCdEfG";
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", purchaseId))?.Status == ReceiptStatus.Sent, Within));

        var lookup = ActivatorUtilities.CreateInstance<JourneyLookup>(worker.Services);
        Assert.True(ContactKey.TryFromEmail("  jANE.doe@EXAMPLE.com \t", out var jane, out _));
        var journey = await lookup.FindAsync(jane!);

        var visitor = Assert.Single(journey.Visitors);
        Assert.Equal(vid, visitor.VisitorId);
        Assert.Equal("acme", visitor.Mark);
        Assert.Equal(
            [clicked, clicked.AddMinutes(4), clicked.AddMinutes(9)],
            visitor.Touches.Select(t => DateTimeOffset.FromUnixTimeMilliseconds(t.At)));
        Assert.Equal("E.C.P.journey", visitor.Touches[0].Ttclid);
        Assert.Equal([WorkerDeliveryTests.FreeScheduleId, purchaseId], visitor.Conversions.Select(c => c.Id));
        Assert.Equal(["carrier:salesforce_uuid", "email"], visitor.Conversions.Select(c => c.JoinPath));
        Assert.Empty(journey.UnmatchedConversions);

        // The phone the booking gave finds the same visitor.
        Assert.True(ContactKey.TryFromPhone("+49 151 12345678", "DE", out var phone, out _));
        Assert.Equal(WorkerDeliveryTests.JanePhone, phone!.Sha256);
        Assert.Equal(vid, Assert.Single((await lookup.FindAsync(phone)).Visitors).VisitorId);
    }

    [Fact]
    public async Task A_conversion_no_visitor_matched_is_found_by_its_email_hash_and_an_unknown_email_finds_nothing()
    {
        await using var scenario = await WorkerScenario.CreateAsync(WorkerDeliveryTests.BookedAt);
        await using var worker = await scenario.StartWorkerAsync();
        const string invitee = "99999999-0000-4000-8000-000000000001";
        await scenario.AddAsync("calendly", "invitee.created", WorkerDeliveryTests.Untracked(invitee, "Solo.Person@example.org"));
        Assert.True(await Eventually.TrueAsync(async () => (await worker.Receipts.GetAsync("acme", $"schedule:{invitee}"))?.Status == ReceiptStatus.Sent, Within));

        var lookup = ActivatorUtilities.CreateInstance<JourneyLookup>(worker.Services);
        Assert.True(ContactKey.TryFromEmail(" SOLO.person@Example.ORG ", out var solo, out _));
        var journey = await lookup.FindAsync(solo!);
        Assert.Empty(journey.Visitors);
        var unmatched = Assert.Single(journey.UnmatchedConversions);
        Assert.Equal($"schedule:{invitee}", unmatched.Id);
        Assert.Null(unmatched.JoinPath);

        Assert.True(ContactKey.TryFromEmail("nobody@example.org", out var nobody, out _));
        var empty = await lookup.FindAsync(nobody!);
        Assert.Empty(empty.Visitors);
        Assert.Empty(empty.UnmatchedConversions);
    }
}
