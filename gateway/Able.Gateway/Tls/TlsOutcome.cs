namespace Able.Gateway.Tls;

/// <summary>The <c>outcome</c> label values of <c>able_tls_handshakes_total</c>.</summary>
internal static class TlsOutcome
{
    public const string Ok = "ok";
    public const string NoSni = "no_sni";
    public const string UnknownHost = "unknown_host";
    public const string NoCertificate = "no_certificate";
    public const string Failed = "failed";
}
