using Able.Attribution.Stripe;
using CsCheck;

namespace Able.Tests.Stripe;

public sealed class StripePaymentPropertyTests
{
    [Fact]
    public void Any_stripe_body_gives_a_payment_or_an_error() =>
        AdversarialInput.JsonBodies(FixtureBodies.Stripe).Sample(body =>
        {
            var payment = StripePayment.Parse(body, "DE", out var error);
            Assert.True(payment is not null || error is not null);
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Any_amount_and_currency_convert_without_throwing() =>
        Gen.Select(Gen.Long, AdversarialInput.Text).Sample((amount, currency) => _ = StripePayment.FromMinorUnits(amount, currency), iter: AdversarialInput.Iterations);
}
