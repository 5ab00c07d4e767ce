using System.Text.Json.Nodes;
using Able.Attribution.Conversions;
using Able.Attribution.Identity;
using Able.Attribution.Visitors;
using Able.Schema.Configuration;
using Able.Schema.Identity;
using Able.Schema.Visitors;

namespace Able.Attribution.TikTok;

/// <summary>One element of the Events API <c>data</c> array, and what went into it (for the receipt).</summary>
/// <param name="Event">The event exactly as sent: hashed contact data only.</param>
/// <param name="KeysAvailable">Match keys known for this conversion (a click outside the window still counts as available).</param>
/// <param name="KeysSent">Match keys present in <paramref name="Event"/>.</param>
/// <param name="ClickAgeSeconds">Seconds from the visitor's newest TikTok click to the event, when there was a click.</param>
public sealed record BuiltEvent(JsonObject Event, IReadOnlyList<string> KeysAvailable, IReadOnlyList<string> KeysSent, long? ClickAgeSeconds);

/// <summary>Builds the TikTok web event for a conversion (reference: tiktok-events-api.md, Request).</summary>
public static class TikTokEventBuilder
{
    /// <summary>A click this far after the event (clock skew between gateway and source) still counts.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public static BuiltEvent Build(Conversion conversion, VisitorProfile? visitor, FunnelOptions funnel)
    {
        ArgumentNullException.ThrowIfNull(conversion);
        ArgumentNullException.ThrowIfNull(funnel);
        var eventTime = conversion.EventTime ?? throw new ArgumentException("A conversion to send needs an event time.", nameof(conversion));
        var available = new List<string>();
        var (user, clickAge) = User(conversion, visitor, funnel, eventTime, available);
        var tikTokEvent = new JsonObject
        {
            ["event"] = conversion.TikTokEvent,
            ["event_time"] = eventTime.ToUnixTimeSeconds(),
            ["event_id"] = conversion.EventId,
            ["user"] = user,
            ["page"] = Page(conversion, visitor, funnel, clickUsed: user.ContainsKey("ttclid")),
            ["properties"] = Properties(conversion),
            ["limited_data_use"] = funnel.TikTok.LimitedDataUse,
        };
        return new BuiltEvent(tikTokEvent, available, [.. user.Select(p => p.Key)], clickAge);
    }

    /// <summary>
    /// The match keys: the click id only within the click window, then ttp, hashed contacts (the conversion's and
    /// the visitor's), ip, user agent and locale. Every key known is added to <paramref name="available"/>.
    /// </summary>
    private static (JsonObject User, long? ClickAgeSeconds) User(
        Conversion conversion, VisitorProfile? visitor, FunnelOptions funnel, DateTimeOffset eventTime, List<string> available)
    {
        var user = new JsonObject();
        long? clickAge = null;
        if (visitor?.ClickTtclid is { } ttclid && visitor.ClickAt is { } clickAt)
        {
            available.Add("ttclid");
            var age = eventTime - clickAt;
            clickAge = (long)age.TotalSeconds;
            if (age >= -ClockSkew && age <= TimeSpan.FromDays(funnel.TikTok.ClickWindowDays))
            {
                user["ttclid"] = ttclid;
            }
        }

        AddRaw(user, available, "ttp", visitor?.Ttp);
        AddHashes(user, available, "email", conversion.EmailHashes.Union(visitor?.EmailHashes ?? []));
        AddHashes(user, available, "phone", conversion.PhoneHashes.Union(visitor?.PhoneHashes ?? []));
        AddHashes(user, available, "external_id",
            (visitor is null ? [] : new[] { ContactHashing.HashExternalId(visitor.VisitorId)! }).Concat(conversion.ExternalIdHashes));
        AddRaw(user, available, "ip", visitor?.Ip);
        AddRaw(user, available, "user_agent", visitor?.UserAgent);
        AddRaw(user, available, "locale", AcceptLanguage.Primary(visitor?.AcceptLanguage));
        return (user, clickAge);
    }

    /// <summary>The page: the clicked URL when the click is sent, else the landing page, else whatever is known, else the funnel.</summary>
    private static JsonObject Page(Conversion conversion, VisitorProfile? visitor, FunnelOptions funnel, bool clickUsed)
    {
        var landing = visitor?.FirstTouch;
        var page = new JsonObject
        {
            ["url"] = (clickUsed ? visitor!.ClickUrl : null) ?? landing?.Url ?? visitor?.ClickUrl ?? visitor?.LastTouch?.Url
                ?? conversion.PageUrl ?? FunnelUrl(funnel),
        };
        if (((clickUsed ? visitor!.ClickReferrer : null) ?? landing?.Referrer ?? visitor?.ClickReferrer) is { } referrer)
        {
            page["referrer"] = referrer;
        }

        return page;
    }

    /// <summary>Value, currency, the booked or bought content and the order id, each only when known.</summary>
    private static JsonObject Properties(Conversion conversion)
    {
        var properties = new JsonObject();
        if (conversion.Value is { } value)
        {
            properties["value"] = value;
        }

        if (conversion.Currency is { } currency)
        {
            properties["currency"] = currency;
        }

        properties["content_type"] = "product";
        if (conversion.ContentId is not null || conversion.ContentName is not null)
        {
            var content = new JsonObject();
            if (conversion.ContentId is { } contentId)
            {
                content["content_id"] = contentId;
            }

            if (conversion.ContentName is { } contentName)
            {
                content["content_name"] = contentName;
            }

            properties["contents"] = new JsonArray(content);
        }

        if (conversion.OrderId is { } orderId)
        {
            properties["order_id"] = orderId;
        }

        return properties;
    }

    /// <summary>The request body for one pixel (reference: Request).</summary>
    public static JsonObject Body(string pixelId, string? testEventCode, IEnumerable<JsonObject> events)
    {
        var body = new JsonObject { ["event_source"] = "web", ["event_source_id"] = pixelId };
        if (!string.IsNullOrWhiteSpace(testEventCode))
        {
            body["test_event_code"] = testEventCode;
        }

        body["data"] = new JsonArray([.. events.Select(e => (JsonNode)e.DeepClone())]);
        return body;
    }

    private static string FunnelUrl(FunnelOptions funnel) =>
        funnel.Hosts.Length > 0 ? $"https://{funnel.Hosts[0]}/" : funnel.Origin;

    private static void AddRaw(JsonObject user, List<string> available, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            available.Add(key);
            user[key] = value;
        }
    }

    private static void AddHashes(JsonObject user, List<string> available, string key, IEnumerable<string> hashes)
    {
        var list = hashes.Where(ContactHashing.IsSha256Hex).Select(h => h.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToArray();
        if (list.Length > 0)
        {
            available.Add(key);
            user[key] = new JsonArray([.. list.Select(h => (JsonNode)h)]);
        }
    }
}
