using Able.Attribution.Receipts;
using Able.Schema.Configuration;
using Microsoft.Extensions.Options;

namespace Able.Attribution.Service.Admin;

/// <summary>One page of conversions; <see cref="NextCursor"/> (for <c>?cursor=</c>) is absent on the last page.</summary>
internal sealed record ConversionPage(IReadOnlyList<MatchReceipt> Items, string? NextCursor);

/// <summary>
/// <c>GET /admin/api/conversions?funnel=&amp;event=&amp;matched=&amp;status=&amp;from=&amp;to=&amp;limit=&amp;cursor=</c>
/// (the match receipts, newest first, filtered and paged by <see cref="ReceiptQuery"/>) and
/// <c>GET /admin/api/conversions/{funnel}/{receiptId}</c> (one receipt).
/// </summary>
internal static class ConversionRoutes
{
    public const int MaxLimit = 500;
    public const int DefaultLimit = 50;

    /// <summary>Every <see cref="ReceiptStatus"/> value, which <c>status</c> may name.</summary>
    public static readonly IReadOnlyList<string> Statuses =
    [
        ReceiptStatus.Queued, ReceiptStatus.WaitingForJoin, ReceiptStatus.Sent, ReceiptStatus.DryRun, ReceiptStatus.Retrying,
        ReceiptStatus.DeadLettered, ReceiptStatus.Recorded, ReceiptStatus.TooOld, ReceiptStatus.Ignored, ReceiptStatus.Malformed,
    ];

    public static void MapConversionRoutes(this RouteGroupBuilder admin)
    {
        admin.MapGet("/conversions", ListAsync)
            .WithSummary("Conversions (receipts), newest first: ?funnel=&event=&matched=&status=&from=&to=&limit=&cursor=")
            .Produces<ConversionPage>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        // A catch-all: a conversions-API event id (the receipt id) may hold a slash.
        admin.MapGet("/conversions/{funnel}/{**receiptId}", GetAsync)
            .WithSummary("One receipt").Produces<MatchReceipt>().ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IOptionsMonitor<AbleOptions> options, ReceiptQuery receipts)
    {
        var query = AdminQuery.Of(context.Request, "funnel", "event", "matched", "status", "from", "to", "limit", "cursor");
        var funnel = query.Funnel(options.CurrentValue);
        var tikTokEvent = query.Text("event");
        var matched = query.Boolean("matched");
        var status = query.Choice("status", Statuses, "");
        var from = query.Time("from");
        var to = query.Time("to");
        var limit = query.Integer("limit", 1, MaxLimit, DefaultLimit);
        var cursor = query.Text("cursor", AdminQuery.MaxCursorLength);
        if (from is not null && to is not null && to <= from)
        {
            query.Fail(AdminProblems.BadParameter("to", "to must be later than from"));
        }

        if (query.Problem is { } problem)
        {
            return problem;
        }

        var filter = new ReceiptFilter
        {
            Mark = funnel?.Mark,
            Event = tikTokEvent,
            Matched = matched,
            Status = status.Length == 0 ? null : status,
            From = from,
            To = to,
            Limit = limit,
            Cursor = cursor,
        };
        var (page, pageProblem) = await receipts.QueryAsync(filter);
        return page is null
            ? AdminProblems.BadParameter("cursor", $"cursor is not one this API gave out ({pageProblem ?? "unreadable"})")
            : AdminJson.Ok(new ConversionPage(page.Items, page.NextCursor));
    }

    private static async Task<IResult> GetAsync(HttpContext context, string? funnel, string? receiptId, IOptionsMonitor<AbleOptions> options, ReceiptStore store)
    {
        var query = AdminQuery.Of(context.Request);
        if (query.Problem is { } problem)
        {
            return problem;
        }

        if (options.CurrentValue.FindFunnel(funnel) is not { } configured)
        {
            return AdminProblems.UnknownFunnel("funnel", funnel is { Length: > 64 } ? funnel[..64] : funnel ?? "");
        }

        if (string.IsNullOrEmpty(receiptId))
        {
            return AdminProblems.BadParameter("receiptId", "the receipt id is missing: /admin/api/conversions/{funnel}/{receiptId}");
        }

        var receipt = await store.GetAsync(configured.Mark, receiptId);
        return receipt is null
            ? AdminProblems.NotFound($"no receipt '{(receiptId.Length <= 200 ? receiptId : receiptId[..200])}' in funnel {configured.Mark} (unknown, or past the funnel's retention)")
            : AdminJson.Ok(receipt);
    }
}
