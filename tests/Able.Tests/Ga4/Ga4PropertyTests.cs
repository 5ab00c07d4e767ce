using System.Text;
using System.Text.Json.Nodes;
using Able.Attribution.Conversions;
using Able.Attribution.Ga4;
using Able.Schema.Visitors;
using CsCheck;

namespace Able.Tests.Ga4;

/// <summary>
/// The GA4 side on anything a conversion, a visitor or GA4 may hold: the builder never throws and what it builds keeps the
/// documented limits; event names are always valid; capped values stay within 100 characters without a dangling high
/// surrogate; GA4's answers and stored outcomes are read without a throw; every HTTP status gets its outcome.
/// </summary>
public sealed partial class Ga4PropertyTests
{
    private static readonly DateTimeOffset Now = Ga4EventBuilderTests.Now;

    private static readonly Gen<string?> EventNames = AdversarialInput.Weighted<string?>(
        (3, AdversarialInput.Element<string?>(null, "Schedule", "Purchase", "Lead", "Contact", "CompleteRegistration", "StartTrial", "Click", "SessionStart", "GaX", "_x")),
        (4, AdversarialInput.Text.Select(t => (string?)t)));

    private static readonly Gen<string?> MaybeText = AdversarialInput.Weighted((1, Gen.Const((string?)null)), (4, AdversarialInput.Text.Select(t => (string?)t)));

    private static readonly Gen<string?> Currencies = AdversarialInput.Weighted<string?>(
        (2, AdversarialInput.Element<string?>(null, "", "EUR", "usd", "EURO", "€€€", "1.5", "ǆǆǆ", "\ud800EU", "E U")),
        (2, MaybeText));

    private static readonly Gen<decimal?> Values = AdversarialInput.Weighted<decimal?>(
        (1, Gen.Const((decimal?)null)),
        (2, AdversarialInput.Element<decimal?>(0m, -1m, 0.01m, 49.5m, decimal.MaxValue, decimal.MinValue, 0.0000000000000000000000000001m)),
        (3, Gen.Decimal.Select(d => (decimal?)d)));

    /// <summary>Event times from ten years before to ten years after now, or none.</summary>
    private static readonly Gen<DateTimeOffset?> EventTimes = AdversarialInput.Weighted<DateTimeOffset?>(
        (1, Gen.Const((DateTimeOffset?)null)),
        (2, Gen.Long[-3600L * 100, 3600L * 100].Select(s => (DateTimeOffset?)Now.AddSeconds(s))),
        (1, Gen.Long[-86400L * 3650, 86400L * 3650].Select(s => (DateTimeOffset?)Now.AddSeconds(s))));

    private static readonly Gen<Conversion> Conversions =
        Gen.Select(EventNames, MaybeText, EventTimes, Values, Currencies, MaybeText, MaybeText, (name, eventId, time, value, currency, contentId, contentName) => Ga4EventBuilderTests.Booking() with
            {
                ReceiptId = eventId ?? "r",
                TikTokEvent = name,
                EventId = eventId,
                EventTime = time,
                Value = value,
                Currency = currency,
                ContentId = contentId,
                ContentName = contentName,
            });

    private static readonly Gen<string?> ClientIds = AdversarialInput.Weighted<string?>(
        (3, Gen.Select(Gen.ULong, Gen.UInt, (a, b) => (string?)$"{a}.{b}")),
        (2, MaybeText));

