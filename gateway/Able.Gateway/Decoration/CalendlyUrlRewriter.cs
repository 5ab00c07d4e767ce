using System.Buffers;
using System.Text;

namespace Able.Gateway.Decoration;

/// <summary>
/// Finds Calendly scheduling URLs in a byte stream of HTML and appends what
/// <see cref="CalendlyLinkDecoration"/> says they should carry. It works on bytes, so any ASCII-compatible
/// charset passes through untouched, and it knows no HTML grammar: a URL is recognised by its own shape
/// (<c>http(s)://[www.]calendly.com/...</c>, or the JSON-escaped <c>https:\/\/calendly.com\/...</c>) and ends
/// where a character that cannot be part of it in any HTML, JavaScript or JSON context begins (quotes,
/// whitespace, <c>&lt;</c>, <c>&gt;</c>, an entity such as <c>&amp;quot;</c>, an escape such as <c>\"</c>).
/// Feed it chunks in order with <see cref="Write"/> and call <see cref="Complete"/> once at the end; the output is
/// the same however the input was cut, because at most <see cref="MaxUrlLength"/> (+ a few) bytes that might still
/// be a URL are held back between chunks.
/// </summary>
public sealed class CalendlyUrlRewriter
{
    /// <summary>Longer candidates are left alone; this also bounds the bytes held back between chunks.</summary>
    public const int MaxUrlLength = 4096;

    /// <summary>Longest lookahead past a URL byte needed to decide whether it ends there (<c>&amp;#x27;</c>).</summary>
    private const int MaxLookahead = 8;

    /// <summary>Bytes looked at before a candidate: enough for a <c>\u0022</c> escape that opens a string.</summary>
    private const int HistoryLength = 6;

    private static readonly string[] QuoteEntities = ["&quot;", "&apos;", "&lt;", "&gt;", "&#34;", "&#39;", "&#60;", "&#62;", "&#x22;", "&#x27;", "&#x3c;", "&#x3e;"];

    private readonly CalendlyLinkDecoration decoration;
    private readonly byte[] carry = new byte[MaxUrlLength + MaxLookahead + 16];
    private int carryLength;

    /// <summary>The last input bytes written out (at most <see cref="HistoryLength"/>): what precedes the held-back tail.</summary>
    private readonly byte[] history = new byte[HistoryLength];
    private int historyLength;
    private bool completed;

    public CalendlyUrlRewriter(CalendlyLinkDecoration decoration)
    {
        ArgumentNullException.ThrowIfNull(decoration);
        this.decoration = decoration;
    }

    /// <summary>Scheduling URLs that got the carrier parameter.</summary>
    public int DecoratedUrls { get; private set; }

    /// <summary>Scheduling URLs that already had the carrier parameter (the site's value is kept).</summary>
    public int AlreadySetUrls { get; private set; }

    /// <summary>Input bytes seen so far.</summary>
    public long BytesProcessed { get; private set; }

    /// <summary>Bytes held back because they may be the start of a URL that continues in the next chunk.</summary>
    public int PendingBytes => carryLength;

    /// <summary>What happened to the document as a whole, for <c>able_html_rewrites_total{outcome}</c>.</summary>
    public string Outcome => DecoratedUrls > 0 ? "decorated" : AlreadySetUrls > 0 ? "already_set" : "none";

    /// <summary>Rewrites one chunk, writing everything that is decided to <paramref name="output"/>.</summary>
    public void Write(ReadOnlySpan<byte> chunk, Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        ObjectDisposedException.ThrowIf(completed, this);
        BytesProcessed += chunk.Length;
        if (carryLength == 0)
        {
            Keep(chunk, Scan(chunk, final: false, output));
            return;
        }

        var combinedLength = carryLength + chunk.Length;
        var combined = ArrayPool<byte>.Shared.Rent(combinedLength);
        try
        {
            carry.AsSpan(0, carryLength).CopyTo(combined);
            chunk.CopyTo(combined.AsSpan(carryLength));
            var data = combined.AsSpan(0, combinedLength);
            carryLength = 0;
            Keep(data, Scan(data, final: false, output));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(combined);
        }
    }

