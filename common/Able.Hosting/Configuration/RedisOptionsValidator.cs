using Able.Schema.Configuration;

namespace Able.Hosting.Configuration;

/// <summary><c>Able:Redis</c>, validated by both services.</summary>
public sealed class RedisOptionsValidator : IAbleOptionsSectionValidator
{
    public string Section => nameof(AbleOptions.Redis);

    public void Validate(AbleOptions options, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        var path = OptionsRules.KeyOf(Section);
        var redis = options.Redis;
        if (string.IsNullOrWhiteSpace(redis.Configuration))
        {
            errors.Add($"{path}:Configuration must not be empty (for example localhost:6379)");
        }

        if (string.IsNullOrEmpty(redis.KeyPrefix) || redis.KeyPrefix.Any(char.IsWhiteSpace))
        {
            errors.Add($"{path}:KeyPrefix must be a non-empty prefix without spaces (for example able:)");
        }

        OptionsRules.RequireBetween($"{path}:ReadyTimeoutMilliseconds", redis.ReadyTimeoutMilliseconds, 50, 60_000, errors);
        OptionsRules.RequireBetween($"{path}:ConnectTimeoutMilliseconds", redis.ConnectTimeoutMilliseconds, 50, 60_000, errors);
    }
}
