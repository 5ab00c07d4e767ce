namespace Able.Attribution.Service.Ingress;

/// <summary>RFC 7807 answers shared by the ingress endpoints. Never 410: Calendly deletes a subscription on 410.</summary>
internal static class IngressResults
{
    public static IResult Problem(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title);

    public static IResult MethodNotAllowed(IngressMetrics metrics, string source, string funnel)
    {
        metrics.Count(source, funnel, IngressOutcome.MethodNotAllowed);
        return new WithHeader(Problem(StatusCodes.Status405MethodNotAllowed, "Method not allowed", "Only POST is accepted here."), "Allow", "POST");
    }

    public static IResult Unavailable(IngressMetrics metrics, string source, string funnel)
    {
        metrics.Count(source, funnel, IngressOutcome.Unavailable);
        return new WithHeader(
            Problem(StatusCodes.Status503ServiceUnavailable, "Storage unavailable", "The delivery was not stored; retry later."),
            "Retry-After", "5");
    }

    /// <summary>An answer plus one response header.</summary>
    public sealed class WithHeader(IResult inner, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
