using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace DslLosses.Generator.Emitting;

/// <summary>
/// User text written into generated C#: identifiers (a keyword keeps its <c>@</c>), string literals, one-line comments
/// and XML doc text. Names and loss names come from the user's code and may hold keywords, quotes and line breaks.
/// </summary>
internal static class CSharpText
{
    /// <summary>An identifier as written in code: <c>@int</c> for a parameter the user declared as <c>@int</c>.</summary>
    public static string Id(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>A C# string literal holding <paramref name="text"/>.</summary>
    public static string Quote(string text) => "\"" + Escape(text, quotes: true) + "\"";

    /// <summary><paramref name="text"/> on one line, fit for a <c>//</c> comment: line breaks and control characters written as escapes.</summary>
    public static string Comment(string text) => Escape(text, quotes: false);

    /// <summary><paramref name="text"/> for XML doc comments: one line, with <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> escaped.</summary>
    public static string Xml(string text) => Comment(text).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary>
    /// A file name for <c>AddSource</c>: letters, digits, <c>_</c> and <c>.</c> as they are, every other character as
    /// <c>-XXXX</c> (its UTF-16 code), so distinct names stay distinct.
    /// </summary>
    public static string FileName(string text)
    {
        var s = new StringBuilder(text.Length);
        foreach (char ch in text)
        {
            if (ch < 128 && (char.IsLetterOrDigit(ch) || ch is '_' or '.'))
                s.Append(ch);
            else
                s.Append('-').Append(((int)ch).ToString("X4", CultureInfo.InvariantCulture));
        }
        return s.ToString();
    }

    private static string Escape(string text, bool quotes)
    {
        var s = new StringBuilder(text.Length + 2);
        foreach (char ch in text)
        {
            switch (ch)
            {
                case '\\' when quotes: s.Append("\\\\"); break;
                case '"' when quotes: s.Append("\\\""); break;
                case '\n': s.Append("\\n"); break;
                case '\r': s.Append("\\r"); break;
                case '\t': s.Append("\\t"); break;
                case '\0': s.Append("\\0"); break;
                default:
                    if (char.IsControl(ch) || ch is '\u0085' or '\u2028' or '\u2029')
                        s.Append("\\u").Append(((int)ch).ToString("X4", CultureInfo.InvariantCulture));
                    else
                        s.Append(ch);
                    break;
            }
        }
        return s.ToString();
    }
}
