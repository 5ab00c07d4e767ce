using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Able.Gateway.Capture;
using Able.Schema.Visitors;

namespace Able.Gateway.Decoration;

/// <summary>
/// Finds Calendly scheduling URLs in a byte stream of HTML and appends what
/// <see cref="CalendlyLinkDecoration"/> says they should carry. It works on bytes, so any ASCII-compatible
/// charset passes through untouched, and it knows no HTML grammar: a URL is recognised by its own shape
/// (<c>http(s)://[www.]calendly.com/...</c>, or the JSON-escaped <c>https:\/\/calendly.com\/...</c>) and ends
/// where a character that cannot be part of it in any HTML, JavaScript or JSON context begins (quotes,
/// whitespace, <c>&lt;</c>, <c>&gt;</c>, an entity such as <c>&amp;quot;</c>, an escape such as <c>\"</c>).
/// Feed it chunks in order with <see cref="Write"/> and call <see cref="Complete"/> once at the end (or
/// <see cref="Abandon"/> when the document is cut short); the output is the same however the input was cut,
/// because at most <see cref="MaxUrlLength"/> (+ a few) bytes that might still be a URL are held back between
/// chunks, in a buffer rented from the shared pool only while there is something to hold back.
/// </summary>
public sealed class CalendlyUrlRewriter
{
    /// <summary>Longer candidates are left alone; this also bounds the bytes held back between chunks.</summary>
    public const int MaxUrlLength = 4096;

    /// <summary>Longest lookahead past a URL byte needed to decide whether it ends there (<c>&amp;#x27;</c>).</summary>
    private const int MaxLookahead = 8;

    /// <summary>Bytes looked at before a candidate: enough for a <c>\u0022</c> escape that opens a string.</summary>
    private const int HistoryLength = 6;

    /// <summary>Size of the held-back buffer: the longest undecided tail.</summary>
    private const int CarryCapacity = MaxUrlLength + MaxLookahead + 16;

    private static readonly string[] QuoteEntities = ["&quot;", "&apos;", "&lt;", "&gt;", "&#34;", "&#39;", "&#60;", "&#62;", "&#x22;", "&#x27;", "&#x3c;", "&#x3e;"];

    /// <summary>The bytes <see cref="FindEnd"/> stops at: those that end a URL (<see cref="EndsUrl"/>), and escapes and entities.</summary>
    private static readonly SearchValues<byte> UrlStops = SearchValues.Create(
        [.. Enumerable.Range(0, 256).Select(b => (byte)b).Where(b => EndsUrl(b) || b is (byte)'\\' or (byte)'&')]);

    private readonly CalendlyLinkDecoration decoration;

    /// <summary>The undecided tail held back from the last chunk (pooled; null while nothing is held back).</summary>
    private byte[]? carry;
    private int carryLength;

    /// <summary>The last input bytes written out (at most <see cref="HistoryLength"/>): what precedes the held-back tail.</summary>
    private readonly byte[] history = new byte[HistoryLength];
    private int historyLength;
    private bool completed;

    /// <summary>What this visitor's URLs may get, encoded once at the first scheduling URL.</summary>
    private Additions? additions;

    public CalendlyUrlRewriter(CalendlyLinkDecoration decoration)
    {
        ArgumentNullException.ThrowIfNull(decoration);
        this.decoration = decoration;
    }

    /// <summary>For tests: decide every URL the general (allocating, <see cref="Uri"/>-based) way the fast path must agree with.</summary>
    internal CalendlyUrlRewriter(CalendlyLinkDecoration decoration, bool referencePlanOnly)
        : this(decoration) => ReferencePlanOnly = referencePlanOnly;

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

    /// <summary>Whether a pooled buffer is held (for tests: none after <see cref="Complete"/> or <see cref="Abandon"/>).</summary>
    internal bool HoldsPooledBuffer => carry is not null;

    private bool ReferencePlanOnly { get; }

    /// <summary>Rewrites one chunk, writing everything that is decided to <paramref name="output"/>.</summary>
    public void Write(ReadOnlySpan<byte> chunk, Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        ObjectDisposedException.ThrowIf(completed, this);
        BytesProcessed += chunk.Length;
        if (carryLength == 0)
        {
            Hold(chunk, Scan(chunk, final: false, output));
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
            Hold(data, Scan(data, final: false, output));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(combined);
        }
    }

