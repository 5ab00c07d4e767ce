using Able.Schema.Configuration;
using static Able.Schema.Configuration.OptionsRules;

namespace Able.Attribution.Service.Admin;

/// <summary><c>Able:Admin</c>, validated (and strictly bound) by the attribution service only.</summary>
public sealed class AdminOptionsValidator : IAbleOptionsSectionValidator
{
    /// <summary>Shortest token accepted: a guessable one would open every report and the erasure endpoint.</summary>
    public const int MinimumTokenLength = 16;

    public string Section => nameof(AbleOptions.Admin);

    public void Validate(AbleOptions options, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        var path = KeyOf(Section);
        var admin = options.Admin;
        if (admin.Token is { } token && (token.Length < MinimumTokenLength || token.Any(char.IsWhiteSpace)))
        {
            errors.Add($"{path}:Token must be at least {MinimumTokenLength} characters without spaces, or left out (the admin API and console are then off)");
        }

        RequireBetween($"{path}:SessionMinutes", admin.SessionMinutes, 1, 30 * 1440, errors);
        RequireBetween($"{path}:FailedAttemptsPerMinute", admin.FailedAttemptsPerMinute, 1, 10_000, errors);
        RequireBetween($"{path}:ReportCacheSeconds", admin.ReportCacheSeconds, 0, 3600, errors);
    }
}
