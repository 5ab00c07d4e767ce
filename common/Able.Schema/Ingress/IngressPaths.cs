namespace Able.Schema.Ingress;

/// <summary>
/// The attribution service's public paths, in one list for both services: the service maps them, and the gateway
/// forwards them from every funnel host to the service and rate-limits them.
/// </summary>
public static class IngressPaths
{
    /// <summary>Calendly webhooks: <c>/calendly-webhook/{mark}</c>.</summary>
    public static readonly IngressPath CalendlyWebhook = new("/calendly-webhook", MarkInPath: true);

    /// <summary>Stripe webhooks: <c>/stripe-webhook/{mark}</c>.</summary>
    public static readonly IngressPath StripeWebhook = new("/stripe-webhook", MarkInPath: true);

    /// <summary>The conversions API: <c>/v1/conversions</c> (the funnel comes from the bearer key).</summary>
    public static readonly IngressPath ConversionsApi = new("/v1/conversions", MarkInPath: false);

    public static IReadOnlyList<IngressPath> All { get; } = [CalendlyWebhook, StripeWebhook, ConversionsApi];
}

/// <summary>One ingress path: its fixed prefix and whether a funnel's mark follows it as the next segment.</summary>
public sealed record IngressPath(string Prefix, bool MarkInPath)
{
    /// <summary>
    /// The route template: the prefix, then <c>{parameter}</c> for the mark when there is one
    /// (<c>/calendly-webhook/{funnel}</c>; the gateway uses <c>{**rest}</c> to forward whatever follows).
    /// </summary>
    public string Template(string parameter) => MarkInPath ? $"{Prefix}/{{{parameter}}}" : Prefix;
}
