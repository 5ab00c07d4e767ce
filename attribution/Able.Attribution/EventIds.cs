namespace Able.Attribution;

/// <summary>
/// Every log event id of the attribution domain (6000-6999), in one place so operators can filter on them and no
/// two collide: 60xx ingest entries, 61xx delivery to TikTok, 62xx the ingest consumer, 63xx the delivery loop and stream maintenance, 64xx the Calendly subscription watchdog. Outages of these loops are logged by
/// Able.Supervision (2xxx).
/// </summary>
internal static class EventIds
{
    public const int IngestFunnelUnknown = 6001;

    public const int DeliveryDryRun = 6101;
    public const int DeliveryBatchSplit = 6102;
    public const int DeliveryRetried = 6103;
    public const int DeliveryDeadLettered = 6104;
    public const int DeliveryTokenRefused = 6105;
    public const int DeliveryJobUnreadable = 6106;
    public const int Ga4Retried = 6107;
    public const int Ga4DeadLettered = 6108;
    public const int Ga4GivenBack = 6109;

    public const int ConsumerStarted = 6201;
    public const int IngestReclaimed = 6202;
    public const int IngestEntryOutcome = 6203;
    public const int IngestEntryFailed = 6204;
    public const int IngestGroupMissing = 6205;
    public const int IngestEntryDeadLettered = 6206;
    public const int IngestEntryWithoutOutcome = 6207;

    public const int LedgerEntriesRemoved = 6303;

    public const int CalendlySubscriptionDown = 6401;
    public const int CalendlySubscriptionRepaired = 6402;
    public const int CalendlyWatchdogCallFailed = 6403;
    public const int CalendlyRepairImpossible = 6404;
    public const int CalendlyNotWatched = 6405;

    public const int DeadLetterReplayed = 6501;
    public const int PersonErased = 6502;

    public const int StatsCountersRefused = 6601;
}
