using System.Text.Json;
using Able.Attribution.Ingest;
using CsCheck;

namespace Able.Tests.Ingest;

/// <summary><see cref="JsonBody"/> on any bytes: parsed or a problem, never a throw; every string of a parsed body either decodes or is reported.</summary>
public sealed class JsonBodyPropertyTests
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32, AllowDuplicateProperties = false };

    [Fact]
    public void Any_bytes_parse_or_give_a_problem() =>
        AdversarialInput.JsonBodies([.. FixtureBodies.Calendly, .. FixtureBodies.Stripe, FixtureBodies.Conversion]).Sample(body =>
        {
            if (!JsonBody.TryParse(body, Options, out var document, out var problem))
            {
                Assert.NotEmpty(problem);
                return;
            }

            using (document)
            {
                _ = JsonBody.Describe(document.RootElement.ValueKind);
                _ = JsonBody.AllStringsDecode(document.RootElement);
                Walk(document.RootElement);
            }
        }, iter: AdversarialInput.Iterations);

    private static void Walk(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = JsonBody.DecodeOrNull(element);
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Walk(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item);
                }

                break;
        }
    }
}
