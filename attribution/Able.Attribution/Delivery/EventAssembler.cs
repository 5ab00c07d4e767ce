using Able.Attribution.Conversions;
using Able.Attribution.Receipts;
using Able.Attribution.Reports;
using Able.Attribution.TikTok;
using Able.Attribution.Visitors;
using Able.Attribution.Worker;
using Able.Schema.Configuration;
using Able.Schema.Visitors;

namespace Able.Attribution.Delivery;

/// <summary>
/// Records the contact hashes of a resolved visitor, builds the TikTok event into the receipt, and counts the conversion
/// for the reports (<see cref="StatsRecorder.ConversionAsync"/>, once per receipt however often this runs for it).
/// </summary>
public sealed class EventAssembler(VisitorResolver resolver, WorkerMetrics metrics, StatsRecorder stats)
{
    public async Task<MatchReceipt> AssembleAsync(Conversion conversion, VisitorResolution resolution, FunnelOptions funnel, MatchReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(conversion);
        ArgumentNullException.ThrowIfNull(resolution);
        ArgumentNullException.ThrowIfNull(funnel);
        ArgumentNullException.ThrowIfNull(receipt);
        if (resolution.Visitor is { } visitor)
        {
            await resolver.RecordContactsAsync(visitor, conversion, TimeSpan.FromDays(funnel.RetentionDays));
        }

        var built = TikTokEventBuilder.Build(conversion, resolution.Visitor, funnel);
        metrics.Conversions.WithLabels(funnel.Mark, conversion.TikTokEvent ?? "", resolution.Visitor is null ? "false" : "true").Inc();
        var (first, last) = StatsRecorder.Credits(resolution.Visitor);
        var assembled = receipt with
        {
            VisitorId = resolution.Visitor?.VisitorId,
            JoinPath = resolution.JoinPath,
            NoJoinReason = resolution.NoJoinReason,
            KeysAvailable = built.KeysAvailable,
            KeysSent = built.KeysSent,
            ClickAgeSeconds = built.ClickAgeSeconds,
            Payload = built.Event,
            FirstTouchCampaign = first,
            LastTouchCampaign = last,
        };
        await stats.ConversionAsync(assembled, conversion, TimeSpan.FromDays(funnel.RetentionDays));
        return assembled;
    }
}
