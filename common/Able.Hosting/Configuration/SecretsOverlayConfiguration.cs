using Able.Schema.Configuration;
using Microsoft.Extensions.Configuration;

namespace Able.Hosting.Configuration;

/// <summary>The secrets overlay (<see cref="SecretsOverlayFile"/>) as a configuration source: optional, watched.</summary>
internal sealed class SecretsOverlaySource : FileConfigurationSource
{
    /// <summary>The providers of the whole configuration, where the funnels' marks are looked up.</summary>
    public required Func<IEnumerable<IConfigurationProvider>> AllProviders { get; init; }

    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new SecretsOverlayProvider(this);
    }
}

/// <summary>
/// Maps each mark's settings in the overlay onto the funnel with that mark in the rest of the configuration:
/// <c>Funnels.acme.Calendly.SigningKey</c> becomes <c>Able:Funnels:{index of acme}:Calendly:SigningKey</c>, at the overlay's
/// place in the order of sources (after <c>able.json</c>, before the environment). Loaded again when the overlay changes and
/// when the other sources are reloaded (a funnel added or moved in <c>able.json</c>). A file that cannot be read fails the
/// start with a message naming it; once running, such a file (an editor's half-saved state) keeps the last good settings.
/// </summary>
internal sealed class SecretsOverlayProvider(SecretsOverlaySource source) : FileConfigurationProvider(source)
{
    private IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>>? lastGood;

    /// <summary>Maps the overlay again (the funnels of the other sources changed); raises a reload when that changed anything.</summary>
    public void Remap()
    {
        if (lastGood is null)
        {
            return;
        }

        var mapped = Map(lastGood);
        if (!SameAs(mapped))
        {
            Data = mapped;
            OnReload();
        }
    }

    public override void Load(Stream stream)
    {
        using var reader = new StreamReader(stream);
        var (funnels, problem) = SecretsOverlayFile.Parse(reader.ReadToEnd());
        if (problem is not null)
        {
            if (lastGood is not null)
            {
                return;
            }

            throw new InvalidDataException($"The secrets overlay {source.Path} cannot be read: {problem}.");
        }

        lastGood = funnels;
        Data = Map(funnels);
    }

    private Dictionary<string, string?> Map(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> funnels)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (funnels.Count == 0)
        {
            return data;
        }

        var marks = FunnelIndexes();
        foreach (var (mark, settings) in funnels)
        {
            if (!marks.TryGetValue(mark, out var index))
            {
                continue;
            }

            foreach (var (setting, value) in settings)
            {
                // The mark itself is the funnel's identity in able.json: the overlay cannot change it.
                if (!string.Equals(setting, nameof(FunnelOptions.Mark), StringComparison.OrdinalIgnoreCase))
                {
                    data[$"{AbleOptions.SectionName}:{nameof(AbleOptions.Funnels)}:{index}:{setting}"] = value;
                }
            }
        }

        return data;
    }

    /// <summary>Mark → index of every funnel in the other sources (a later source's mark for an index wins, as in binding).</summary>
    private Dictionary<string, string> FunnelIndexes()
    {
        var funnelsPath = $"{AbleOptions.SectionName}:{nameof(AbleOptions.Funnels)}";
        var byIndex = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in source.AllProviders())
        {
            if (ReferenceEquals(provider, this))
            {
                continue;
            }

            foreach (var index in provider.GetChildKeys([], funnelsPath).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (provider.TryGet($"{funnelsPath}:{index}:{nameof(FunnelOptions.Mark)}", out var mark) && !string.IsNullOrEmpty(mark))
                {
                    byIndex[index] = mark;
                }
            }
        }

        var marks = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (index, mark) in byIndex)
        {
            marks.TryAdd(mark, index);
        }

        return marks;
    }

    private bool SameAs(Dictionary<string, string?> mapped) =>
        mapped.Count == Data.Count && mapped.All(p => Data.TryGetValue(p.Key, out var value) && value == p.Value);
}

/// <summary>Adds no settings; disposes what it was given when the configuration is disposed (the file sources' folder watchers).</summary>
internal sealed class DisposedWithConfigurationSource(params IDisposable[] owned) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(owned);

    private sealed class Provider(IDisposable[] owned) : ConfigurationProvider, IDisposable
    {
        public void Dispose()
        {
            foreach (var disposable in owned.Distinct())
            {
                disposable.Dispose();
            }
        }
    }
}
