using System.Net.Http.Headers;
using System.Text;
using Able.Attribution.Calendly.Api;
using CsCheck;

namespace Able.Tests.Calendly;

/// <summary>Whatever the Calendly API (or a proxy in front of it) answers: a value or a failure, never a throw.</summary>
public sealed class CalendlyApiResponsesPropertyTests
{
    private const string User = """{"resource":{"uri":"https://api.calendly.com/users/AAAA","name":"A","current_organization":"https://api.calendly.com/organizations/BBBB","resource_type":"User"}}""";

    private const string Subscription = """{"uri":"https://api.calendly.com/webhook_subscriptions/CCCC","callback_url":"https://book.example.com/calendly-webhook/acme","created_at":"2026-03-04T15:02:11.000000Z","updated_at":"2026-03-04T15:02:11.000000Z","retry_started_at":"2026-03-05T15:02:11.000000Z","state":"active","events":["invitee.created","invitee.canceled"],"scope":"organization","organization":"https://api.calendly.com/organizations/BBBB","user":null,"group":null,"creator":"https://api.calendly.com/users/AAAA"}""";

    private static readonly string Created = $$$"""{"resource":{{{Subscription}}}}""";

    private static readonly string Page = $$$"""{"collection":[{{{Subscription}}},{{{Subscription}}}],"pagination":{"count":2,"next_page":"https://api.calendly.com/webhook_subscriptions?page_token=x","previous_page":null}}""";

    private const string Error = """{"title":"Unauthenticated","message":"The access token is invalid","details":[{"parameter":"x","message":"y"}]}""";

    [Fact]
    public void Any_body_parses_to_a_value_or_a_failure()
    {
        AdversarialInput.JsonBodies(User, Created, Page, Error).Sample(bytes =>
        {
            var body = Encoding.UTF8.GetString(bytes);
            var user = CalendlyApiResponses.ParseUser(body);
            Assert.True(user.Succeeded ? user.Value.Uri.Length > 0 : user.Error.Message.Length > 0);
            var created = CalendlyApiResponses.ParseCreated(body);
            Assert.True(created.Succeeded ? created.Value.Uri.Length > 0 : created.Error.Kind == CalendlyApiFailure.Unexpected);
            var page = CalendlyApiResponses.ParsePage(body);
            Assert.True(page.Succeeded ? page.Value.Subscriptions.All(s => s.Uri.Length > 0) : page.Error.Message.Length > 0);
            Assert.DoesNotContain('\n', CalendlyApiResponses.Describe(body));
        }, iter: AdversarialInput.Iterations);
    }

    [Fact]
    public void The_fixtures_parse_as_documented()
    {
        var user = CalendlyApiResponses.ParseUser(User);
        Assert.Equal(new CalendlyUser("https://api.calendly.com/users/AAAA", "https://api.calendly.com/organizations/BBBB"), user.Value);
        var page = CalendlyApiResponses.ParsePage(Page).Value!;
        Assert.Equal(2, page.Subscriptions.Count);
        Assert.Equal("https://api.calendly.com/webhook_subscriptions?page_token=x", page.NextPage);
        var subscription = CalendlyApiResponses.ParseCreated(Created).Value!;
        Assert.Equal("CCCC", subscription.Uuid);
        Assert.Equal(["invitee.created", "invitee.canceled"], subscription.Events);
        Assert.Equal(new DateTimeOffset(2026, 3, 5, 15, 2, 11, TimeSpan.Zero), subscription.RetryStartedAt);
        Assert.Equal("Unauthenticated: The access token is invalid", CalendlyApiResponses.Describe(Error));
    }

    [Fact]
    public void Any_rate_limit_header_gives_a_wait_that_is_not_negative_or_none() =>
        Gen.Select(AdversarialInput.Text, AdversarialInput.Text).Sample((retryAfter, reset) =>
        {
            using var response = new HttpResponseMessage();
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
            response.Headers.TryAddWithoutValidation("X-RateLimit-Reset", reset);
            var wait = CalendlyApiResponses.RateLimitWait(response.Headers, DateTimeOffset.UnixEpoch.AddYears(56));
            Assert.True(wait is null || wait >= TimeSpan.Zero);
        }, iter: AdversarialInput.Iterations);

    [Theory]
    [InlineData("7", null, 7)]
    [InlineData(null, "12", 12)]
    [InlineData("3", "60", 3)]
    [InlineData("Wed, 02 Dec 2026 10:00:30 GMT", null, 30)]
    [InlineData("Wed, 02 Dec 2026 09:00:00 GMT", "5", 0)]
    [InlineData(null, "-4", null)]
    [InlineData(null, null, null)]
    public void The_wait_comes_from_Retry_After_else_X_RateLimit_Reset(string? retryAfter, string? reset, int? seconds)
    {
        using var response = new HttpResponseMessage();
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        if (reset is not null)
        {
            response.Headers.TryAddWithoutValidation("X-RateLimit-Reset", reset);
        }

        var now = new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal(seconds is null ? null : TimeSpan.FromSeconds(seconds.Value), CalendlyApiResponses.RateLimitWait(response.Headers, now));
    }
}
