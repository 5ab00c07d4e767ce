using Able.Hosting;
using Able.Schema.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Able.Gateway.Tls;

internal static class TlsExtensions
{
    /// <summary>
    /// The certificate store, its reloader, and, with <c>Able:Gateway:Tls:Enabled</c>, the HTTPS listener on <c>Tls:Url</c> with
    /// SNI selection, TLS 1.2/1.3 only, and HTTP/2 by ALPN unless turned off; the store is loaded before it listens, so the first
    /// handshake has it. Neither directory needs to exist yet: certbot makes both, and until then there is nothing to serve.
    /// </summary>
    public static WebApplicationBuilder AddGatewayTls(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<TlsMetrics>();
        services.AddSingleton<FunnelHostNames>();
        services.AddSingleton<CertificateStore>();
        services.AddSingleton<TlsHandshakes>();
        services.AddHostedService<CertificateReloader>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var tls = kestrel.ApplicationServices.GetRequiredService<IOptions<AbleOptions>>().Value.Gateway.Tls;
            if (!tls.Enabled)
            {
                return;
            }

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
