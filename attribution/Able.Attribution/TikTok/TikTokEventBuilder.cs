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
        };
        var sent = user.Select(p => p.Key).ToList();
        if (Device(visitor?.Device) is { } device)
        {
            tikTokEvent["device"] = device;
            var keys = device.Select(p => $"device.{p.Key}").ToList();
            available.AddRange(keys);
            sent.AddRange(keys);
        }

        tikTokEvent["page"] = Page(conversion, visitor, funnel, clickUsed: user.ContainsKey("ttclid"));
        tikTokEvent["properties"] = Properties(conversion);
        tikTokEvent["limited_data_use"] = funnel.TikTok.LimitedDataUse;
        return new BuiltEvent(tikTokEvent, available, sent, clickAge);
    }

    /// <summary>
    /// The browser's client hints in the shape of TikTok's own server-side tag (tiktok/gtm-template-eapi, <c>getBody</c>):
    /// <c>platform</c>, <c>platform_version</c>, <c>mobile</c> (a boolean), <c>model</c>, <c>architecture</c>, <c>bitness</c>
    /// and <c>browser_version_list</c> (the full version list as <c>[{"brand", "version"}]</c>), each only when known;
    /// null when none is. Sent whatever <c>LimitedDataUse</c> says, like the ip and user agent they describe: the flag
    /// tells TikTok how to use the event's data.
    /// </summary>
    private static JsonObject? Device(DeviceHints? hints)
    {
        if (hints is null)
        {
            return null;
        }

        var device = new JsonObject();
        AddText(device, "platform", hints.Platform);
        AddText(device, "platform_version", hints.PlatformVersion);
        if (hints.Mobile is { } mobile)
        {
            device["mobile"] = mobile;
        }

        AddText(device, "model", hints.Model);
        AddText(device, "architecture", hints.Architecture);
        AddText(device, "bitness", hints.Bitness);
        if (hints.FullVersions() is { Count: > 0 } brands)
        {
            device["browser_version_list"] = new JsonArray(
                [.. brands.Select(b => (JsonNode)new JsonObject { ["brand"] = b.Brand, ["version"] = b.Version })]);
        }

        return device.Count > 0 ? device : null;

        static void AddText(JsonObject device, string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                device[key] = value;
            }
        }
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
