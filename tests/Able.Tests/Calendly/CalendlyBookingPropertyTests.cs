using Able.Attribution.Calendly;
using CsCheck;

namespace Able.Tests.Calendly;

public sealed class CalendlyDeliveryPropertyTests
{
    [Fact]
    public void Any_calendly_body_gives_a_delivery_or_an_error() =>
        AdversarialInput.JsonBodies(FixtureBodies.Calendly).Sample(body =>
        {
            var delivery = CalendlyBooking.Parse(body, "DE", out var error);
            Assert.True(delivery is not null || error is not null);
            _ = delivery?.EventTypeUuid;
        }, iter: AdversarialInput.Iterations);
}
