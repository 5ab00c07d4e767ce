using System.Globalization;
using System.Text;
using Able.Attribution.Service.Admin;
using Able.Schema.Configuration;
using Able.Schema.Identity;
using CsCheck;
using Microsoft.AspNetCore.Http;

namespace Able.Tests.Admin;

/// <summary>
/// The admin API's readers of outside input (JSON bodies, query parameters, dead-letter ids) on anything: a value or a
/// problem, never a throw.
/// </summary>
public sealed class AdminInputPropertyTests
{
    private static readonly AbleOptions Options = new()
    {
        Funnels = [new FunnelOptions { Mark = "acme", DefaultPhoneRegion = "DE" }, new FunnelOptions { Mark = "beta", DefaultPhoneRegion = "US" }],
    };

    private static readonly string[] Parameters = ["funnel", "days", "limit", "matched", "from", "to", "model", "event", "cursor"];

    [Fact]
    public void Any_body_gives_a_contact_hash_or_a_problem() =>
        AdversarialInput.JsonBodies(
            """{"email":"Jane.Doe@Example.com"}""",
            """{"phone":"0151 12345678","funnel":"acme"}""",
            """{"phone":"+1 213 373 4253"}""",
            """{"email":"jane.doe@example.com","phone":"+4915112345678","funnel":"beta"}""").Sample(body =>
        {
            var (contact, problem) = ContactBody.Parse(body, Options);
            Assert.True(contact is null != (problem is null), "exactly one of a contact and a problem");
            if (contact is not null)
            {
                Assert.True(ContactHashing.IsSha256Hex(contact.Sha256) && !contact.Sha256.Any(char.IsAsciiLetterUpper), contact.Sha256);
                Assert.Contains(contact.Kind, new[] { "email", "phone" });
            }
        }, iter: AdversarialInput.Iterations);

    [Theory]
    [InlineData("""{"email":"Jane.Doe@Example.com"}""")]
    [InlineData("""{"email":"  JANE.DOE@EXAMPLE.COM "}""")]
    [InlineData("""{"email":"jane.doe@example.com","funnel":"beta"}""")]
    public void An_email_in_any_case_and_spacing_is_one_person(string body)
    {
        var (contact, _) = ContactBody.Parse(Encoding.UTF8.GetBytes(body), Options);
        Assert.Equal(ContactHashing.HashEmail("jane.doe@example.com"), contact?.Sha256);
    }

    [Theory]
    [InlineData("""{"phone":"0151 12345678","funnel":"acme"}""")]
    [InlineData("""{"phone":"+49 151 1234 5678"}""")]
    [InlineData("""{"phone":"+49 (151) 12345678","funnel":"beta"}""")]
    public void A_phone_number_is_read_in_the_funnels_region_unless_it_has_a_country_code(string body)
    {
        var (contact, _) = ContactBody.Parse(Encoding.UTF8.GetBytes(body), Options);
        Assert.Equal("phone", contact?.Kind);
        Assert.Equal(ContactHashing.Sha256Hex("+4915112345678"), contact?.Sha256);
    }

    [Fact]
    public void A_national_number_without_a_funnel_is_a_problem_when_several_funnels_could_read_it()
    {
        var (contact, problem) = ContactBody.Parse("""{"phone":"0151 12345678"}"""u8, Options);
        Assert.Null(contact);
        Assert.NotNull(problem);
    }

    [Fact]
    public void Any_query_string_gives_values_or_a_problem() =>
        Gen.Select(AdversarialInput.Element(Parameters).Array[0, 6], AdversarialInput.Text.Array[6]).Sample((names, values) =>
        {
            var request = new DefaultHttpContext().Request;
            request.QueryString = new QueryString("?" + string.Join('&', names.Select((name, i) => $"{name}={Uri.EscapeDataString(Scalar(values[i]))}")));
            var query = AdminQuery.Of(request, Parameters);
            _ = query.Funnel(Options);
            _ = query.OneOf("days", [1, 7, 30], 7);
            _ = query.Integer("limit", 1, 500, 50);
            _ = query.Boolean("matched");
            _ = query.Time("from");
            _ = query.Time("to");
            _ = query.Choice("model", ["last", "first"], "last");
            _ = query.Text("event");
            _ = query.Text("cursor");
            if (names.Length == 0)
            {
                Assert.Null(query.Problem);
            }
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Any_text_is_a_time_or_not_and_a_time_is_iso_8601_or_unix_milliseconds() =>
        AdversarialInput.Text.Sample(text =>
        {
            if (AdminQuery.TryParseTime(text, out var time))
            {
                Assert.True(char.IsAsciiDigit(text[0]), text);
                Assert.Equal(TimeSpan.Zero, time.Offset);
            }
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Any_text_is_a_dead_letter_id_or_not_and_every_stream_id_is_one() =>
        Gen.Select(AdversarialInput.Text, Gen.Long[0, 253402300799999], Gen.Long[0, long.MaxValue]).Sample((text, milliseconds, sequence) =>
        {
            _ = DeadLetterRoutes.TryParseId(text, out _);
            var id = string.Create(CultureInfo.InvariantCulture, $"{milliseconds}-{sequence}");
            Assert.True(DeadLetterRoutes.TryParseId(id, out var at), id);
            Assert.Equal(milliseconds, at.ToUnixTimeMilliseconds());
        }, iter: AdversarialInput.Iterations);

    [Theory]
    [InlineData("1773321600000", "2026-03-12T13:20:00+00:00")]
    [InlineData("2026-03-04T15:00:00Z", "2026-03-04T15:00:00+00:00")]
    [InlineData("2026-03-04T16:00:00+01:00", "2026-03-04T15:00:00+00:00")]
    [InlineData("2026-03-04", "2026-03-04T00:00:00+00:00")]
    public void Times_are_read_as_iso_8601_utc_unless_they_name_an_offset_or_as_unix_milliseconds(string text, string expected)
    {
        Assert.True(AdminQuery.TryParseTime(text, out var time));
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), time);
    }

    /// <summary>Text as a query value can carry it (lone surrogates cannot be percent-encoded).</summary>
    private static string Scalar(string text) => new([.. text.Where(c => !char.IsSurrogate(c))]);
}
