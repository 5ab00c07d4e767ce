namespace Able.Benchmarks.Suite;

/// <summary>One wrk run's figures, as the scenario scripts' <c>done()</c> (wrk/report.lua) prints them.</summary>
internal sealed record WrkResult(
    long Requests,
    long DurationMicroseconds,
    long Bytes,
    long P50Microseconds,
    long P99Microseconds,
    long MaxMicroseconds,
    long ConnectErrors,
    long ReadErrors,
    long WriteErrors,
    long Timeouts,
    long Non2xx3xx)
{
    public double RequestsPerSecond => DurationMicroseconds > 0 ? Requests / (DurationMicroseconds / 1e6) : 0;

    public double P50Milliseconds => P50Microseconds / 1000.0;

    public double P99Milliseconds => P99Microseconds / 1000.0;

    public long Errors => ConnectErrors + ReadErrors + WriteErrors + Timeouts + Non2xx3xx;
}
