using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Able.Attribution.Conversions;
using Able.Schema.Configuration;
using Able.Schema.Identity;
using Able.Schema.Visitors;

namespace Able.Attribution.Ga4;

/// <summary>
/// A Measurement Protocol request body for one conversion, or why there is none (<see cref="SkipStatus"/> and
/// <see cref="SkipReason"/>: then <see cref="Body"/> is null).
/// </summary>
public sealed record Ga4BuiltEvent(JsonObject? Body, string EventName, IReadOnlyList<string> KeysSent, string? SkipStatus, string? SkipReason);

/// <summary>
/// Builds the GA4 Measurement Protocol event of a conversion (<c>POST /mp/collect</c>): bookings as <c>generate_lead</c>,
/// sales as <c>purchase</c> with the TikTok event_id as <c>transaction_id</c>, the GA client id the gateway captured from
/// <c>_ga</c>, and the GA4 session id from <c>_ga_&lt;container&gt;</c> so GA4 credits the session's source. Everything
/// it builds keeps the documented limits (<see cref="Ga4Limits"/>).
/// </summary>
public static class Ga4EventBuilder
{
    /// <summary>
    /// GA4's name of each TikTok standard event whose snake_case is not already it; the others (<c>AddToCart</c> →
    /// <c>add_to_cart</c>, <c>AddToWishlist</c>, <c>AddPaymentInfo</c>, <c>Search</c>, ...) are turned into snake_case.
    /// </summary>
    private static readonly Dictionary<string, string> EventNames = new(StringComparer.Ordinal)
    {
        [TikTokEventNames.Schedule] = "generate_lead",
        [TikTokEventNames.Purchase] = "purchase",
        ["Lead"] = "generate_lead",
        ["Contact"] = "generate_lead",
        ["SubmitApplication"] = "generate_lead",
        ["CompleteRegistration"] = "sign_up",
        ["InitiateCheckout"] = "begin_checkout",
        ["ViewContent"] = "view_item",
    };

    public static Ga4BuiltEvent Build(Conversion conversion, VisitorProfile? visitor, Ga4FunnelOptions ga4, TimeSpan maxEventAge, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(conversion);
        ArgumentNullException.ThrowIfNull(ga4);
        var name = EventName(conversion.TikTokEvent);
        var eventTime = conversion.EventTime ?? now;
        if (now - eventTime > maxEventAge)
        {
            return new Ga4BuiltEvent(null, name, [], Ga4Status.TooOld,
                $"the event is more than {maxEventAge.TotalHours.ToString(CultureInfo.InvariantCulture)} hours old; GA4 does not accept it");
        }

        if (visitor is null)
        {
            return new Ga4BuiltEvent(null, name, [], Ga4Status.Skipped, "no visitor matched, so there is no GA client id to send it with");
        }

        if (!Ga4Limits.IsClientId(visitor.GaClientId))
        {
            return new Ga4BuiltEvent(null, name, [], Ga4Status.Skipped, "no GA client id was captured for the visitor (no _ga cookie)");
        }

        var keys = new List<string> { "client_id" };
        var body = new JsonObject { ["client_id"] = visitor.GaClientId };
        if (ga4.SendUserId && visitor.VisitorId.Length <= Ga4Limits.MaxUserIdLength)
        {
            body["user_id"] = visitor.VisitorId;
            keys.Add("user_id");
        }

        // Never in the future (GA4 drops those): a source clock ahead of ours counts as now.
        var micros = Math.Min(eventTime.ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds()) * 1000;
        body["timestamp_micros"] = micros;
        var parameters = Parameters(conversion, visitor, name, keys);
        body["events"] = new JsonArray(new JsonObject { ["name"] = name, ["params"] = parameters });
        return new Ga4BuiltEvent(body, name, keys, null, null);
    }

    /// <summary>GA4's event name for a TikTok event name: the mapped standard name, else snake_case within the limits.</summary>
    public static string EventName(string? tikTokEvent)
    {
        if (tikTokEvent is null)
        {
            return "generate_lead";
        }

        if (EventNames.TryGetValue(tikTokEvent, out var mapped))
        {
            return mapped;
        }

        var snake = new StringBuilder(tikTokEvent.Length + 4);
        foreach (var c in tikTokEvent)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                if (snake.Length > 0 && snake[^1] != '_')
                {
                    snake.Append('_');
                }

                snake.Append(char.ToLowerInvariant(c));
            }
            else if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                snake.Append(c);
            }
        }

        var text = snake.ToString().Trim('_');
        var name = text.Length > 0 && char.IsAsciiLetter(text[0]) ? text : "event_" + text;
        name = name[..Math.Min(name.Length, Ga4Limits.MaxEventNameLength)];
        return Ga4Limits.IsEventName(name) ? name : "generate_lead";
    }

    private static JsonObject Parameters(Conversion conversion, VisitorProfile visitor, string name, List<string> keys)
    {
        var parameters = new JsonObject();
        if (Ga4Limits.IsSessionId(visitor.GaSessionId))
        {
            parameters["session_id"] = visitor.GaSessionId;
            // With a session id GA4 counts the event as engaged activity of that session (its reports need both).
            parameters["engagement_time_msec"] = 1;
            keys.Add("session_id");
        }

        if (name == "purchase" && conversion.EventId is { Length: > 0 } eventId)
        {
            parameters["transaction_id"] = TransactionId(eventId);
            keys.Add("transaction_id");
        }

        // GA4 needs a currency (three letters, ISO 4217) with every value; a value without one is left out.
        if (conversion.Value is { } value && conversion.Currency is { Length: 3 } currency && currency.All(char.IsAsciiLetter))
        {
            parameters["value"] = value;
            parameters["currency"] = currency.ToUpperInvariant();
            keys.Add("value");
            keys.Add("currency");
        }

        if (name == "purchase" && (conversion.ContentId is not null || conversion.ContentName is not null))
        {
            var item = new JsonObject();
            if (conversion.ContentId is { } id)
            {
                item["item_id"] = Ga4Limits.Cap(id);
            }

            if (conversion.ContentName is { } itemName)
            {
                item["item_name"] = Ga4Limits.Cap(itemName);
            }

            item["quantity"] = 1;
            parameters["items"] = new JsonArray(item);
            keys.Add("items");
        }

        return parameters;
    }

    /// <summary>The event_id, or its SHA-256 when longer than a GA4 parameter value may be (still deterministic, still unique).</summary>
    public static string TransactionId(string eventId)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        return eventId.Length <= Ga4Limits.MaxParameterValueLength ? eventId : ContactHashing.Sha256Hex(eventId);
    }
}