    /// <summary>Ends the document: whatever was held back is decided and written.</summary>
    public void Complete(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (completed)
        {
            return;
        }

        completed = true;
        var data = carry.AsSpan(0, carryLength);
        var kept = Scan(data, final: true, output);
        System.Diagnostics.Debug.Assert(kept == data.Length, "nothing is held back at the end");
        carryLength = 0;
    }

    /// <summary>Rewrites a whole document at once (the reference the streaming path must equal).</summary>
    public static byte[] RewriteAll(ReadOnlySpan<byte> document, CalendlyLinkDecoration decoration)
    {
        using var output = new MemoryStream(document.Length + 256);
        var rewriter = new CalendlyUrlRewriter(decoration);
        rewriter.Write(document, output);
        rewriter.Complete(output);
        return output.ToArray();
    }

    private void Keep(ReadOnlySpan<byte> data, int keepFrom)
    {
        var tail = data[keepFrom..];
        tail.CopyTo(carry);
        carryLength = tail.Length;
    }

    /// <summary>Writes the decided part of <paramref name="data"/> and returns where the undecided tail starts.</summary>
    private int Scan(ReadOnlySpan<byte> data, bool final, Stream output)
    {
        var emitted = 0;
        var searchFrom = 0;
        // What came before data[0], as it was when this scan began (Emit moves the history on as it goes).
        Span<byte> before = stackalloc byte[HistoryLength];
        history.AsSpan(0, historyLength).CopyTo(before);
        before = before[..historyLength];
        for (;;)
        {
            var found = data[searchFrom..].IndexOfAny((byte)'h', (byte)'H');
            if (found < 0)
            {
                Emit(data, emitted, data.Length, output);
                return data.Length;
            }

            var start = searchFrom + found;
            if (!StartsToken(data, start, before))
            {
                searchFrom = start + 1;
                continue;
            }

            var candidate = Match(data[start..], final);
            if (candidate.Result == MatchResult.NeedMore)
            {
                Emit(data, emitted, start, output);
                return start;
            }

            var plan = candidate.Result == MatchResult.Yes ? Plan(data.Slice(start, candidate.Length)) : UrlPlan.NotScheduling;
            if (!plan.IsScheduling)
            {
                searchFrom = start + 1;
                continue;
            }

            // A scheduling URL is consumed whole, decorated or not, so nothing inside it is matched again.
            Emit(data, emitted, start + plan.InsertAt, output);
            if (plan.Insertion.Length > 0)
            {
                output.Write(plan.Insertion);
            }

            Emit(data, start + plan.InsertAt, start + candidate.Length, output);
            emitted = searchFrom = start + candidate.Length;
        }
    }

    private void Emit(ReadOnlySpan<byte> data, int from, int to, Stream output)
    {
        if (to > from)
        {
            output.Write(data[from..to]);
            var written = data[from..to];
            if (written.Length >= HistoryLength)
            {
                written[^HistoryLength..].CopyTo(history);
                historyLength = HistoryLength;
            }
            else
            {
                var keep = Math.Min(historyLength, HistoryLength - written.Length);
                history.AsSpan(historyLength - keep, keep).CopyTo(history);
                written.CopyTo(history.AsSpan(keep));
                historyLength = keep + written.Length;
            }
        }
    }