    /// <summary>Ends the document: whatever was held back is decided and written, and the pooled buffers go back.</summary>
    public void Complete(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (completed)
        {
            return;
        }

        var data = carry.AsSpan(0, carryLength);
        var kept = Scan(data, final: true, output);
        System.Diagnostics.Debug.Assert(kept == data.Length, "nothing is held back at the end");
        Abandon();
    }

    /// <summary>
    /// Ends the document without writing what is held back (the response was cut short): returns the pooled buffer.
    /// Idempotent; after it (or <see cref="Complete"/>) the rewriter takes no more chunks.
    /// </summary>
    public void Abandon()
    {
        completed = true;
        carryLength = 0;
        if (carry is not null)
        {
            ArrayPool<byte>.Shared.Return(carry);
            carry = null;
        }
    }

    /// <summary>Rewrites a whole document at once (the reference the streaming path must equal).</summary>
    public static byte[] RewriteAll(ReadOnlySpan<byte> document, CalendlyLinkDecoration decoration) =>
        RewriteAll(document, new CalendlyUrlRewriter(decoration));

    internal static byte[] RewriteAll(ReadOnlySpan<byte> document, CalendlyUrlRewriter rewriter)
    {
        using var output = new MemoryStream(document.Length + 256);
        rewriter.Write(document, output);
        rewriter.Complete(output);
        return output.ToArray();
    }

    /// <summary>Remembers what was written of <paramref name="data"/> (up to <paramref name="keepFrom"/>) and holds back the rest.</summary>
    private void Hold(ReadOnlySpan<byte> data, int keepFrom)
    {
        var written = data[..keepFrom];
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

        var tail = data[keepFrom..];
        if (!tail.IsEmpty)
        {
            carry ??= ArrayPool<byte>.Shared.Rent(CarryCapacity);
            tail.CopyTo(carry);
        }

        carryLength = tail.Length;
    }

    /// <summary>Writes the decided part of <paramref name="data"/> and returns where the undecided tail starts.</summary>
    private int Scan(ReadOnlySpan<byte> data, bool final, Stream output)
    {
        var emitted = 0;
        var searchFrom = 0;
        while (true)
        {
            var found = data[searchFrom..].IndexOfAny((byte)'h', (byte)'H');
            if (found < 0)
            {
                Emit(data[emitted..], output);
                return data.Length;
            }

            var start = searchFrom + found;
            searchFrom = start + 1;
            var candidate = Match(data[start..], final);
            if (candidate.Result == MatchResult.No || !StartsToken(data, start))
            {
                continue;
            }

            if (candidate.Result == MatchResult.NeedMore)
            {
                Emit(data[emitted..start], output);
                return start;
            }

            var url = data.Slice(start, candidate.Length);
            if (!Plan(url, candidate.PathStart, out var insertAt, out var insertion))
            {
                continue;
            }

            // A scheduling URL is consumed whole, decorated or not, so nothing inside it is matched again.
            Emit(data[emitted..(start + insertAt)], output);
            Emit(insertion, output);
            Emit(url[insertAt..], output);
            emitted = searchFrom = start + candidate.Length;
        }
    }

    private static void Emit(ReadOnlySpan<byte> bytes, Stream output)
    {
        if (!bytes.IsEmpty)
        {
            output.Write(bytes);
        }
    }

    /// <summary>
    /// A URL starts a token: it does not continue a word ("xhttps://..." is not a URL), except right after a
    /// <c>\uXXXX</c> escape, which in JSON or JavaScript can be the quote that opens the string.
    /// </summary>
    private bool StartsToken(ReadOnlySpan<byte> data, int start)
    {
        var previous = ByteBefore(data, start, 1);
        return previous < 0 || !char.IsAsciiLetterOrDigit((char)previous)
            || (ByteBefore(data, start, 6) == '\\' && ByteBefore(data, start, 5) == 'u' && IsHex(ByteBefore(data, start, 4))
                && IsHex(ByteBefore(data, start, 3)) && IsHex(ByteBefore(data, start, 2)) && IsHex(previous));
    }

