using System.Net;
using System.Text;

namespace Able.FunctionalTests.Admin;

/// <summary>
/// Bad input to the admin API, with the right token: a problem-details answer with the right 4xx that names the bad
/// query parameter, route value or body field (in <c>detail</c> and in <c>parameter</c>), never a 500, and nothing read
/// or changed. The raw email or phone of a body is never echoed back.
/// </summary>
public sealed class AdminBadInputTests
{
    public static TheoryData<string, string, string?, int, string> BadRequests() => new()
    {
        // method, path and query, JSON body, status, the parameter named
        { "GET", "/admin/api/funnels?funnel=acme", null, 400, "funnel" },
        { "GET", "/admin/api/summary?days=2", null, 400, "days" },
        { "GET", "/admin/api/summary?days=seven", null, 400, "days" },
        { "GET", "/admin/api/summary?days=-1", null, 400, "days" },
        { "GET", "/admin/api/summary?days=7&days=30", null, 400, "days" },
        { "GET", "/admin/api/summary?day=7", null, 400, "day" },
        { "GET", "/admin/api/summary?funnel=nope", null, 404, "funnel" },
        { "GET", "/admin/api/report?model=middle", null, 400, "model" },
        { "GET", "/admin/api/report?format=xml", null, 400, "format" },
        { "GET", "/admin/api/report?funnel=nope&format=csv", null, 404, "funnel" },
        { "GET", "/admin/api/report?days=365", null, 400, "days" },
        { "GET", "/admin/api/conversions?limit=0", null, 400, "limit" },
        { "GET", "/admin/api/conversions?limit=501", null, 400, "limit" },
        { "GET", "/admin/api/conversions?limit=ten", null, 400, "limit" },
        { "GET", "/admin/api/conversions?limit=99999999999999999999", null, 400, "limit" },
        { "GET", "/admin/api/conversions?matched=yes", null, 400, "matched" },
        { "GET", "/admin/api/conversions?status=lost", null, 400, "status" },
        { "GET", "/admin/api/conversions?from=yesterday", null, 400, "from" },
        { "GET", "/admin/api/conversions?to=2026-13-45T00:00:00Z", null, 400, "to" },
        { "GET", "/admin/api/conversions?from=99999999999999999999", null, 400, "from" },
        { "GET", "/admin/api/conversions?from=2026-03-05T00:00:00Z&to=2026-03-04T00:00:00Z", null, 400, "to" },
        { "GET", "/admin/api/conversions?from=1772668800000&to=1772582400000", null, 400, "to" },
        { "GET", "/admin/api/conversions?event=Sched%20ule", null, 400, "event" },
        { "GET", "/admin/api/conversions?cursor=" + new string('c', 300), null, 400, "cursor" },
        { "GET", "/admin/api/conversions?cursor=not%20a%20cursor", null, 400, "cursor" },
        { "GET", "/admin/api/deadletters?cursor=not-a-cursor", null, 400, "cursor" },
        { "GET", "/admin/api/conversions?funnel=nope", null, 404, "funnel" },
        { "GET", "/admin/api/conversions?utm_source=tiktok", null, 400, "utm_source" },
        { "GET", "/admin/api/conversions/nope/schedule:1", null, 404, "funnel" },
        { "GET", "/admin/api/deadletters?limit=0", null, 400, "limit" },
        { "GET", "/admin/api/deadletters?funnel=nope", null, 404, "funnel" },
        { "GET", "/admin/api/deadletters/not-an-id", null, 400, "id" },
        { "GET", "/admin/api/deadletters/12-", null, 400, "id" },
        { "POST", "/admin/api/deadletters/not-an-id/replay", null, 400, "id" },
        { "DELETE", "/admin/api/deadletters/1764680000000-x", null, 400, "id" },
        { "POST", "/admin/api/deadletters/replay?funnel=nope", null, 404, "funnel" },
        { "POST", "/admin/api/journey", "not json", 400, "body" },
        { "POST", "/admin/api/journey", "", 400, "body" },
        { "POST", "/admin/api/journey", """{"email":"jane.doe@example.com" """, 400, "body" },
        { "POST", "/admin/api/journey", """["jane.doe@example.com"]""", 400, "body" },
        { "POST", "/admin/api/journey", """{"email":"jane.doe@example.com"} {}""", 400, "body" },
        { "POST", "/admin/api/journey", "{}", 400, "email" },
        { "POST", "/admin/api/journey", """{"email":42}""", 400, "email" },
        { "POST", "/admin/api/journey", """{"email":"not an email"}""", 400, "email" },
        { "POST", "/admin/api/journey", """{"mail":"jane.doe@example.com"}""", 400, "mail" },
        { "POST", "/admin/api/journey", """{"email":"jane.doe@example.com","phone":"+4915112345678"}""", 400, "phone" },
        { "POST", "/admin/api/journey", """{"phone":"12"}""", 400, "phone" },
        { "POST", "/admin/api/journey", """{"phone":{"number":"+4915112345678"}}""", 400, "phone" },
        { "POST", "/admin/api/journey", """{"phone":"0151 12345678","funnel":"nope"}""", 404, "funnel" },
        { "POST", "/admin/api/journey?email=jane.doe@example.com", """{"email":"jane.doe@example.com"}""", 400, "email" },
        { "DELETE", "/admin/api/people", "not json", 400, "body" },
        { "DELETE", "/admin/api/people", """{"email":"not an email"}""", 400, "email" },
        { "DELETE", "/admin/api/people", """{"phone":"+49 1"}""", 400, "phone" },
        { "DELETE", "/admin/api/people", null, 400, "body" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_parameter_is_a_problem_naming_it(string method, string pathAndQuery, string? json, int status, string parameter)
    {
        await using var admin = await AdminService.StartAsync();

        using var response = await admin.SendAsync(new HttpMethod(method), pathAndQuery, AdminService.Token, json);

        var (actual, problem) = await AdminService.ProblemAsync(response);
        Assert.Equal(status, (int)actual);
        Assert.Equal(parameter, (string?)problem["parameter"]);
        Assert.Contains(parameter, (string?)problem["detail"], StringComparison.Ordinal);
        Assert.DoesNotContain("jane.doe", problem.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_body_larger_than_the_limit_is_413_whether_declared_or_chunked()
    {
        await using var admin = await AdminService.StartAsync();
        var large = $$"""{"email":"jane.doe@example.com","padding":"{{new string('x', 10_000)}}"}""";

        using var declared = await admin.SendAsync(HttpMethod.Delete, "/admin/api/people", AdminService.Token, large);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await AdminService.ProblemAsync(declared)).Status);

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(admin.Service.ManagementBase, "/admin/api/journey"))
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(large))),
        };
        request.Headers.Authorization = new("Bearer", AdminService.Token);
        request.Headers.TransferEncodingChunked = true;
        using var chunked = await admin.Service.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await AdminService.ProblemAsync(chunked)).Status);
    }

    [Fact]
    public async Task An_unknown_path_under_the_admin_api_is_a_problem_not_the_plain_404()
    {
        await using var admin = await AdminService.StartAsync();

        using var response = await admin.GetAsync("/admin/api/no-such-route");

        var (status, problem) = await AdminService.ProblemAsync(response);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("/admin/api/no-such-route", (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_funnel_is_found_in_any_case_and_the_answer_uses_its_configured_mark()
    {
        await using var admin = await AdminService.StartAsync();

        using var response = await admin.GetAsync("/admin/api/conversions/ACME/schedule:none");

        var (status, problem) = await AdminService.ProblemAsync(response);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("no receipt 'schedule:none' in funnel acme (unknown, or past the funnel's retention)", (string?)problem["detail"]);
    }
}