    /// <summary>
    /// A URL starts a token: it does not continue a word ("xhttps://..." is not a URL), except right after a
    /// <c>\uXXXX</c> escape, which in JSON or JavaScript can be the quote that opens the string.
    /// </summary>
    private static bool StartsToken(ReadOnlySpan<byte> data, int start, ReadOnlySpan<byte> history)
    {
        int ByteBefore(ReadOnlySpan<byte> data, int back, ReadOnlySpan<byte> history) =>
            start - back >= 0 ? data[start - back]
            : history.Length - (back - start) >= 0 ? history[history.Length - (back - start)]
            : -1;

        var previous = ByteBefore(data, 1, history);
        if (previous < 0 || !char.IsAsciiLetterOrDigit((char)previous))
        {
            return true;
        }

        Span<byte> escape = stackalloc byte[HistoryLength];
        for (var back = HistoryLength; back >= 1; back--)
        {
            var b = ByteBefore(data, back, history);
            if (b < 0)
            {
                return false;
            }

            escape[HistoryLength - back] = (byte)b;
        }

        return escape[0] == '\\' && escape[1] == 'u' && TryHex(escape[2..], out _);
    }

    private enum MatchResult
    {
        No,
        Yes,
        NeedMore,
    }

    /// <summary>
    /// Whether <paramref name="s"/> starts with a Calendly scheduling URL, and how long it is. Decides from
    /// the bytes alone, so a candidate gets the same answer whether it arrived in one chunk or many.
    /// </summary>
    private static Candidate Match(ReadOnlySpan<byte> s, bool final)
    {
        var prefix = MatchPrefix(s, out var pathStart);
        if (prefix != MatchResult.Yes)
        {
            return new Candidate(Settle(prefix, final), 0);
        }

        var end = FindEnd(s, pathStart, final, out var pathEnd);
        if (end != MatchResult.Yes)
        {
            return new Candidate(end, 0);
        }

        return new Candidate(MatchResult.Yes, TrimSentencePunctuation(s[..pathEnd], pathStart));
    }

    /// <summary>What <see cref="Match"/> found: whether a scheduling URL starts here, and its length when it does.</summary>
    private readonly record struct Candidate(MatchResult Result, int Length);

    /// <summary>
    /// What <see cref="Plan"/> decided for a candidate: whether it is a scheduling URL, where its parameters go and
    /// the bytes to insert there.
    /// </summary>
    private readonly record struct UrlPlan(bool IsScheduling, int InsertAt, byte[] Insertion)
    {
        // A property, not a static field: Stryker.NET wraps static initialisers in a call it cannot type for new(...).
        public static UrlPlan NotScheduling => new(false, 0, []);
    }

    /// <summary>
    /// The fixed start of a scheduling URL, through the slash that opens its path: <c>http(s)://</c> (or
    /// <c>:\/\/</c> in JSON), an optional <c>www.</c>, then <c>calendly.com/</c> (or <c>calendly.com\/</c>).
    /// <paramref name="pathStart"/> is where the path continues. NeedMore is not settled here.
    /// </summary>
    private static MatchResult MatchPrefix(ReadOnlySpan<byte> s, out int pathStart)
    {
        pathStart = 0;
        var at = 0;
        var step = Literal(s, ref at, "http");
        if (step != MatchResult.Yes)
        {
            return step;
        }

        if (at < s.Length && (s[at] | 0x20) == 's')
        {
            at++;
        }

        var plainSeparator = Literal(s, ref at, "://");
        if (plainSeparator != MatchResult.Yes)
        {
            var escapedSeparator = Literal(s, ref at, ":\\/\\/");
            if (escapedSeparator != MatchResult.Yes)
            {
                return plainSeparator == MatchResult.NeedMore || escapedSeparator == MatchResult.NeedMore ? MatchResult.NeedMore : MatchResult.No;
            }
        }

        step = Literal(s, ref at, "www.");
        if (step == MatchResult.NeedMore)
        {
            return step;
        }

        step = Literal(s, ref at, "calendly.com");
        if (step != MatchResult.Yes)
        {
            return step;
        }

        // The host must end here with a path: "calendly.com.evil.example" and "calendly.com@x" are not Calendly.
        if (Literal(s, ref at, "/") != MatchResult.Yes)
        {
            step = Literal(s, ref at, "\\/");
            if (step != MatchResult.Yes)
            {
                return step;
            }
        }

        pathStart = at;
        return MatchResult.Yes;
    }