    private static readonly Gen<string?> SessionIds = AdversarialInput.Weighted<string?>(
        (2, Gen.ULong.Select(s => (string?)s.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (2, MaybeText));

    private static readonly Gen<VisitorProfile?> Visitors = AdversarialInput.Weighted<VisitorProfile?>(
        (1, Gen.Const((VisitorProfile?)null)),
        (6, Gen.Select(AdversarialInput.Text, ClientIds, SessionIds, (id, clientId, sessionId) => (VisitorProfile?)new VisitorProfile { VisitorId = id, GaClientId = clientId, GaSessionId = sessionId })));

    [Fact]
    public void Any_conversion_and_visitor_build_a_body_within_the_limits_or_a_reason_never_a_throw() =>
        Gen.Select(Conversions, Visitors, Gen.Bool, Gen.Int[0, 100_000]).Sample((conversion, visitor, sendUserId, maxAgeHours) =>
        {
            var built = Ga4EventBuilder.Build(conversion, visitor, Ga4EventBuilderTests.Options(sendUserId), TimeSpan.FromHours(maxAgeHours), Now);

            Assert.True(Ga4Limits.IsEventName(built.EventName), built.EventName);
            Assert.Equal(Ga4EventBuilder.EventName(conversion.TikTokEvent), built.EventName);
            if (built.Body is not { } body)
            {
                Assert.True(built.SkipStatus is Ga4Status.Skipped or Ga4Status.TooOld, built.SkipStatus);
                Assert.False(string.IsNullOrEmpty(built.SkipReason));
                Assert.Empty(built.KeysSent);
                return;
            }

            Assert.Null(built.SkipStatus);
            Assert.Empty(Ga4Limits.Problems(body));
            Assert.True((long)body["timestamp_micros"]! <= Now.ToUnixTimeMilliseconds() * 1000);
            Assert.Equal(
                Ga4EventBuilderTests.BodyKeys(body).Order(StringComparer.Ordinal),
                built.KeysSent.Order(StringComparer.Ordinal));
            var parameters = Ga4EventBuilderTests.Event(body)["params"]!.AsObject();
            Assert.Equal(parameters.ContainsKey("value"), parameters.ContainsKey("currency"));
            if (parameters["currency"] is { } currency)
            {
                Assert.Matches(CurrencyCode(), (string?)currency);
            }

            // Survives the wire: the body serialises and parses back to the same JSON.
            var json = body.ToJsonString();
            Assert.Equal(json, JsonNode.Parse(json)!.ToJsonString());
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Any_text_gives_a_valid_GA4_event_name() =>
        AdversarialInput.Weighted((3, AdversarialInput.Text), (1, Gen.String[Gen.Char["AZaz09_-. "], 0, 80]))
            .Sample(text =>
            {
                var name = Ga4EventBuilder.EventName(text);
                Assert.True(Ga4Limits.IsEventName(name), $"'{name}' from '{text}'");
            }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Cap_keeps_at_most_100_characters_of_the_start_and_never_ends_a_cut_in_a_high_surrogate() =>
        AdversarialInput.Weighted(
                (2, AdversarialInput.Text),
                (2, Gen.Select(Gen.String[Gen.Char["ab"], 95, 102], AdversarialInput.Element("😀", "\ud800", "\udc00", "\ud800\ud800", "日", "x"), Gen.Int[1, 5],
                    (head, piece, count) => head + new StringBuilder().Insert(0, piece, count))))
            .Sample(value =>
            {
                var capped = Ga4Limits.Cap(value);
                Assert.True(capped.Length <= Ga4Limits.MaxParameterValueLength);
                Assert.StartsWith(capped, value, StringComparison.Ordinal);
                if (value.Length <= Ga4Limits.MaxParameterValueLength)
                {
                    Assert.Equal(value, capped);
                }
                else
                {
                    Assert.False(capped.Length > 0 && char.IsHighSurrogate(capped[^1]), $"ends in a high surrogate after cutting {value.Length} characters");
                    // Only dangling high surrogates are given up, nothing else within the limit.
                    Assert.True(value[capped.Length..Ga4Limits.MaxParameterValueLength].All(char.IsHighSurrogate));
                }
            }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Any_validation_answer_is_read_or_refused_never_a_throw() =>
        AdversarialInput.Weighted(
                (3, AdversarialInput.JsonBodies(ValidationAnswer).Select(Encoding.UTF8.GetString)),
                (1, AdversarialInput.Text))
            .Sample(text =>
            {
                if (Ga4Client.ReadValidation(text) is { } messages)
                {
                    Assert.All(messages, Assert.NotNull);
                }
            }, iter: AdversarialInput.Iterations);

    [Fact]
    public void The_documented_validation_answer_is_read()
    {
        var message = Assert.Single(Ga4Client.ReadValidation(ValidationAnswer)!);
        Assert.Equal(new Ga4ValidationMessage("events", "Event at index: [0] has invalid name [_badEventName].", "NAME_INVALID"), message);
        Assert.Empty(Ga4Client.ReadValidation("""{"validationMessages":[]}""")!);
        Assert.Null(Ga4Client.ReadValidation("""{"other":[]}"""));
        Assert.Null(Ga4Client.ReadValidation(""));
    }

    [Fact]
    public void Any_stored_outcome_text_is_read_or_refused_never_a_throw() =>
        AdversarialInput.Weighted(
                (3, AdversarialInput.JsonBodies(StoredOutcome).Select(Encoding.UTF8.GetString)),
                (1, MaybeText.Select(t => t ?? "")))
            .Sample(text =>
            {
                if (Ga4Outcome.TryRead(text) is { } outcome)
                {
                    Assert.NotNull(outcome.Status);
                }
            }, iter: AdversarialInput.Iterations);

    [Fact]
    public void A_stored_outcome_reads_back_as_written()
    {
        var read = Ga4Outcome.TryRead(StoredOutcome);
        Assert.NotNull(read);
        Assert.Equal(Ga4Status.Sent, read.Status);
        Assert.Equal(["client_id", "transaction_id"], read.KeysSent);
        Assert.Equal(StoredOutcome, read.ToJson());
    }

    [Fact]
    public void Every_HTTP_status_gets_its_outcome() =>
        Gen.Int[100, 599].Sample(status =>
        {
            var expected = status switch
            {
                >= 200 and <= 299 => Ga4SendOutcome.Accepted,
                >= 500 or 429 or 408 => Ga4SendOutcome.Retry,
                _ => Ga4SendOutcome.Permanent,
            };
            var result = Ga4Client.Interpret(status);
            Assert.Equal(expected, result.Outcome);
            Assert.Equal(status, result.HttpStatus);
            Assert.False(string.IsNullOrEmpty(result.Reason));
        }, iter: AdversarialInput.Iterations);

    [Theory]
    [InlineData(200, Ga4SendOutcome.Accepted)]
    [InlineData(204, Ga4SendOutcome.Accepted)]
    [InlineData(400, Ga4SendOutcome.Permanent)]
    [InlineData(401, Ga4SendOutcome.Permanent)]
    [InlineData(403, Ga4SendOutcome.Permanent)]
    [InlineData(404, Ga4SendOutcome.Permanent)]
    [InlineData(408, Ga4SendOutcome.Retry)]
    [InlineData(429, Ga4SendOutcome.Retry)]
    [InlineData(500, Ga4SendOutcome.Retry)]
    [InlineData(503, Ga4SendOutcome.Retry)]
    public void Statuses_GA4_answers(int status, Ga4SendOutcome expected) => Assert.Equal(expected, Ga4Client.Interpret(status).Outcome);

    private const string ValidationAnswer =
        """{"validationMessages":[{"fieldPath":"events","description":"Event at index: [0] has invalid name [_badEventName].","validationCode":"NAME_INVALID"}]}""";

    private static readonly string StoredOutcome = new Ga4Outcome
    {
        Status = Ga4Status.Sent,
        EventName = "purchase",
        Payload = new JsonObject { ["client_id"] = "555.1700000000", ["events"] = new JsonArray() },
        KeysSent = ["client_id", "transaction_id"],
        Attempts = 1,
        HttpStatus = 204,
        UpdatedAt = 1_772_625_000_000,
    }.ToJson();

    [System.Text.RegularExpressions.GeneratedRegex(@"\A[A-Z]{3}\z")]
    private static partial System.Text.RegularExpressions.Regex CurrencyCode();
}
