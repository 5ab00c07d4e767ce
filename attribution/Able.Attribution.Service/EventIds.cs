namespace Able.Attribution.Service;

/// <summary>
/// Every log event id of the attribution service's front door (5000-5999), in one place so operators can filter
/// on them and no two collide. The attribution domain (worker, delivery) uses 6000-6999.
/// </summary>
internal static class EventIds
{
    public const int IngestUnavailable = 5001;
    public const int IngestStillUnavailable = 5006;
    public const int IngestAvailableAgain = 5007;
    public const int IngressRejected = 5002;
    public const int IngressIgnored = 5003;
    public const int IngressBodyReadFailed = 5005;

    // The admin API (management port): 51xx.
    public const int AdminApiState = 5101;
    public const int AdminWrongToken = 5102;
    public const int AdminRefusedTooManyWrongTokens = 5103;
    public const int AdminRequestFailed = 5104;
    public const int AdminRedisUnavailable = 5105;
    public const int AdminPersonErased = 5106;
    public const int AdminJourneyLookedUp = 5107;
    public const int AdminDeadLetterReplayed = 5108;
    public const int AdminDeadLettersReplayed = 5109;
    public const int AdminDeadLetterDiscarded = 5110;

    // The console (5200-5299).
    public const int ConsoleLogin = 5200;
    public const int ConsoleLoginFailed = 5201;
    public const int ConsoleLoginRefused = 5202;
    public const int ConsoleErasure = 5203;
    public const int ConsoleDeadLetterReplayed = 5204;
    public const int ConsoleDeadLetterDiscarded = 5205;
    public const int ConsoleRedisUnavailable = 5206;
    public const int ConsoleKeyRingRetry = 5207;
}