    /// <summary>
    /// Where the URL whose path starts at <paramref name="pathStart"/> ends (<paramref name="end"/>, exclusive): at
    /// the first byte, escape or entity that cannot be part of it, or at the end of the document. NeedMore when
    /// the bytes so far cannot tell; No when it runs past <see cref="MaxUrlLength"/>.
    /// </summary>
    private static MatchResult FindEnd(ReadOnlySpan<byte> s, int pathStart, bool final, out int end)
    {
        end = pathStart;
        while (true)
        {
            if (end >= MaxUrlLength)
            {
                return MatchResult.No;
            }

            if (end >= s.Length)
            {
                return final ? MatchResult.Yes : MatchResult.NeedMore;
            }

            var b = s[end];
            if (b == '\\')
            {
                var escapeLength = EscapeLength(s[end..], final);
                if (escapeLength < 0)
                {
                    return MatchResult.NeedMore;
                }

                if (escapeLength == 0)
                {
                    return MatchResult.Yes;
                }

                end += escapeLength;
                continue;
            }

            if (b == '&')
            {
                var entity = EndsAtEntity(s[end..], final);
                if (entity == MatchResult.NeedMore)
                {
                    return MatchResult.NeedMore;
                }

                if (entity == MatchResult.Yes)
                {
                    return MatchResult.Yes;
                }
            }
            else if (EndsUrl(b))
            {
                return MatchResult.Yes;
            }

            end++;
        }
    }

    private static MatchResult Settle(MatchResult step, bool final) =>
        step == MatchResult.NeedMore && final ? MatchResult.No : step;

    /// <summary>Case-insensitive ASCII literal at <paramref name="at"/>; advances past it on a match.</summary>
    private static MatchResult Literal(ReadOnlySpan<byte> s, ref int at, string literal)
    {
        for (var i = 0; i < literal.Length; i++)
        {
            if (at + i >= s.Length)
            {
                return MatchResult.NeedMore;
            }

            if (Lower(s[at + i]) != literal[i])
            {
                return MatchResult.No;
            }
        }

        at += literal.Length;
        return MatchResult.Yes;
    }

    private static char Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (char)(b + 32) : (char)b;

    /// <summary>
    /// At a backslash: the length of an escape that stays inside the URL (<c>\/</c>, or <c>\uXXXX</c> of a URL
    /// character such as <c>\u0026</c>), 0 when the URL ends here (<c>\"</c>, <c>\'</c>, <c>\n</c>...), -1 when
    /// more bytes are needed to tell.
    /// </summary>
    private static int EscapeLength(ReadOnlySpan<byte> s, bool final)
    {
        if (s.Length < 2)
        {
            return final ? 0 : -1;
        }

        if (s[1] == '/')
        {
            return 2;
        }

        if (s[1] != 'u')
        {
            return 0;
        }

        if (s.Length < 6)
        {
            return final ? 0 : -1;
        }

        return TryHex(s.Slice(2, 4), out var c) && c is > 0x20 and < 0x7F && !EndsUrl((byte)c) && c != '\\' ? 6 : 0;
    }

    private static bool TryHex(ReadOnlySpan<byte> hex, out int value)
    {
        value = 0;
        foreach (var h in hex)
        {
            var digit = h switch
            {
                >= (byte)'0' and <= (byte)'9' => h - '0',
                >= (byte)'a' and <= (byte)'f' => h - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => h - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }

            value = (value * 16) + digit;
        }

        return true;
    }

    /// <summary>At an ampersand: whether an entity that closes an attribute or string (<c>&amp;quot;</c>...) starts here.</summary>
    private static MatchResult EndsAtEntity(ReadOnlySpan<byte> s, bool final)
    {
        var undecided = false;
        foreach (var entity in QuoteEntities)
        {
            var at = 0;
            var step = Literal(s, ref at, entity);
            if (step == MatchResult.Yes)
            {
                return MatchResult.Yes;
            }

            undecided |= step == MatchResult.NeedMore;
        }

        return undecided && !final ? MatchResult.NeedMore : MatchResult.No;
    }

