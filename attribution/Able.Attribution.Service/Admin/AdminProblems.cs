using System.Globalization;

namespace Able.Attribution.Service.Admin;

/// <summary>
/// The admin API's error answers: RFC 9457 problem details (<c>application/problem+json</c>), a bad input naming the
/// parameter or field in <c>detail</c> and in a <c>parameter</c> member.
/// </summary>
internal static class AdminProblems
{
    /// <summary>The answer on every admin route while no token is configured.</summary>
    public const string OffDetail = "the admin API is off: set Able:Admin:Token";

    public static IResult Off() =>
        Results.Problem(detail: OffDetail, statusCode: StatusCodes.Status404NotFound, title: "Admin API off");

    /// <summary>400: <paramref name="parameter"/> (a query parameter, route value or JSON field) is not acceptable.</summary>
    public static IResult BadParameter(string parameter, string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: $"Bad parameter: {parameter}",
            extensions: new Dictionary<string, object?> { ["parameter"] = parameter });

    /// <summary>404 for a funnel that is not configured, naming where it was given.</summary>
    public static IResult UnknownFunnel(string parameter, string funnel) =>
        Results.Problem(detail: $"{parameter}: no funnel '{funnel}' is configured", statusCode: StatusCodes.Status404NotFound,
            title: "Unknown funnel", extensions: new Dictionary<string, object?> { ["parameter"] = parameter });

    public static IResult NotFound(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static IResult Conflict(string detail) =>
        Results.Problem(detail: detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    public static IResult BodyProblem(int status, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: status == StatusCodes.Status413PayloadTooLarge ? "Body too large" : "Bad body");

    /// <summary>401 with <c>WWW-Authenticate: Bearer</c> (RFC 6750: <c>invalid_token</c> when a token was sent).</summary>
    public static IResult Unauthorized(bool tokenSent) =>
        new WithHeader(
            Results.Problem(
                detail: tokenSent ? "the bearer token is not the admin token" : "send the admin token: Authorization: Bearer <Able:Admin:Token>",
                statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized"),
            "WWW-Authenticate", tokenSent ? "Bearer realm=\"able-admin\", error=\"invalid_token\"" : "Bearer realm=\"able-admin\"");

    public static IResult TooManyWrongTokens(TimeSpan retryAfter)
    {
        var seconds = (long)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));
        return new WithHeader(
            Results.Problem(detail: $"too many wrong admin tokens from this address; retry in {seconds.ToString(CultureInfo.InvariantCulture)} s",
                statusCode: StatusCodes.Status429TooManyRequests, title: "Too many wrong tokens"),
            "Retry-After", seconds.ToString(CultureInfo.InvariantCulture));
    }

    public static IResult RedisUnavailable() =>
        new WithHeader(
            Results.Problem(detail: "Redis did not answer in time; retry later", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Storage unavailable"),
            "Retry-After", "5");

    public static IResult Failed() =>
        Results.Problem(detail: "the request failed; the service log says why", statusCode: StatusCodes.Status500InternalServerError, title: "Internal error");

    /// <summary>An answer plus one response header.</summary>
    private sealed class WithHeader(IResult inner, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
