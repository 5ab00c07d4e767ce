using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace Able.Attribution.Service.ConsolePages;

/// <summary>
/// Markup that is already safe to write as it is: built by an <see cref="HtmlBuilder"/> (whose holes were encoded) or a
/// constant of this assembly. Never made from outside input.
/// </summary>
public readonly record struct HtmlFragment(string Markup)
{
    public static HtmlFragment Empty { get; } = new("");

    public override string ToString() => Markup;
}

/// <summary>
/// Builds a page from interpolated strings whose literal parts are markup and whose every hole is HTML-encoded (text
/// and quoted attribute values alike), so a value read from Redis (UTM values, TikTok messages) can only ever be text.
/// A hole holding an <see cref="HtmlFragment"/> is written as it is.
/// </summary>
public sealed class HtmlBuilder
{
    private readonly StringBuilder markup = new(4096);

    public HtmlBuilder Append([InterpolatedStringHandlerArgument("")] ref HtmlInterpolatedStringHandler html)
    {
        _ = html;
        return this;
    }

    public HtmlBuilder Append(HtmlFragment fragment)
    {
        markup.Append(fragment.Markup);
        return this;
    }

    public HtmlFragment ToFragment() => new(markup.ToString());

    public override string ToString() => markup.ToString();

    /// <summary>One piece of markup from one interpolated string (holes encoded).</summary>
    public static HtmlFragment Of([InterpolatedStringHandlerArgument] ref HtmlInterpolatedStringHandler html) => html.ToFragment();

    internal void AppendMarkup(string literal) => markup.Append(literal);

    internal void AppendEncoded(string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            markup.Append(HtmlEncoder.Default.Encode(text));
        }
    }
}

[InterpolatedStringHandler]
public ref struct HtmlInterpolatedStringHandler
{
    private readonly HtmlBuilder builder;

    public HtmlInterpolatedStringHandler(int literalLength, int formattedCount, HtmlBuilder builder)
    {
        _ = literalLength;
        _ = formattedCount;
        this.builder = builder;
    }

    public HtmlInterpolatedStringHandler(int literalLength, int formattedCount)
        : this(literalLength, formattedCount, new HtmlBuilder())
    {
    }

    public readonly void AppendLiteral(string literal) => builder.AppendMarkup(literal);

    public readonly void AppendFormatted(HtmlFragment fragment) => builder.AppendMarkup(fragment.Markup);

    public readonly void AppendFormatted(string? text) => builder.AppendEncoded(text);

    public readonly void AppendFormatted<T>(T value) => builder.AppendEncoded(value switch
    {
        null => null,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    });

    public readonly void AppendFormatted<T>(T value, string format)
        where T : IFormattable => builder.AppendEncoded(value?.ToString(format, CultureInfo.InvariantCulture));

    internal readonly HtmlFragment ToFragment() => builder.ToFragment();
}