    /// <summary>Bytes that cannot be part of a URL in an attribute, a script string or JSON.</summary>
    private static bool EndsUrl(byte b) =>
        b <= 0x20 || b == 0x7F || b is (byte)'"' or (byte)'\'' or (byte)'<' or (byte)'>' or (byte)'`'
            or (byte)'{' or (byte)'}' or (byte)'|' or (byte)'^' or (byte)'[' or (byte)']';

    /// <summary>A URL at the end of a sentence in text does not own the full stop (or a closing parenthesis it did not open).</summary>
    private static int TrimSentencePunctuation(ReadOnlySpan<byte> url, int pathStart)
    {
        var end = url.Length;
        var hasOpenParenthesis = url.Contains((byte)'(');
        while (end > pathStart && (url[end - 1] is (byte)'.' or (byte)',' or (byte)'!' || (url[end - 1] == ')' && !hasOpenParenthesis)))
        {
            end--;
        }

        return end;
    }

    /// <summary>
    /// For a candidate URL: not scheduling when it is not a scheduling URL after all; otherwise where the parameters
    /// go (before the fragment) and the bytes to insert there (empty when the URL already has everything).
    /// </summary>
    private UrlPlan Plan(ReadOnlySpan<byte> url)
    {
        // Latin-1 maps each byte to one char, so positions in the text are positions in the bytes.
        var text = Encoding.Latin1.GetString(url);
        if (!CalendlyLinkDecoration.IsSchedulingUrl(Unescape(text)))
        {
            return UrlPlan.NotScheduling;
        }

        var plan = QueryInsertion.Of(text);
        var rawQuery = plan.RawQuery ?? "";
        var query = Unescape(rawQuery);
        var names = CalendlyLinkDecoration.QueryNames(query);
        if (decoration.IsAlreadyCarried(names))
        {
            AlreadySetUrls++;
        }
        else
        {
            DecoratedUrls++;
        }

        var added = decoration.ParametersToAdd(names);
        byte[] insertion = [];
        if (added.Count > 0)
        {
            insertion = Encoding.ASCII.GetBytes(plan.Text(added, SeparatorOf(rawQuery), query));
        }

        return new UrlPlan(true, plan.At, insertion);
    }

    /// <summary>How the URL's own query separates parameters, so appended ones match (HTML entity, JSON escape or plain).</summary>
    private static string SeparatorOf(string rawQuery)
    {
        if (rawQuery.Contains("&amp;", StringComparison.Ordinal) || rawQuery.Contains("&AMP;", StringComparison.Ordinal))
        {
            return "&amp;";
        }

        return rawQuery.Contains("\\u0026", StringComparison.Ordinal) ? "\\u0026" : "&";
    }

    /// <summary>The URL as a browser would see it after HTML/JS decoding of the forms this rewriter accepts.</summary>
    private static string Unescape(string text)
    {
        if (!text.Contains('\\', StringComparison.Ordinal) && !text.Contains('&', StringComparison.Ordinal))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] == '/')
            {
                builder.Append('/');
                i++;
            }
            else if (c == '\\' && i + 5 < text.Length && text[i + 1] == 'u'
                && int.TryParse(text.AsSpan(i + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var code))
            {
                builder.Append((char)code);
                i += 5;
            }
            else if (c == '&' && string.Compare(text, i, "&amp;", 0, 5, StringComparison.OrdinalIgnoreCase) == 0)
            {
                builder.Append('&');
                i += 4;
            }
            else if (c == '&' && string.Compare(text, i, "&#38;", 0, 5, StringComparison.Ordinal) == 0)
            {
                builder.Append('&');
                i += 4;
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
