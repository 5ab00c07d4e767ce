namespace Able.Tests.Testing;

/// <summary>
/// The privacy tests' search for raw contact data at rest (<see cref="RawContactData.Holds"/>): a name is found as a
/// word in any case and any JSON escaping, never inside a random id that happens to spell it.
/// </summary>
public sealed class RawContactDataHoldsTests
{
    [Theory]
    [InlineData("{\"name\":\"Jane Doe\"}", true)]
    [InlineData("invitee_full_name=Jane+DOE&x=1", true)]
    [InlineData("{\"name\":\"Jane \\u0044oe\"}", true)]
    [InlineData("able:{v:YyC02iRVwj-qBXT5PZdOeQ}", false)]
    [InlineData("Doesburg", false)]
    public void A_name_is_found_as_a_word(string text, bool expected) =>
        Assert.Equal(expected, RawContactData.Holds(text, "name", "Doe"));

    [Fact]
    public void Emails_are_found_in_any_case_and_phones_exactly()
    {
        Assert.True(RawContactData.Holds("x JANE.DOE@EXAMPLE.COM y", "email", "jane.doe@example.com"));
        Assert.True(RawContactData.Holds("tel 2133734253.", "phone", "2133734253"));
        Assert.False(RawContactData.Holds("tel 2133734254", "phone", "2133734253"));
    }
}
