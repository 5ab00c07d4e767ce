namespace Able.Tests.Acme;

/// <summary>The Pebble tests skip, saying which commands are missing, rather than pass without testing.</summary>
public sealed class CommandFactTests
{
    [Fact]
    public void A_fact_needing_missing_commands_is_skipped_naming_them()
    {
        Assert.Equal("able-no-such-command is not installed here.", new CommandFactAttribute("sh", "able-no-such-command").Skip);
        Assert.Equal("able-none-a and able-none-b are not installed here.", new CommandFactAttribute("able-none-a", "able-none-b").Skip);
        Assert.Null(new CommandFactAttribute("sh").Skip);
    }
}
