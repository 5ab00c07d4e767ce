using System.Globalization;
using Able.Attribution.Service.Admin;

namespace Able.Attribution.Service.ConsolePages;

/// <summary><c>/console/login</c> (the admin token as password) and <c>POST /console/logout</c>.</summary>
public static class LoginPage
{
    public static void Map(RouteGroupBuilder console)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.MapGet("/login", async (HttpContext context, ConsoleSessions sessions, string? returnUrl) =>
            await sessions.IsActiveAsync(context)
                ? Results.Redirect(ConsoleReturnUrl.SafeOrDefault(returnUrl))
                : Form(context, returnUrl, problem: null, StatusCodes.Status200OK))
            .WithMetadata(ConsolePublicMetadata.Instance);

        console.MapPost("/login", async (HttpContext context, ConsoleSessions sessions, AdminToken token, FailedAttemptLimiter limiter, ConsoleAudit audit) =>
        {
            var form = context.Request.Form;
            var returnUrl = (string?)form["returnUrl"];
            var client = context.Connection.RemoteIpAddress;
            if (limiter.RetryAfter(client) is { } wait)
            {
                var seconds = (int)Math.Ceiling(wait.TotalSeconds);
                audit.LoginRefused(client, seconds);
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return Form(context, returnUrl, $"Too many wrong passwords from this address. Try again in {seconds} seconds.", StatusCodes.Status429TooManyRequests);
            }

            if (!token.Matches(((string?)form["password"]).AsSpan()))
            {
                limiter.RecordFailure(client);
                audit.LoginFailed(client);
                return Form(context, returnUrl, "That is not the admin token.", StatusCodes.Status401Unauthorized);
            }

            await sessions.StartAsync(context);
            audit.Login(client);
            return ConsolePage.SeeOther(ConsoleReturnUrl.SafeOrDefault(returnUrl));
        }).WithMetadata(ConsolePublicMetadata.Instance);

        console.MapPost("/logout", async (HttpContext context, ConsoleSessions sessions) =>
        {
            await sessions.EndAsync(context);
            return ConsolePage.SeeOther("/console/login");
        });
    }

    private static IResult Form(HttpContext context, string? returnUrl, string? problem, int statusCode)
    {
        var html = new HtmlBuilder();
        html.Append($"<form class=\"login\" method=\"post\" action=\"/console/login\">");
        if (problem is not null)
        {
            html.Append($"<p class=\"problem\" role=\"alert\" id=\"login-problem\">{problem}</p>");
        }

        html.Append($"""
            <p>Sign in with the admin token (<code>Able:Admin:Token</code>).</p>
            <div class="field"><label for="password">Admin token</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required autofocus></div>
            {ConsolePage.CsrfField(context)}
            """);
        if (ConsoleReturnUrl.IsLocalConsoleUrl(returnUrl))
        {
            html.Append($"<input type=\"hidden\" name=\"returnUrl\" value=\"{returnUrl}\">");
        }

        html.Append($"<button type=\"submit\">Log in</button></form>");
        return ConsolePage.RenderBare("Log in", html.ToFragment(), statusCode);
    }
}
