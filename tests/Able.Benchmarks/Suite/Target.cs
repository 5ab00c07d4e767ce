namespace Able.Benchmarks.Suite;

/// <summary>What wrk is pointed at: the origin itself or one of the proxies in front of it.</summary>
internal sealed record Target(string Name, string Url, bool IsGateway)
{
    public const string Origin = "origin";
    public const string Nginx = "nginx";
    public const string BareYarp = "bare YARP";
    public const string Able = "Able gateway";
}
