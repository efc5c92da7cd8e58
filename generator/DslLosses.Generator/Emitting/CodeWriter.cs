using System.Text;

namespace DslLosses.Generator.Emitting;

/// <summary>An indenting text writer for generated C#; <see cref="Block"/> opens a brace scope closed by disposing it.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public CodeWriter Line(string line = "")
    {
        if (line.Length == 0)
        {
            _text.Append('\n');
            return this;
        }
        _text.Append(' ', _indent * 4).Append(line).Append('\n');
        return this;
    }

    public CodeWriter Lines(System.Collections.Generic.IEnumerable<string> lines)
    {
        foreach (string line in lines)
            Line(line);
        return this;
    }

    public Scope Block(string? header = null)
    {
        if (header is not null)
            Line(header);
        Line("{");
        _indent++;
        return new Scope(this);
    }

    public override string ToString() => _text.ToString();

    internal readonly struct Scope : System.IDisposable
    {
        private readonly CodeWriter _writer;

        public Scope(CodeWriter writer) => _writer = writer;

        public void Dispose()
        {
            _writer._indent--;
            _writer.Line("}");
        }
    }
}
