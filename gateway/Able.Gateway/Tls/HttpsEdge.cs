using Able.Gateway.Routing;
using Able.Hosting.Management;
using Able.Schema.Configuration;
using Able.Schema.Ingress;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Able.Gateway.Tls;

/// <summary>
/// The public-port side of HTTPS, for requests to a funnel host while <c>Able:Gateway:Tls:Enabled</c>:
/// <list type="bullet">
/// <item><c>GET/HEAD /.well-known/acme-challenge/{token}</c> is answered from <c>AcmeWebroot</c> (over HTTP and HTTPS), so certbot's
/// <c>--webroot</c> mode works with the gateway in front; a token that is not there is 404, never forwarded.</item>
/// <item>Over plain HTTP, GET and HEAD on a host with a certificate loaded get <c>308</c> to the same URL on HTTPS (per funnel,
/// <c>Https:RedirectHttp</c>). Never the webhook and conversions paths, and never another method: a POST is served where it
/// was sent rather than trusting every sender to repeat its body.</item>
/// <item>Over HTTPS, <c>Strict-Transport-Security</c> when the funnel sets <c>Https:HstsMaxAgeSeconds</c> (never over HTTP, as RFC 6797 says).</item>
/// </list>
/// </summary>
internal static class HttpsEdge
{
    public const string AcmeChallengePrefix = "/.well-known/acme-challenge";

    public static IApplicationBuilder UseHttpsEdge(this IApplicationBuilder app)
    {
        var services = app.ApplicationServices;
        var options = services.GetRequiredService<IOptionsMonitor<AbleOptions>>();
        var tls = options.CurrentValue.Gateway.Tls;
        if (!tls.Enabled)
        {
            return app;
        }

        var managementPort = services.GetRequiredService<ManagementPort>().Port;
        var store = services.GetRequiredService<CertificateStore>();
        var webroot = Path.GetFullPath(tls.AcmeWebroot);
        var httpsPort = tls.RedirectPort ?? new Uri(tls.Url).Port;
        return app.Use((context, next) =>
        {
            if (context.Connection.LocalPort == managementPort
                || options.CurrentValue.FindFunnel(GatewayRequestMetrics.FunnelOf(context)) is not { } funnel)
            {
                return next(context);
            }

            var request = context.Request;
            var readOnly = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
            if (readOnly && request.Path.StartsWithSegments(AcmeChallengePrefix, StringComparison.Ordinal, out var token))
            {
                return ServeChallengeAsync(context, webroot, token.Value ?? "");
            }

            if (request.IsHttps)
            {
                AddHsts(context, funnel.Https);
                return next(context);
            }

            var host = FunnelHostNames.Normalize(request.Host.Host);
            if (readOnly && funnel.Https.RedirectHttp && !IsIngressPath(request.Path) && store.Find(host) is not null)
            {
                context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
                context.Response.Headers.Location = HttpsUrl(host, httpsPort, context);
                return Task.CompletedTask;
            }

            return next(context);
        });
    }

    /// <summary><c>https://host[:port]</c> plus the request target exactly as the client sent it (path and query intact).</summary>
    internal static string HttpsUrl(string host, int port, HttpContext context)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var target = rawTarget is { Length: > 0 } && rawTarget[0] == '/'
            ? rawTarget
            : context.Request.PathBase.Add(context.Request.Path).ToUriComponent() + context.Request.QueryString.ToUriComponent();
        var authority = port == 443 ? host : $"{host}:{port}";
        return $"https://{authority}{target}";
    }

    private static bool IsIngressPath(PathString path)
    {
        foreach (var ingress in IngressPaths.All)
        {
            if (path.StartsWithSegments(ingress.Prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static void AddHsts(HttpContext context, FunnelHttpsOptions https)
    {
        if (https.HstsMaxAgeSeconds <= 0)
        {
            return;
        }

        var value = https.HstsIncludeSubDomains
            ? $"max-age={https.HstsMaxAgeSeconds}; includeSubDomains"
            : $"max-age={https.HstsMaxAgeSeconds}";
        // Set as the response starts, so it replaces any the origin sent rather than doubling it.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers.StrictTransportSecurity = value;
            return Task.CompletedTask;
        });
    }

    private static Task ServeChallengeAsync(HttpContext context, string webroot, string tokenPath)
    {
        // "/{token}" where a token is base64url (RFC 8555, section 8.3): nothing else can name a file, so no path tricks.
        var token = tokenPath.StartsWith('/') ? tokenPath[1..] : "";
        if (token.Length is 0 or > 256 || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return Results.Text("Not found: not an ACME challenge token.\n", statusCode: StatusCodes.Status404NotFound).ExecuteAsync(context);
        }

        var file = Path.Combine(webroot, ".well-known", "acme-challenge", token);
        string content;
        try
        {
            content = File.ReadAllText(file);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return Results.Text("Not found: no such ACME challenge.\n", statusCode: StatusCodes.Status404NotFound).ExecuteAsync(context);
        }

        context.Response.Headers.CacheControl = "no-store";
        return Results.Text(content, "application/octet-stream").ExecuteAsync(context);
    }
}
