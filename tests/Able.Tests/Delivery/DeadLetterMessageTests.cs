using Able.Attribution.Delivery;

namespace Able.Tests.Delivery;

public sealed class DeadLetterMessageTests
{
    [Theory]
    [InlineData("Could not parse 'jane.doe@example.com' as a contact", "Could not parse '[email]' as a contact")]
    [InlineData("phone +49 151 12345678 is not valid", "phone [number] is not valid")]
    [InlineData("line one\r\nline two", "line one line two")]
    [InlineData("WRONGTYPE Operation against a key holding the wrong kind of value", "WRONGTYPE Operation against a key holding the wrong kind of value")]
    public void A_dead_letter_keeps_the_message_without_anything_that_looks_like_contact_data(string message, string kept) =>
        Assert.Equal(kept, DeadLetters.SafeErrorMessage(new InvalidOperationException(message)));

    [Fact]
    public void A_long_message_is_cut() =>
        Assert.Equal(DeadLetters.MaxErrorMessageLength, DeadLetters.SafeErrorMessage(new InvalidOperationException(new string('x', 5000))).Length);
}