    /// <summary>The byte <paramref name="back"/> places before <c>data[start]</c>, looking into what was written before; -1 before the document.</summary>
    private int ByteBefore(ReadOnlySpan<byte> data, int start, int back)
    {
        if (back <= start)
        {
            return data[start - back];
        }

        var inHistory = historyLength - (back - start);
        return inHistory >= 0 ? history[inHistory] : -1;
    }

    private static bool IsHex(int b) => b is (>= '0' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F');

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
            return new Candidate(Settle(prefix, final), 0, 0);
        }

        var end = FindEnd(s, pathStart, final, out var pathEnd);
        if (end != MatchResult.Yes)
        {
            return new Candidate(end, 0, 0);
        }

        return new Candidate(MatchResult.Yes, TrimSentencePunctuation(s[..pathEnd], pathStart), pathStart);
    }

    /// <summary>What <see cref="Match"/> found: whether a scheduling URL starts here, its length and where its path starts.</summary>
    private readonly record struct Candidate(MatchResult Result, int Length, int PathStart);

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

            // Jump to the next byte that may end the URL or start an escape or entity (none past MaxUrlLength).
            var next = s[end..Math.Min(s.Length, MaxUrlLength)].IndexOfAny(UrlStops);
            if (next < 0)
            {
                end = Math.Min(s.Length, MaxUrlLength);
                continue;
            }

            end += next;
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
    /// For a candidate URL (whose path starts at <paramref name="pathStart"/>): false when it is not a scheduling URL
    /// after all; otherwise where the parameters go (before the fragment) and the bytes to insert there (empty when
    /// the URL already has everything). The usual URL (an ASCII path of letters, digits, <c>-_~/</c>, a query whose
    /// names need no percent-decoding) is decided on its bytes without allocating; any other goes the general way.
    /// </summary>
    private bool Plan(ReadOnlySpan<byte> url, int pathStart, out int insertAt, out ReadOnlySpan<byte> insertion)
    {
        var fragmentAt = FragmentAt(url);
        insertAt = fragmentAt < 0 ? url.Length : fragmentAt;
        insertion = default;
        var path = ReferencePlanOnly || url.ContainsAnyExceptInRange((byte)0, (byte)0x7F) ? PathKind.Unusual : PathOf(url, pathStart);
        if (path == PathKind.None)
        {
            return false;
        }

        additions ??= new Additions(decoration);
        var queryAt = url[..insertAt].IndexOf((byte)'?');
        var rawQuery = queryAt < 0 ? default : url[(queryAt + 1)..insertAt];
        if (path == PathKind.Unusual || !ScanQuery(rawQuery, additions.Names, out var present, out var openEnded))
        {
            return ReferencePlan(url, fragmentAt, out insertAt, out insertion);
        }

        if ((present & 1) != 0)
        {
            AlreadySetUrls++;
        }
        else
        {
            DecoratedUrls++;
        }

        var separator = SeparatorOf(rawQuery);
        var lead = queryAt < 0 ? "?"u8 : openEnded ? default : separator;
        insertion = additions.Compose(present, lead, separator);
        return true;
    }

    /// <summary>
    /// Where the fragment starts (-1: none): the first <c>#</c> that does not open a numeric character reference such
    /// as <c>&amp;#38;</c>, <c>&amp;#038;</c> or <c>&amp;#x26;</c> (an escaped ampersand in an HTML attribute, which a
    /// browser decodes before it reads the URL); <c>&amp;#x</c> without a hex digit is no reference.
    /// </summary>
    private static int FragmentAt(ReadOnlySpan<byte> url)
    {
        var from = 0;
        while (true)
        {
            var found = url[from..].IndexOf((byte)'#');
            if (found < 0)
            {
                return -1;
            }

            var at = from + found;
            var reference = url[(at + 1)..];
            var opensReference = at > 0 && url[at - 1] == '&' && !reference.IsEmpty
                && (char.IsAsciiDigit((char)reference[0]) || ((reference[0] | 0x20) == 'x' && reference.Length > 1 && IsHex(reference[1])));
            if (!opensReference)
            {
                return at;
            }

            from = at + 1;
        }
    }

    private enum PathKind
    {
        /// <summary>The decoded path is empty: <c>calendly.com/</c> itself, not a scheduling page.</summary>
        None,

        /// <summary>A plain non-empty path: a scheduling URL.</summary>
        Plain,

        /// <summary>Dots, percent-escapes, other characters: left to <see cref="Uri"/> to normalise and decide.</summary>
        Unusual,
    }

    /// <summary>The decoded path (to the first <c>?</c> or <c>#</c>, as <see cref="Uri"/> reads the unescaped URL), when it is plain or empty.</summary>
    private static PathKind PathOf(ReadOnlySpan<byte> url, int pathStart)
    {
        var at = pathStart;
        var length = 0;
        while (at < url.Length)
        {
            var c = DecodeNext(url, ref at);
            if (c is '?' or '#')
            {
                break;
            }

            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '~' or '/'))
            {
                return PathKind.Unusual;
            }

            length++;
        }

        return length > 0 ? PathKind.Plain : PathKind.None;
    }

    /// <summary>
    /// Which of <paramref name="names"/> the query already has (bit i for names[i]), decoded as <see cref="Unescape"/>
    /// then split on <c>&amp;</c> and <c>=</c>; <paramref name="openEnded"/> when the decoded query is empty or ends with a
    /// separator. False when a name would need percent- or plus-decoding: the general way decides that URL.
    /// </summary>
    private static bool ScanQuery(ReadOnlySpan<byte> rawQuery, string[] names, out int present, out bool openEnded)
    {
        present = 0;
        var all = (1 << names.Length) - 1;
        var matching = all;
        var nameLength = 0;
        var pieceLength = 0;
        var inName = true;
        var last = '&';
        var at = 0;
        while (true)
        {
            var end = at >= rawQuery.Length;
            var c = end ? '&' : DecodeNext(rawQuery, ref at);
            if (c == '&')
            {
                if (pieceLength > 0)
                {
                    for (var i = 0; i < names.Length; i++)
                    {
                        present |= (matching >> i & 1) != 0 && names[i].Length == nameLength ? 1 << i : 0;
                    }
                }

                if (end)
                {
                    openEnded = last == '&';
                    return true;
                }

                matching = all;
                nameLength = pieceLength = 0;
                inName = true;
            }
            else
            {
                pieceLength++;
                if (inName && c == '=')
                {
                    inName = false;
                }
                else if (inName)
                {
                    if (c is '%' or '+')
                    {
                        openEnded = false;
                        return false;
                    }

                    for (var i = 0; matching != 0 && i < names.Length; i++)
                    {
                        matching &= nameLength < names[i].Length && names[i][nameLength] == c ? all : ~(1 << i);
                    }

                    nameLength++;
                }
            }

            last = c;
        }
    }

    /// <summary>
    /// The next character of <paramref name="s"/> as <see cref="Unescape"/> decodes it (<c>\/</c>, <c>\uXXXX</c>,
    /// <c>&amp;amp;</c>, <c>&amp;#38;</c>; any other byte is itself), moving <paramref name="at"/> past it.
    /// </summary>
    private static char DecodeNext(ReadOnlySpan<byte> s, ref int at)
    {
        var b = s[at];
        if (b is not ((byte)'\\' or (byte)'&'))
        {
            at++;
            return (char)b;
        }

        var rest = s[at..];
        if (rest.StartsWith("\\/"u8))
        {
            at += 2;
            return '/';
        }

        if (rest.Length >= 6 && rest[1] == 'u' && rest[0] == '\\' && TryHex(rest.Slice(2, 4), out var code))
        {
            at += 6;
            return (char)code;
        }

        if (rest.Length >= 5 && rest[0] == '&' && ((Lower(rest[1]) == 'a' && Lower(rest[2]) == 'm' && Lower(rest[3]) == 'p') || rest[1..4].SequenceEqual("#38"u8)) && rest[4] == ';')
        {
            at += 5;
            return '&';
        }

        at++;
        return (char)rest[0];
    }

    /// <summary>How the URL's own query separates parameters, so appended ones match (HTML entity, JSON escape or plain).</summary>
    private static ReadOnlySpan<byte> SeparatorOf(ReadOnlySpan<byte> rawQuery) =>
        rawQuery.IndexOf("&amp;"u8) >= 0 || rawQuery.IndexOf("&AMP;"u8) >= 0 ? "&amp;"u8
        : rawQuery.IndexOf("\\u0026"u8) >= 0 ? "\\u0026"u8
        : "&"u8;

    /// <summary>
    /// The general way, on text: <see cref="CalendlyLinkDecoration.IsSchedulingUrl"/> on the unescaped URL, then the
    /// query's decoded names. Allocates; taken only by URLs the byte path does not decide (and by tests, to check it).
    /// <paramref name="fragmentAt"/> is <see cref="FragmentAt"/> of <paramref name="url"/>, which the caller has found.
    /// </summary>
    private bool ReferencePlan(ReadOnlySpan<byte> url, int fragmentAt, out int insertAt, out ReadOnlySpan<byte> insertion)
    {
        insertAt = 0;
        insertion = default;

        // Latin-1 maps each byte to one char, so positions in the text are positions in the bytes.
        var text = Encoding.Latin1.GetString(url);
        if (!CalendlyLinkDecoration.IsSchedulingUrl(Unescape(text)))
        {
            return false;
        }

        var plan = QueryInsertion.Of(text, fragmentAt);
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
        if (added.Count > 0)
        {
            insertion = Encoding.ASCII.GetBytes(plan.Text(added, SeparatorOf(rawQuery), query));
        }

        insertAt = plan.At;
        return true;
    }

    /// <summary>
    /// The parameters a URL may get from this visitor, in <see cref="CalendlyLinkDecoration.ParametersToAdd"/>'s order
    /// (the carrier, then each UTM the visitor has), each encoded once as <c>name=value</c>, and a buffer to join them in.
    /// </summary>
    private sealed class Additions
    {
        private readonly byte[][] pieces;
        private readonly byte[] joined;

        public Additions(CalendlyLinkDecoration decoration)
        {
            var count = 1;
            foreach (var name in TouchParameters.UtmNames)
            {
                count += Adds(decoration, name, out _) ? 1 : 0;
            }

            Names = new string[count];
            pieces = new byte[count][];
            Names[0] = decoration.CarrierParam;
            pieces[0] = Piece(decoration.CarrierParam, decoration.VisitorId);
            var length = pieces[0].Length;
            var next = 1;
            foreach (var name in TouchParameters.UtmNames)
            {
                if (Adds(decoration, name, out var value))
                {
                    Names[next] = name;
                    pieces[next] = Piece(name, value);
                    length += pieces[next].Length;
                    next++;
                }
            }

            // The longest lead or separator is \u0026.
            joined = new byte[length + (count * "\\u0026".Length)];
        }

        private static bool Adds(CalendlyLinkDecoration decoration, string name, [NotNullWhen(true)] out string? value) =>
            decoration.Utms.TryGetValue(name, out value) && !string.IsNullOrEmpty(value) && name != decoration.CarrierParam;

        /// <summary><c>name=value</c> as <see cref="CalendlyLinkDecoration.FormatParameters"/> writes it (percent-encoded, so ASCII).</summary>
        private static byte[] Piece(string name, string value)
        {
            var escapedName = Uri.EscapeDataString(name);
            var escapedValue = Uri.EscapeDataString(value);
            var piece = new byte[escapedName.Length + 1 + escapedValue.Length];
            Encoding.ASCII.GetBytes(escapedName, piece);
            piece[escapedName.Length] = (byte)'=';
            Encoding.ASCII.GetBytes(escapedValue, piece.AsSpan(escapedName.Length + 1));
            return piece;
        }

        /// <summary>The names, carrier first (index 0).</summary>
        public string[] Names { get; }

        /// <summary>The lead, then the parameters whose bit is not set in <paramref name="present"/>, joined with the separator.</summary>
        public ReadOnlySpan<byte> Compose(int present, ReadOnlySpan<byte> lead, ReadOnlySpan<byte> separator)
        {
            var length = 0;
            for (var i = 0; i < pieces.Length; i++)
            {
                if ((present >> i & 1) == 0)
                {
                    var next = length == 0 ? lead : separator;
                    next.CopyTo(joined.AsSpan(length));
                    pieces[i].CopyTo(joined.AsSpan(length + next.Length));
                    length += next.Length + pieces[i].Length;
                }
            }

            return joined.AsSpan(0, length);
        }
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
