namespace Able.Gateway;

/// <summary>
/// Every log event id of the gateway (3000-4999), in one place so operators can filter on them and no two collide:
/// 30xx capture, 40xx routing, 41xx HTML decoration.
/// </summary>
internal static class EventIds
{
    public const int CaptureWriteFailed = 3001;
    public const int CaptureWriteRecovered = 3002;
    public const int CaptureShutdownDropped = 3003;
    public const int CaptureWriteRejected = 3004;

    public const int BodyOnBodilessMethodRefused = 4001;

    /// <summary>HTML left undecorated over an unknown content coding (was the stray id 1).</summary>
    public const int HtmlLeftUndecorated = 4101;
}
