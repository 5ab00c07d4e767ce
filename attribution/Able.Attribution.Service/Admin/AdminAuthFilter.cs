using Able.Hosting;
using StackExchange.Redis;

namespace Able.Attribution.Service.Admin;

/// <summary>
/// In front of every admin route, before anything is read: the API is off (404) without a configured token; a client
/// address that sent too many wrong tokens is refused (429 with <c>Retry-After</c>, even with the right token); a missing
/// or wrong <c>Authorization: Bearer</c> token is 401 (a wrong one counted against the address). Behind it, a Redis that
/// does not answer is 503 and any other failure a logged 500, both as problem details.
/// </summary>
internal sealed class AdminAuthFilter(AdminToken token, FailedAttemptLimiter limiter, ILogger<AdminAuthFilter> logger) : IEndpointFilter
{
    private const string BearerPrefix = "Bearer ";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (!token.Enabled)
        {
            return AdminProblems.Off();
        }

        var client = ClientAddress.Normalise(http.Connection.RemoteIpAddress);
        var method = http.Request.Method;
        var path = http.Request.Path.Value ?? "";
        if (limiter.RetryAfter(client) is { } retryAfter)
        {
            var seconds = (long)Math.Ceiling(retryAfter.TotalSeconds);
            AdminLog.RefusedTooManyWrongTokens(logger, method, path, client, seconds);
            return AdminProblems.TooManyWrongTokens(retryAfter);
        }

        var presented = BearerToken(http.Request.Headers.Authorization.ToString());
        if (presented is null)
        {
            return AdminProblems.Unauthorized(tokenSent: false);
        }

        if (!token.Matches(presented))
        {
            limiter.RecordFailure(client);
            AdminLog.WrongToken(logger, client, method, path);
            return AdminProblems.Unauthorized(tokenSent: true);
        }

        try
        {
            return await next(context);
        }
        catch (Exception error) when (error is RedisConnectionException or TimeoutException)
        {
            var reason = error.GetType().Name;
            AdminLog.RedisUnavailable(logger, method, path, reason);
            return AdminProblems.RedisUnavailable();
        }
        catch (Exception error) when (error is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
        {
            AdminLog.RequestFailed(logger, error, method, path);
            return AdminProblems.Failed();
        }
    }

    /// <summary>The token of <c>Authorization: Bearer &lt;token&gt;</c> (scheme in any case), or null when there is none.</summary>
    internal static string? BearerToken(string authorization)
    {
        if (!authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var presented = authorization[BearerPrefix.Length..].Trim();
        return presented.Length == 0 ? null : presented;
    }
}
