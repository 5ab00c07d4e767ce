namespace Able.Testing;

/// <summary>
/// A fact that needs a Docker engine. Where none answers (<see cref="DockerEngine"/>) it is skipped with the reason,
/// so the run reports it as skipped rather than as a pass that tested nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class DockerFactAttribute : FactAttribute
{
    /// <summary>Asked once per test run, when xunit discovers the tests.</summary>
    private static readonly Lazy<bool> EngineAnswers =
        new(() => DockerEngine.AnswersAsync(TimeSpan.FromSeconds(2)).GetAwaiter().GetResult());

    public DockerFactAttribute()
    {
        if (!EngineAnswers.Value)
        {
            Skip = "No Docker engine answers here (DOCKER_HOST or /var/run/docker.sock).";
        }
    }
}
