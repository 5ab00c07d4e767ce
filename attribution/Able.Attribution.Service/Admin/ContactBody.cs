using System.Text.Json;
using Able.Attribution.Identity;
using Able.Attribution.Service.Ingress;
using Able.Schema.Configuration;

namespace Able.Attribution.Service.Admin;

/// <summary>
/// The person a journey lookup or an erasure is about, from a JSON body (never the URL, which ends up in logs):
/// <c>{"email": "..."}</c> or <c>{"phone": "...", "funnel": "&lt;mark&gt;"}</c>, the funnel giving the region of a number
/// written without a country code. The raw value is hashed here and goes no further. Never throws on bad input: a body
/// that is not such JSON is 400 naming the field, a larger one 413.
/// </summary>
internal static class ContactBody
{
    /// <summary>Largest body read; a contact needs a few hundred bytes.</summary>
    public const int MaxBytes = 4096;

    private const string Email = "email";
    private const string Phone = "phone";
    private const string Funnel = "funnel";
    private const string Expected = "send {\"email\": \"...\"} or {\"phone\": \"...\", \"funnel\": \"<mark>\"}";

    public readonly record struct Result(ContactKey? Contact, IResult? Problem);

    public static async Task<Result> ReadAsync(HttpContext context, AbleOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        var body = await RequestBody.ReadAsync(context, MaxBytes, _ => { });
        if (!body.Ok)
        {
            return Fail(AdminProblems.BodyProblem(body.FailureStatus,
                body.FailureStatus == StatusCodes.Status413PayloadTooLarge ? $"the body is larger than {MaxBytes} bytes" : "the body could not be read"));
        }

        return Parse(body.Bytes.Span, options);
    }

    /// <summary>The contact in <paramref name="json"/>, or the problem naming what is wrong.</summary>
    public static Result Parse(ReadOnlySpan<byte> json, AbleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? email = null, phone = null, funnel = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Fail(AdminProblems.BadParameter("body", $"the body must be a JSON object: {Expected}"));
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString() ?? "";
                reader.Read();
                if (name is not (Email or Phone or Funnel))
                {
                    return Fail(AdminProblems.BadParameter(name, $"{name} is not a field of this body ({Expected})"));
                }

                if (reader.TokenType != JsonTokenType.String)
                {
                    return Fail(AdminProblems.BadParameter(name, $"{name} must be a string"));
                }

                var value = reader.GetString();
                switch (name)
                {
                    case Email:
                        email = value;
                        break;
                    case Phone:
                        phone = value;
                        break;
                    default:
                        funnel = value;
                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return Fail(AdminProblems.BadParameter("body", $"the body must be one JSON object: {Expected}"));
            }
        }
        catch (JsonException)
        {
            return Fail(AdminProblems.BadParameter("body", $"the body is not JSON: {Expected}"));
        }
        catch (InvalidOperationException)
        {
            // A string that is not UTF-8 (GetString cannot transcode it).
            return Fail(AdminProblems.BadParameter("body", $"the body is not UTF-8 JSON: {Expected}"));
        }

        return Contact(email, phone, funnel, options);
    }

    private static Result Contact(string? email, string? phone, string? funnelMark, AbleOptions options)
    {
        if (email is not null && phone is not null)
        {
            return Fail(AdminProblems.BadParameter(Phone, "give email or phone, not both (one person per request)"));
        }

        if (email is not null)
        {
            return ContactKey.TryFromEmail(email, out var byEmail, out var emailProblem)
                ? new Result(byEmail, null)
                : Fail(AdminProblems.BadParameter(Email, emailProblem ?? "email is not an email address"));
        }

        if (phone is null)
        {
            return Fail(AdminProblems.BadParameter(Email, $"email or phone is required: {Expected}"));
        }

        FunnelOptions? funnel = null;
        if (!string.IsNullOrEmpty(funnelMark))
        {
            funnel = options.FindFunnel(funnelMark);
            if (funnel is null)
            {
                return Fail(AdminProblems.UnknownFunnel(Funnel, funnelMark.Length <= 64 ? funnelMark : funnelMark[..64]));
            }
        }
        else if (options.Funnels.Length == 1)
        {
            funnel = options.Funnels[0];
        }
        else if (!phone.TrimStart().StartsWith('+'))
        {
            return Fail(AdminProblems.BadParameter(Funnel,
                "funnel is required with a phone number written without a country code (+...): its DefaultPhoneRegion reads the number"));
        }

        // A number with its country code reads the same in every region.
        var region = funnel?.DefaultPhoneRegion ?? "US";
        return ContactKey.TryFromPhone(phone, region, out var byPhone, out var phoneProblem)
            ? new Result(byPhone, null)
            : Fail(AdminProblems.BadParameter(Phone, phoneProblem ?? "phone is not a phone number"));
    }

    private static Result Fail(IResult problem) => new(null, problem);
}
