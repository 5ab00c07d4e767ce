namespace Able.Hosting;

/// <summary>
/// Every log event id of the shared hosting code (1000-1999), in one place so operators can filter on them and
/// no two collide. The gateway uses 3000-4999, the attribution service 5000-5999, the attribution domain 6000-6999.
/// </summary>
internal static class EventIds
{
    /// <summary>A changed configuration did not validate; the last valid one stays in force.</summary>
    public const int ConfigurationChangeRejected = 1001;
}
