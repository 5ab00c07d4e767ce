using System.Text;
using Able.Attribution.Ingest;

namespace Able.Tests.Ingest;

public sealed class WebhookEnvelopeTests
{
    private const string InviteeUri = "https://api.calendly.com/scheduled_events/e1/invitees/i1";

    public static TheoryData<string, EnvelopeVerdict, string?> CalendlyBodies() => new()
    {
        { $$$"""{"event":"invitee.created","created_at":"2026-03-04T15:02:11.000000Z","payload":{"uri":"{{{InviteeUri}}}"}}""", EnvelopeVerdict.Accept, "invitee.created" },
        { $$$"""{"event":"invitee.canceled","created_at":"2026-03-04T15:02:11Z","payload":{"uri":"{{{InviteeUri}}}","extra":[1,2]}}""", EnvelopeVerdict.Accept, "invitee.canceled" },
        { """{"event":"invitee_no_show.created","created_at":"2026-03-07T09:20:00Z","payload":{}}""", EnvelopeVerdict.Accept, "invitee_no_show.created" },
        { """{"event":"invitee_no_show.deleted","created_at":"2026-03-07T09:20:00Z","payload":{}}""", EnvelopeVerdict.Accept, "invitee_no_show.deleted" },
        { """{"event":"routing_form_submission.created","created_at":"2026-03-07T09:20:00Z","payload":{}}""", EnvelopeVerdict.Ignore, "routing_form_submission.created" },
        { """{"event":"invitee.created","created_at":"2026-03-04T15:02:11Z","payload":{}}""", EnvelopeVerdict.Malformed, "payload.uri" },
        { """{"event":"invitee.created","created_at":"2026-03-04T15:02:11Z","payload":{"uri":"not a uri"}}""", EnvelopeVerdict.Malformed, "payload.uri" },
        { $$$"""{"event":"invitee.created","created_at":"yesterday","payload":{"uri":"{{{InviteeUri}}}"}}""", EnvelopeVerdict.Malformed, "created_at" },
        { $$$"""{"event":"invitee.created","payload":{"uri":"{{{InviteeUri}}}"}}""", EnvelopeVerdict.Malformed, "created_at" },
        { $$$"""{"created_at":"2026-03-04T15:02:11Z","payload":{"uri":"{{{InviteeUri}}}"}}""", EnvelopeVerdict.Malformed, "event" },
        { $$$"""{"event":42,"created_at":"2026-03-04T15:02:11Z","payload":{"uri":"{{{InviteeUri}}}"}}""", EnvelopeVerdict.Malformed, "event" },
        { """{"event":"invitee.created","created_at":"2026-03-04T15:02:11Z","payload":"x"}""", EnvelopeVerdict.Malformed, "payload" },
        { """{"event":"invitee.created","created_at":"2026-03-04T15:02:11Z"}""", EnvelopeVerdict.Malformed, "payload" },
        { """[{"event":"invitee.created"}]""", EnvelopeVerdict.Malformed, "JSON object" },
        { "\"invitee.created\"", EnvelopeVerdict.Malformed, "JSON object" },
        { """{"event":"invitee.created","created_at":""", EnvelopeVerdict.Malformed, "not valid JSON" },
        { "", EnvelopeVerdict.Malformed, "empty" },
        { """{"event":"\ud800","created_at":"2026-03-04T15:02:11Z","payload":{}}""", EnvelopeVerdict.Malformed, "event" },
        { $$$"""{"event":"invitee.created","created_at":"2026-03-04T15:02:11Z","payload":{"uri":"{{{InviteeUri}}}\udc00"}}""", EnvelopeVerdict.Malformed, "payload.uri" },
        { "<xml/>", EnvelopeVerdict.Malformed, "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(CalendlyBodies))]
    public void Calendly_envelopes(string body, EnvelopeVerdict verdict, string? typeOrProblem) =>
        AssertCheck(WebhookEnvelope.CheckCalendly(Encoding.UTF8.GetBytes(body)), verdict, typeOrProblem);

    public static TheoryData<string, EnvelopeVerdict, string?> StripeBodies() => new()
    {
        { """{"id":"evt_1","type":"checkout.session.completed","created":1773926400,"data":{"object":{}}}""", EnvelopeVerdict.Accept, "checkout.session.completed" },
        { """{"id":"evt_1","type":"invoice.paid","created":1773926400,"data":{"object":{"id":"in_1"}}}""", EnvelopeVerdict.Accept, "invoice.paid" },
        { """{"id":"evt_1","type":"charge.refunded","created":1773926400,"data":{"object":{}}}""", EnvelopeVerdict.Accept, "charge.refunded" },
        { """{"id":"evt_1","type":"customer.created","created":1773926400,"data":{"object":{}}}""", EnvelopeVerdict.Ignore, "customer.created" },
        { """{"type":"invoice.paid","created":1773926400,"data":{"object":{}}}""", EnvelopeVerdict.Malformed, "id" },
        { """{"id":"evt_1","created":1773926400,"data":{"object":{}}}""", EnvelopeVerdict.Malformed, "type" },
        { """{"id":"evt_1","type":"invoice.paid","created":"today","data":{"object":{}}}""", EnvelopeVerdict.Malformed, "created" },
        { """{"id":"evt_1","type":"invoice.paid","created":1773926400,"data":{}}""", EnvelopeVerdict.Malformed, "data.object" },
        { """{"id":"evt_1","type":"invoice.paid","created":1773926400}""", EnvelopeVerdict.Malformed, "data.object" },
        { """{"event":"invitee.created","created_at":"2026-03-04T15:02:11Z","payload":{}}""", EnvelopeVerdict.Malformed, "id" },
        { "null", EnvelopeVerdict.Malformed, "JSON object" },
    };

    [Theory]
    [MemberData(nameof(StripeBodies))]
    public void Stripe_envelopes(string body, EnvelopeVerdict verdict, string? typeOrProblem) =>
        AssertCheck(WebhookEnvelope.CheckStripe(Encoding.UTF8.GetBytes(body)), verdict, typeOrProblem);

    /// <summary>A malformed body's problem names the field; an accepted or ignored one reports its event type.</summary>
    private static void AssertCheck(EnvelopeCheck check, EnvelopeVerdict verdict, string? typeOrProblem)
    {
        Assert.Equal(verdict, check.Verdict);
        if (verdict == EnvelopeVerdict.Malformed)
        {
            Assert.Contains(typeOrProblem!, check.Problem, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(typeOrProblem, check.SourceEvent);
        }
    }

    [Fact]
    public void Problems_never_quote_body_values()
    {
        var check = WebhookEnvelope.CheckCalendly(Encoding.UTF8.GetBytes("""{"event":"invitee.created","created_at":"jane@example.com","payload":{}}"""));
        Assert.Equal(EnvelopeVerdict.Malformed, check.Verdict);
        Assert.DoesNotContain("jane", check.Problem, StringComparison.Ordinal);
    }
}
