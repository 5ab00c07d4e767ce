namespace Able.Testing;

/// <summary>
/// Real time moved to a pretend date (the fixtures are dated March 2026): it ticks and its timers fire
/// like the system clock, so background loops behave normally. <see cref="JumpTo"/> moves it again.
/// </summary>
public sealed class ShiftedTime(DateTimeOffset pretendNow) : TimeProvider
{
    private TimeSpan offset = pretendNow - System.GetUtcNow();

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;

    public void JumpTo(DateTimeOffset pretend) => offset = pretend - System.GetUtcNow();

    public static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, global::System.Globalization.CultureInfo.InvariantCulture);
}
