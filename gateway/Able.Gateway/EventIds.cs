namespace Able.Gateway;

/// <summary>
/// Every log event id of the gateway (3000-4999), in one place so operators can filter on them and no two collide:
/// 30xx capture, 40xx routing, 41xx HTML decoration, 42xx TLS.
/// </summary>
internal static class EventIds
{
    public const int CaptureWriteFailed = 3001;
    public const int CaptureWriteRecovered = 3002;
    public const int CaptureShutdownDropped = 3003;
    public const int CaptureWriteRejected = 3004;
    public const int CaptureLargeEncoding = 3005;
    public const int CaptureCountersFailed = 3006;

    public const int BodyOnBodilessMethodRefused = 4001;

    public const int TlsCertificateLoaded = 4201;
    public const int TlsCertificateRejected = 4202;
    public const int TlsCertificateRemoved = 4203;
    public const int TlsHandshakeRefused = 4204;
    public const int TlsCertificateCheckFailed = 4205;

    /// <summary>HTML left undecorated over an unknown content coding (was the stray id 1).</summary>
    public const int HtmlLeftUndecorated = 4101;
}
