using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Hosting.Configuration;

/// <summary>
/// Checks <see cref="AbleOptions"/> the way one service sees it: the shared sections (Redis, Funnels) and
/// the sections the service owns, each by its own <see cref="IAbleOptionsSectionValidator"/> (YARP's
/// <c>ConfigValidator</c> composing its route and cluster validators). Every failure names the configuration key
/// it is about (<c>Able:Funnels:0:Hosts must not be empty</c>) so an operator can fix it without reading code.
/// </summary>
public sealed class AbleOptionsValidator : IValidateOptions<AbleOptions>
{
    private readonly IAbleOptionsSectionValidator[] sections;

    /// <param name="ownSections">The sections only this service reads, such as the gateway's <c>Gateway</c>.</param>
    public AbleOptionsValidator(IEnumerable<IAbleOptionsSectionValidator> ownSections)
    {
        ArgumentNullException.ThrowIfNull(ownSections);
        sections = [new RedisOptionsValidator(), new FunnelOptionsValidator(), .. ownSections];
    }

    /// <summary>The top-level keys under <c>Able</c> this service validates, and binds strictly.</summary>
    public IEnumerable<string> Sections => sections.Select(s => s.Section);

    public bool Owns(string section) => sections.Any(s => string.Equals(s.Section, section, StringComparison.OrdinalIgnoreCase));

    public ValidateOptionsResult Validate(string? name, AbleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        foreach (var section in sections)
        {
            section.Validate(options, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
