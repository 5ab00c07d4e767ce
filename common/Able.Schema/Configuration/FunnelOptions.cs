namespace Able.Schema.Configuration;

/// <summary>
/// One funnel: the public hosts a customer points at the gateway, the origin behind them, and the
/// destinations its conversions go to.
/// </summary>
public sealed record FunnelOptions
{
    /// <summary>Short stable name used in URLs (<c>/calendly-webhook/{mark}</c>), keys and metrics.</summary>
    public string Mark { get; init; } = "";

    /// <summary>Public host names (optionally with a port) that route to this funnel.</summary>
    public string[] Hosts { get; init; } = [];

    /// <summary>Absolute base URL of the customer's site behind the gateway.</summary>
    public string Origin { get; init; } = "";

    /// <summary>Days that personal data (visitor records, identity links) is kept. Default 90.</summary>
    public int RetentionDays { get; init; } = 90;

    /// <summary>Bearer key for <c>POST /v1/conversions</c>. A secret: set it from the environment.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Region used for phone numbers written without a country code (ISO 3166 alpha-2).</summary>
    public string DefaultPhoneRegion { get; init; } = "US";

    public TikTokFunnelOptions TikTok { get; init; } = new();

    public CalendlyFunnelOptions Calendly { get; init; } = new();

    public StripeFunnelOptions Stripe { get; init; } = new();

    public Ga4FunnelOptions? Ga4 { get; init; }

    public VisitorCookieOptions Cookie { get; init; } = new();

    public ConsentOptions Consent { get; init; } = new();

    /// <summary>Tracked links: name → Calendly URL, served as <c>/go/{name}</c>.</summary>
    public Dictionary<string, string> Links { get; init; } = [];

    /// <summary>Whether Calendly URLs in proxied HTML are decorated. Default on.</summary>
    public bool DecorateHtml { get; init; } = true;

    /// <summary>How this funnel's hosts use the gateway's HTTPS listener (when <c>Able:Gateway:Tls:Enabled</c>).</summary>
    public FunnelHttpsOptions Https { get; init; } = new();
}

/// <summary>Per-funnel HTTPS behaviour.</summary>
public sealed record FunnelHttpsOptions
{
    /// <summary>
    /// Answer GET/HEAD over plain HTTP with 308 to the same URL on HTTPS, once a certificate for the host is loaded.
    /// ACME challenges and the webhook/conversions paths are never redirected. Default on.
    /// </summary>
    public bool RedirectHttp { get; init; } = true;

    /// <summary><c>Strict-Transport-Security</c> max-age sent on HTTPS responses; 0 sends none. Default 0.</summary>
    public int HstsMaxAgeSeconds { get; init; }

    /// <summary>Add <c>includeSubDomains</c> to that header. Default off.</summary>
    public bool HstsIncludeSubDomains { get; init; }
}

public sealed record TikTokFunnelOptions
{
    public string PixelId { get; init; } = "";

    /// <summary>Events API access token. Empty means dry run: payloads are built and kept, not sent.</summary>
    public string? AccessToken { get; init; }

    public string? TestEventCode { get; init; }

    public bool LimitedDataUse { get; init; }

    /// <summary>How old a click may be and still be credited. Default 7, at most 28.</summary>
    public int ClickWindowDays { get; init; } = 7;
}

public sealed record CalendlyFunnelOptions
{
    /// <summary>Webhook signing key. A secret. <c>./able calendly connect</c> and the watchdog write it to the secrets overlay.</summary>
    public string? SigningKey { get; init; }

    /// <summary>
    /// The key a replaced subscription signed with, still accepted until <see cref="PreviousSigningKeyValidUntil"/> so
    /// deliveries already on their way when the subscription was recreated are not refused. A secret; written with the new key.
    /// </summary>
    public string? PreviousSigningKey { get; init; }

    /// <summary>Until when <see cref="PreviousSigningKey"/> is accepted (an ISO 8601 time); none: it is not accepted.</summary>
    public DateTimeOffset? PreviousSigningKeyValidUntil { get; init; }

    /// <summary>
    /// Personal access token for the Calendly API (<c>./able calendly connect</c> stores it). A secret. When set, the
    /// attribution service's watchdog keeps the funnel's webhook subscription alive.
    /// </summary>
    public string? ApiToken { get; init; }

    /// <summary>
    /// The URL Calendly posts this funnel's webhooks to (<c>https://book.example.com/calendly-webhook/acme</c>), as
    /// <c>./able calendly connect</c> subscribed it; the watchdog looks for and recreates the subscription with this URL.
    /// </summary>
    public string? WebhookUrl { get; init; }

    /// <summary>Scope of the webhook subscription: <c>organization</c> (default) or <c>user</c> (plans without organization webhooks).</summary>
    public string SubscriptionScope { get; init; } = "organization";

    /// <summary>Event type URIs or uuids that count; empty means all.</summary>
    public string[] EventTypes { get; init; } = [];

    /// <summary>Query parameter that carries the visitor id through Calendly. Default <c>salesforce_uuid</c>.</summary>
    public string CarrierParam { get; init; } = "salesforce_uuid";

    /// <summary>Value sent with a free booking, if any.</summary>
    public decimal? DefaultBookingValue { get; init; }

    public string? DefaultBookingCurrency { get; init; }
}

public sealed record StripeFunnelOptions
{
    /// <summary>Endpoint secret (<c>whsec_...</c>). A secret.</summary>
    public string? WebhookSecret { get; init; }
}

/// <summary>
/// Google Analytics 4 as a second destination of a funnel's conversions (Measurement Protocol): bookings as
/// <c>generate_lead</c>, paid bookings and sales as <c>purchase</c>. Leave the section out to send nothing to GA4.
/// </summary>
public sealed record Ga4FunnelOptions
{
    /// <summary>The web data stream's measurement id, <c>G-XXXXXXXXXX</c> (GA4 Admin → Data streams → the stream).</summary>
    public string MeasurementId { get; init; } = "";

    /// <summary>A Measurement Protocol API secret of that stream (same page → Measurement Protocol API secrets). A secret.</summary>
    public string ApiSecret { get; init; } = "";

    /// <summary>Send the Able visitor id as GA4's <c>user_id</c> (a pseudonymous id, never contact data). Default off.</summary>
    public bool SendUserId { get; init; }
}

public sealed record VisitorCookieOptions
{
    public string Name { get; init; } = "able_vid";

    /// <summary>Cookie domain, for example <c>.example.com</c>; empty means the request host.</summary>
    public string? Domain { get; init; }

    /// <summary>Default 400 days, the browsers' cap.</summary>
    public int MaxAgeDays { get; init; } = 400;
}

public sealed record ConsentOptions
{
    /// <summary>Treat <c>Sec-GPC: 1</c> as a refusal. Default on.</summary>
    public bool HonorGlobalPrivacyControl { get; init; } = true;

    /// <summary>Name of the site's consent cookie, if it has one.</summary>
    public string? CookieName { get; init; }

    /// <summary>Values of that cookie that mean "denied".</summary>
    public string[] DeniedValues { get; init; } = [];
}
