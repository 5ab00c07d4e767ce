using Able.Attribution.Service.Admin;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using StackExchange.Redis;

namespace Able.Attribution.Service.ConsolePages;

/// <summary>
/// Runs before every console endpoint: the security headers; 404 when admin is off; the login redirect without a
/// session; and for every POST a bounded form read and the antiforgery check (400 without a valid token). A Redis that
/// does not answer (sessions, the cookie key ring, the data) is a 503 page that says so, never a 500.
/// </summary>
public static class ConsoleGuard
{
    /// <summary>Largest form body accepted (the console's forms are a few short fields).</summary>
    public const int MaxFormBytes = 16 * 1024;

    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

    public static async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(next);
        var context = invocation.HttpContext;
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-store";

        try
        {
            return await GuardAsync(invocation, next, context);
        }
        catch (Exception error) when (error is RedisConnectionException or TimeoutException)
        {
            context.RequestServices.GetRequiredService<ConsoleAudit>().RedisUnavailable(context.Request.Method, context.Request.Path.Value ?? "", error.GetType().Name);
            context.Response.Headers.RetryAfter = "5";
            return ConsolePage.RenderBare("Redis is not answering", HtmlBuilder.Of(
                $"<p>Redis, where the console keeps its sessions and reads its numbers, is not answering. Try again in a few seconds.</p>"),
                StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static async ValueTask<object?> GuardAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next, HttpContext context)
    {
        var services = context.RequestServices;
        if (!services.GetRequiredService<AdminToken>().Enabled)
        {
            return ConsolePage.RenderBare("The console is off", HtmlBuilder.Of(
                $"<p>The console is off: no admin token is configured (<code>Able:Admin:Token</code>, from the environment <code>Able__Admin__Token</code>).</p>"),
                StatusCodes.Status404NotFound);
        }

        var isPublic = context.GetEndpoint()?.Metadata.GetMetadata<ConsolePublicMetadata>() is not null;
        if (!isPublic && !await services.GetRequiredService<ConsoleSessions>().IsActiveAsync(context))
        {
            var returnUrl = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                ? context.Request.Path + context.Request.QueryString
                : (string)context.Request.Path;
            var login = "/console/login?returnUrl=" + Uri.EscapeDataString(returnUrl);
            return HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                ? Results.Redirect(login)
                : ConsolePage.SeeOther(login);
        }

        if (HttpMethods.IsPost(context.Request.Method))
        {
            var problem = await ReadFormAsync(context);
            if (problem is not null)
            {
                return ConsolePage.Problem(context, StatusCodes.Status400BadRequest, "Bad request", problem);
            }

            if (!await services.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context))
            {
                return ConsolePage.Problem(context, StatusCodes.Status400BadRequest, "Bad request",
                    "The form's security token is missing or not valid (an old page, or a form from another site). Go back, reload the page and send it again.");
            }
        }

        return await next(invocation);
    }

    /// <summary>Reads the posted form within small limits; the problem when it is not a readable form.</summary>
    private static async Task<string?> ReadFormAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = MaxFormBytes;
        }

        if (!context.Request.HasFormContentType)
        {
            return "The console accepts form posts only (application/x-www-form-urlencoded).";
        }

        context.Features.Set<IFormFeature>(new FormFeature(context.Request, new FormOptions
        {
            ValueCountLimit = 64,
            KeyLengthLimit = 256,
            ValueLengthLimit = MaxFormBytes,
            MultipartBodyLengthLimit = MaxFormBytes,
            MultipartHeadersLengthLimit = 4096,
        }));
        try
        {
            await context.Request.ReadFormAsync(context.RequestAborted);
            return null;
        }
        catch (Exception error) when (error is InvalidDataException or BadHttpRequestException or IOException)
        {
            return "The form could not be read (too large or malformed).";
        }
    }
}
