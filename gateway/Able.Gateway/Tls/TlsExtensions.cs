using Able.Hosting;
using Able.Schema.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Able.Gateway.Tls;

internal static class TlsExtensions
{
    /// <summary>
    /// With <c>Able:Gateway:Tls:Enabled</c>: the certificate store (loaded now, so the first handshake has it), its reloader, and
    /// the HTTPS listener on <c>Tls:Url</c> with SNI selection, TLS 1.2/1.3 only, and HTTP/2 by ALPN unless turned off.
    /// </summary>
    public static WebApplicationBuilder AddGatewayTls(this WebApplicationBuilder builder, AbleOptions options)
    {
        var tls = options.Gateway.Tls;
        if (!tls.Enabled)
        {
            return builder;
        }

        // Neither directory needs to exist yet: certbot makes both, and until then there is simply nothing to serve.
        var services = builder.Services;
        services.AddSingleton<TlsMetrics>();
        services.AddSingleton<FunnelHostNames>();
        services.AddSingleton<CertificateStore>();
        services.AddSingleton<TlsHandshakes>();
        services.AddHostedService<CertificateReloader>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var store = kestrel.ApplicationServices.GetRequiredService<CertificateStore>();
            store.Reload();
            var handshakes = kestrel.ApplicationServices.GetRequiredService<TlsHandshakes>();
            AbleHost.Listen(kestrel, new Uri(tls.Url), listen =>
            {
                listen.Protocols = tls.Http2 ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                listen.Use(handshakes.CountOutcomes());
                listen.UseHttps(handshakes.CallbackOptions());
                listen.Use(handshakes.CountSucceeded());
            });
        });
        return builder;
    }
}
