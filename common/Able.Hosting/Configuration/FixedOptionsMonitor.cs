using Microsoft.Extensions.Options;

namespace Able.Hosting.Configuration;

/// <summary>Options read once (a command's validated configuration) as an <see cref="IOptionsMonitor{TOptions}"/> that never changes.</summary>
public sealed class FixedOptionsMonitor<TOptions>(TOptions value) : IOptionsMonitor<TOptions>
{
    public TOptions CurrentValue { get; } = value;

    public TOptions Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<TOptions, string?> listener) => null;
}
