using System.Text;
using Microsoft.AspNetCore.Antiforgery;

namespace Able.Attribution.Service.ConsolePages;

/// <summary>Marks the console endpoints served without a session (the login form, its assets).</summary>
public sealed class ConsolePublicMetadata
{
    public static readonly ConsolePublicMetadata Instance = new();
}

/// <summary>What every console handler answers with: whole pages, problems, redirects.</summary>
public static class ConsolePage
{
    /// <summary>A page of the signed-in console (navigation and the logout form).</summary>
    public static IResult Render(HttpContext context, string title, ConsoleSection section, HtmlFragment body, int statusCode = StatusCodes.Status200OK) =>
        Html(ConsoleLayout.Page(title, section, body, CsrfField(context)), statusCode);

    /// <summary>A page without navigation (login, the console off).</summary>
    public static IResult RenderBare(string title, HtmlFragment body, int statusCode = StatusCodes.Status200OK) =>
        Html(ConsoleLayout.Page(title, ConsoleSection.None, body, csrf: null), statusCode);

    /// <summary>A clear 4xx page: what was wrong with the request.</summary>
    public static IResult Problem(HttpContext context, int statusCode, string title, string detail, ConsoleSection section = ConsoleSection.None) =>
        Render(context, title, section, HtmlBuilder.Of($"<p class=\"problem\" role=\"alert\">{detail}</p>"), statusCode);

    /// <summary>After a form post: 303, so a reload does not post again.</summary>
    public static IResult SeeOther(string localPath) => new SeeOtherResult(localPath);

    /// <summary>The antiforgery field every form carries (the same token for every form of a page).</summary>
    public static HtmlFragment CsrfField(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        var tokens = antiforgery.GetAndStoreTokens(context);
        return HtmlBuilder.Of($"<input type=\"hidden\" name=\"{tokens.FormFieldName}\" value=\"{tokens.RequestToken}\">");
    }

    private static IResult Html(string page, int statusCode) => Results.Content(page, "text/html; charset=utf-8", Encoding.UTF8, statusCode);

    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
