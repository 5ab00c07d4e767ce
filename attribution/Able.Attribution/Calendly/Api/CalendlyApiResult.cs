using System.Diagnostics.CodeAnalysis;

namespace Able.Attribution.Calendly.Api;

/// <summary>Why a Calendly API call failed.</summary>
public enum CalendlyApiFailure
{
    /// <summary>401: the token is wrong, expired or revoked.</summary>
    Unauthorized,

    /// <summary>403: the plan has no webhooks, or the token's user may not do this (organization scope needs an admin).</summary>
    Forbidden,

    /// <summary>404: the resource is not there.</summary>
    NotFound,

    /// <summary>429 for longer than <c>Able:Attribution:Calendly:MaxRateLimitWaitSeconds</c>.</summary>
    RateLimited,

    /// <summary>The API could not be reached, or did not answer in time.</summary>
    Network,

    /// <summary>Any other status, or an answer that is not what the API documents.</summary>
    Unexpected,
}

/// <summary>A failed call: what kind, the HTTP status if there was one, and a message a person understands (never the token).</summary>
public sealed record CalendlyApiError(CalendlyApiFailure Kind, int? HttpStatus, string Message);

/// <summary>Either the value of a Calendly API call or why it failed; parsing Calendly's answers never throws.</summary>
public sealed record CalendlyApiResult<T>
{
    private CalendlyApiResult(T? value, CalendlyApiError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public CalendlyApiError? Error { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Error is null;

    internal static CalendlyApiResult<T> Of(T? value, CalendlyApiError? error) => new(value, error);

    /// <summary>The same failure as another result's, for a call that depends on it.</summary>
    public CalendlyApiResult<TOther> Forward<TOther>() =>
        CalendlyApiResult.Failure<TOther>(Error ?? throw new InvalidOperationException("A successful result has no failure to forward."));
}

/// <summary>Makes <see cref="CalendlyApiResult{T}"/>s.</summary>
public static class CalendlyApiResult
{
    public static CalendlyApiResult<T> Success<T>(T value) => CalendlyApiResult<T>.Of(value, null);

    public static CalendlyApiResult<T> Failure<T>(CalendlyApiError error) =>
        CalendlyApiResult<T>.Of(default, error ?? throw new ArgumentNullException(nameof(error)));
}
