using System.Text.Json;
using Able.Attribution.Conversions;
using Able.Attribution.Ingest;
using CsCheck;

namespace Able.Tests.Conversions;

/// <summary><see cref="LenientJson"/> reads any field of any body as a value or absent, never a throw.</summary>
public sealed class LenientJsonPropertyTests
{
    [Fact]
    public void Every_accessor_on_every_member_of_any_body_answers() =>
        AdversarialInput.JsonBodies([.. FixtureBodies.Calendly, .. FixtureBodies.Stripe, FixtureBodies.Conversion]).Sample(body =>
        {
            using var document = LenientJson.Parse(body, out var error);
            if (document is null)
            {
                Assert.NotNull(error);
                return;
            }

            Walk(document.RootElement, 0);
        }, iter: AdversarialInput.Iterations);

    [Fact]
    public void Any_uri_gives_a_last_segment_or_null() =>
        AdversarialInput.Text.Sample(uri => _ = LenientJson.LastSegment(uri), iter: AdversarialInput.Iterations);

    private static void Walk(JsonElement element, int depth)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            JsonElement? self = element;
            foreach (var property in element.EnumerateObject())
            {
                // A name that is not valid Unicode cannot be asked for by name; its value is still walked.
                var name = JsonBody.NameOrNull(property) ?? "";
                _ = self.String(name);
                _ = element.String(name);
                _ = self.Bool(name);
                _ = self.Decimal(name);
                _ = self.Long(name);
                _ = self.Time(name);
                _ = self.Items(name).Count();
                _ = LenientJson.LastSegment(self.String(name));
                Walk(property.Value, depth + 1);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                JsonElement? nullable = item;
                _ = nullable.String();
                Walk(item, depth + 1);
            }
        }
    }
}
