using System.Text;

namespace Able.Schema.Visitors;

/// <summary>
/// The <c>name=value</c> pairs of a raw query (no '?'; in <paramref name="text"/> from <paramref name="start"/> on), as
/// ranges into the text, without empty entries: what <c>Split('&amp;', RemoveEmptyEntries)</c> gives, without a string per pair.
/// </summary>
internal readonly struct QueryPairs(string text, int start)
{
    public static QueryPairs Of(string query, int start = 0) => new(query, start);

    public Enumerator GetEnumerator() => new(text, start);

    /// <summary>No empty entry: no leading or trailing '&amp;' and no "&amp;&amp;".</summary>
    public static bool HasNoEmptyEntry(string query) =>
        query.Length > 0 && query[0] != '&' && query[^1] != '&' && !query.Contains("&&", StringComparison.Ordinal);

    /// <summary>ASCII without '%' or '+': a name or value that decoding leaves as it is and that ASCII case rules cover.</summary>
    public static bool IsPlainAscii(ReadOnlySpan<char> text) => Ascii.IsValid(text) && !text.ContainsAny('%', '+');

    public struct Enumerator(string query, int start)
    {
        private int next = start;

        public Range Current { get; private set; }

        public bool MoveNext()
        {
            while (next <= query.Length)
            {
                var start = next;
                var amp = query.IndexOf('&', start);
                var end = amp < 0 ? query.Length : amp;
                next = end + 1;
                if (end > start)
                {
                    Current = start..end;
                    return true;
                }
            }

            return false;
        }
    }
}
