using System.Text.Json;
using System.Text.Json.Serialization;
using Able.Attribution.Conversions;
using Able.Attribution.Identity;
using Able.Attribution.Ingest;
using Able.Schema.Identity;

namespace Able.Attribution.Stripe;

/// <summary>
/// A Stripe event that attribution uses: <c>checkout.session.completed</c>, <c>invoice.paid</c> and
/// <c>charge.refunded</c>, read leniently. <see cref="Amount"/> is already converted from the minor unit. Email and
/// phone are held only as their normalised SHA-256; names, addresses and the rest are not kept. This record is what
/// the ingest stream stores for a Stripe event (<see cref="IngestFacts"/>), so its JSON names are a stored format.
/// </summary>
public sealed record StripePayment
{
    [JsonPropertyName("source_type")]
    public required string SourceEvent { get; init; }

    public string? EventId { get; init; }

    public DateTimeOffset? Created { get; init; }

    /// <summary>The payment's id: the PaymentIntent when there is one, else the session/invoice/charge id.</summary>
    public string? PaymentId { get; init; }

    /// <summary>The session, invoice or charge id (sent as <c>order_id</c>).</summary>
    public string? ObjectId { get; init; }

    public bool Paid { get; init; }

    public decimal? Amount { get; init; }

    public string? Currency { get; init; }

    /// <summary>SHA-256 of the trimmed, lower-case email (<see cref="ContactHashing.HashEmail"/>).</summary>
    public string? EmailHash { get; init; }

    /// <summary>SHA-256 of the E.164 phone number, read in the funnel's DefaultPhoneRegion (<see cref="PhoneHashing.HashPhone"/>).</summary>
    public string? PhoneHash { get; init; }

    /// <summary>
    /// A Checkout Session in <c>subscription</c> mode: its first payment also arrives as <c>invoice.paid</c>
    /// (billing_reason <c>subscription_create</c>), which is the one that counts, so the purchase is sent once.
    /// </summary>
    public bool IsSubscriptionCheckout { get; init; }

    /// <summary><c>client_reference_id</c>: a checkout link may carry the visitor id there.</summary>
    public string? ClientReferenceId { get; init; }

    /// <summary>ISO 4217 currencies whose Stripe amounts are already whole units.</summary>
    public static readonly IReadOnlySet<string> ZeroDecimalCurrencies = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    };

    /// <summary>Minor units → major units (4900 USD → 49.00; 15000 JPY → 15000).</summary>
    public static decimal FromMinorUnits(long amount, string currency) =>
        ZeroDecimalCurrencies.Contains(currency) ? amount : amount / 100m;

    /// <summary>
    /// Parses an event, hashing its email and phone (a number without a country code read in
    /// <paramref name="defaultPhoneRegion"/>); null with a reason when the body is not a Stripe event.
    /// </summary>
    public static StripePayment? Parse(ReadOnlyMemory<byte> body, string defaultPhoneRegion, out string? error)
    {
        using var document = LenientJson.Parse(body, out error);
        return document is null ? null : Read(document.RootElement, defaultPhoneRegion, out error);
    }

    /// <summary><see cref="Parse"/> of a body already parsed (the ingress's envelope check), without parsing it again.</summary>
    internal static StripePayment? Read(JsonElement body, string defaultPhoneRegion, out string? error)
    {
        JsonElement? root = body;
        var type = root.String("type");
        var data = root.Get("data").Get("object");
        if (type is null || data is not { ValueKind: JsonValueKind.Object })
        {
            error = "body is not a Stripe event (type and data.object are required)";
            return null;
        }

        error = null;
        var currency = data.String("currency")?.ToUpperInvariant();
        var (minor, paid) = type switch
        {
            "checkout.session.completed" => (data.Long("amount_total"), data.String("payment_status") is "paid" or "no_payment_required"),
            "invoice.paid" => (data.Long("amount_paid"), true),
            "charge.refunded" => (data.Long("amount_refunded"), false),
            _ => (data.Long("amount"), false),
        };
        var details = data.Get("customer_details");
        var objectId = data.String("id");
        return new StripePayment
        {
            SourceEvent = type,
            EventId = root.String("id"),
            Created = root.Time("created") ?? data.Time("created"),
            PaymentId = data.String("payment_intent") ?? objectId,
            ObjectId = objectId,
            Paid = paid,
            Amount = minor is { } m && currency is not null ? FromMinorUnits(m, currency) : null,
            Currency = currency,
            EmailHash = ContactHashing.HashEmail(details.String("email") ?? data.String("customer_email") ?? data.Get("billing_details").String("email")),
            PhoneHash = PhoneHashing.HashPhone(
                details.String("phone") ?? data.String("customer_phone") ?? data.Get("billing_details").String("phone"), defaultPhoneRegion),
            ClientReferenceId = data.String("client_reference_id"),
            IsSubscriptionCheckout = type == "checkout.session.completed" && data.String("mode") == "subscription",
        };
    }
}
