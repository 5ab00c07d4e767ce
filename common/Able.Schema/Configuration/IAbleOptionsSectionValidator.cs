namespace Able.Schema.Configuration;

/// <summary>
/// Checks one top-level section of <c>Able</c> (the way YARP's <c>ConfigValidator</c> runs its route and
/// cluster validators). Each service validates only the sections it reads: Redis and Funnels by both,
/// Gateway by the gateway, Attribution and Worker by the attribution service. The section a service does not
/// own is neither bound strictly nor validated there, so a typo in the worker's settings cannot stop the gateway.
/// </summary>
public interface IAbleOptionsSectionValidator
{
    /// <summary>The key under <c>Able</c> this validator owns, such as <c>Gateway</c>; its binding errors are reported too.</summary>
    string Section { get; }

    /// <summary>Adds one message per problem, each naming its full key (<c>Able:Gateway:PublicUrl must ...</c>).</summary>
    void Validate(AbleOptions options, ICollection<string> errors);
}
