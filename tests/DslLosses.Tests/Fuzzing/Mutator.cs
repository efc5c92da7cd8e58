using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslLosses.Tests.Fuzzing;

/// <summary>A formula case: the type declaration around the method (with {0} where the method goes), its namespace and the method.</summary>
/// <remarks>
/// A random formula carries its <see cref="Body"/> (for shrinking) and <see cref="Signature"/>; a mutant that must be
/// refused carries <see cref="MustBeRefused"/>: why it is wrong (it must get a DSL error located in the formula).
/// </remarks>
public sealed record FuzzCase(string Kind, string Namespace, string TypeDeclaration, string Method, Node? Body = null, Signature? Signature = null, string? MustBeRefused = null)
{
    /// <summary>The source file of case <paramref name="index"/>: its own namespace, so many cases compile together.</summary>
    public string Source(int index)
        => GeneratorFuzz.Usings + "namespace Fuzz.Case" + index + (Namespace.Length > 0 ? "." + Namespace : "") + "\n{\n"
           + TypeDeclaration.Replace("{0}", Method) + "\n}\n";
}

/// <summary>
/// Mutations of the project's own formulas (the built-in Keras formulas and the test project's): swapped operators and
/// calls, wrong arity, dropped and duplicated arguments, undeclared names, unsupported C# constructs, truncated bodies,
/// bad shapes and axes, missing static/partial, nested and generic types, names the generated code uses itself.
/// </summary>
public static class Mutator
{
    public const string PlainType = "public static partial class L\n{\n{0}\n}";

    private static readonly Lazy<string[]> s_seeds = new(() => LoadSeeds());

    public static IReadOnlyList<string> Seeds => s_seeds.Value;

    private static string[] LoadSeeds([CallerFilePath] string path = "")
    {
        string root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));
        var files = new[] { Path.Combine(root, "runtime", "Keras", "KerasFormulas.cs") }
            .Concat(new[] { "TestFormulas.cs", "MultiAxisFormulas.cs", "MultiDiffTests.cs" }.Select(f => Path.Combine(root, "tests", "DslLosses.Tests", f)));
        return files.SelectMany(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f)).GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            .Where(m => m.AttributeLists.SelectMany(a => a.Attributes).Any(a => a.Name.ToString() == "Loss"))
            .Select(m => m.WithoutLeadingTrivia().ToString())
            .ToArray();
    }

    private static readonly string[] Operators = { " + ", " - ", " * ", " / ", " < ", " > " };

    private static readonly string[][] CallFamilies =
    {
        new[] { "Log", "Exp", "Sqrt", "Abs", "Square", "Sigmoid", "Softplus", "Log1p", "Negate", "Tanh" },
        new[] { "Sum", "Mean", "Max", "Min", "LogSumExp", "Softmax", "LogSoftmax", "Dim" },
        new[] { "Clip", "Where", "Pow", "Max", "Gather", "Masked" },
    };

    private static readonly string[] Unsupported =
    {
        "(x is null ? x : x)", "new TensorExpr()", "default(TensorExpr)", "checked(x)", "x!", "((System.Func<TensorExpr>)(() => x))()",
        "x switch { _ => x }", "(x = x)", "nameof(x)", "Sum(x, axis: n)", "typeof(TensorExpr)", "$\"{x}\"", "x++", "await x",
    };

    private static readonly string[] GeneratedNames =
    {
        "T", "TL", "TS", "TOut", "TW", "e", "e0", "i", "j", "k", "c", "o", "row", "outer", "inner", "start", "wm", "sw", "dest",
        "grad", "kept", "divisor", "total", "vtotal", "fold", "step", "flat", "tiles", "job", "gradient", "reduction",
        "sampleWeight", "destination", "axis", "__x", "@int", "@class", "@static", "System", "global", "Shapes", "value",
        "var", "Dsl", "Unsafe", "scale", "withTotal", "result", "@this", "nint", "dynamic", "L", "F",
    };

    private static readonly string[] Shapes =
    {
        "Shape(\"N\", \"B\")", "Shape(\"B\")", "Shape(3, \"N\")", "Shape(\"...\", \"...\", \"N\")", "Shape(\"B N\")", "Shape()",
        "Shape(\"B\", \"N\", \"K\")", "Shape(0, \"N\")", "Shape(\"B\", \"...\")", "Shape(\"B\", 1)", "Shape(\"...\")",
    };

    private static readonly string[] Axes = { "0", "1", "2", "-2", "-3", "5", "axis: 0", "-1 + 0" };

    private static readonly string[] Types =
    {
        "public static class L\n{\n{0}\n}",
        "public partial class L<TX>\n{\n{0}\n}",
        "public static partial class Outer\n{\n    internal partial struct Inner\n    {\n{0}\n    }\n}",
        "public static class Outer\n{\n    public static partial class Inner\n    {\n{0}\n    }\n}",
        "public partial record R(int A)\n{\n{0}\n}",
        "public readonly partial record struct R2\n{\n{0}\n}",
        "public static partial class @class\n{\n{0}\n}",
        "public sealed static partial class L\n{\n{0}\n}",
        "public static partial class Outer\n{\n    private partial class L<TY> where TY : struct\n    {\n{0}\n    }\n}",
        "public partial interface I\n{\n{0}\n}",
        "public static partial class L\n{\n    public static int F() => 0;\n{0}\n}",
    };

    public static FuzzCase Next(Random random)
    {
        string method = Seeds[random.Next(Seeds.Count)];
        string ns = "";
        string type = PlainType;
        int count = random.Next(4) == 0 ? 2 : 1;
        string kind = "";
        string? refused = null, mustBeRefused = null;
        for (int m = 0; m < count; m++)
        {
            refused = null;
            int choice = random.Next(18);
            kind += (kind.Length > 0 ? "+" : "") + choice switch
            {
                0 => "operator", 1 => "call", 2 => "drop-argument", 3 => "duplicate-argument", 4 => "undeclared", 5 => "unsupported",
                6 => "truncated", 7 => "axis", 8 => "shape", 9 => "static", 10 => "type", 11 => "generated-name", 12 => "keyword-names",
                13 => "loss-name", 14 => "system-type", 15 => "swap-parameters", 16 => "mark-differentiable", _ => "bad-axes",
            };
            switch (choice)
            {
                case 0: method = ReplaceOne(random, method, Operators, Operators); break;
                case 1:
                {
                    string[] family = CallFamilies[random.Next(CallFamilies.Length)];
                    method = ReplaceOne(random, method, family.Select(f => f + "(").ToArray(), family.Select(f => f + "(").ToArray());
                    break;
                }
                case 2: method = DropArgument(random, method); break;
                case 3: method = Regex.Replace(method, @"\b(Log|Exp|Sum|Mean|Clip|Square|Abs)\((\w+)", "$1($2, $2", RegexOptions.None, TimeSpan.FromSeconds(1)); break;
                case 4: method = ReplaceWord(random, method, Parameters(method), "undeclared"); break;
                case 5: method = ReplaceWord(random, method, Parameters(method), Unsupported[random.Next(Unsupported.Length)].Replace("x", Parameters(method).FirstOrDefault() ?? "x")); break;
                case 6:
                {
                    int start = method.IndexOf("=>", StringComparison.Ordinal) is int a and >= 0 ? a : Math.Max(0, method.IndexOf('{'));
                    method = method.Substring(0, start + random.Next(Math.Max(1, method.Length - start)));
                    break;
                }
                case 7: method = Regex.Replace(method, @"axis: -1|, -1\)", random.Next(2) == 0 ? "axis: " + Axes[random.Next(Axes.Length)] : ", " + Axes[random.Next(Axes.Length)] + ")"); break;
                case 8: method = ReplaceOne(random, method, new[] { "Shape(\"B\", \"N\")", "Shape(\"...\", \"N\")", "Shape(\"...\")", "Shape(\"B\", \"C\")", "Shape(\"B\")" }, Shapes); break;
                case 9: method = random.Next(2) == 0 ? Regex.Replace(method, @"\bstatic ", "") : Regex.Replace(method, @"\bstatic ", "static async "); break;
                case 10: type = Types[random.Next(Types.Length)]; break;
                case 11:
                {
                    var parameters = Parameters(method);
                    if (parameters.Count > 0)
                        method = Regex.Replace(method, @"(?<![\w""])" + Regex.Escape(parameters[random.Next(parameters.Count)]) + @"\b", GeneratedNames[random.Next(GeneratedNames.Length)]);
                    break;
                }
                case 12:
                    ns = random.Next(2) == 0 ? "@class" : "@namespace.@struct";
                    type = "public static partial class @class\n{\n    public partial struct @int\n    {\n{0}\n    }\n}";
                    foreach (string p in Parameters(method))
                        method = Regex.Replace(method, @"(?<![\w""])" + Regex.Escape(p) + @"\b", "@" + new[] { "int", "double", "float", "base", "object" }[random.Next(5)]);
                    break;
                case 13: method = Regex.Replace(method, @"\[Loss(\(|\])", "[Loss(Name = \"line\\nbreak \\\"q\\\" </c> */ \\u2028 \\\\\", $1").Replace(", )]", ")]").Replace(", ]", ")]"); break;
                case 14: type = "public static partial class L\n{\n{0}\n}\npublic class " + (random.Next(2) == 0 ? "Kernels" : "Numerics") + " { }"; break;
                case 16: method = MarkDifferentiable(random, method, out refused); break;
                case 17: method = BadAxes(random, method, out refused); break;
                default:
                {
                    var parameters = Parameters(method);
                    if (parameters.Count >= 2)
                        method = Regex.Replace(method, @"\b(TensorExpr|Scalar|Indices|int) (" + parameters[0] + @")\b", "$1 $2, int extra");
                    break;
                }
            }
            // with one mutation, a mutant known to be wrong must be refused (another mutation may hide the error)
            mustBeRefused = count == 1 ? refused : null;
        }
        // most mutants only need to compile: one element type keeps the compiler's share of the run small
        if (random.Next(4) != 0 && !method.Contains("ElementTypes", StringComparison.Ordinal))
            method = Regex.Replace(method, @"\[Loss(\(|\])", m => m.Groups[1].Value == "(" ? "[Loss(ElementTypes = LossElementTypes.Double, " : "[Loss(ElementTypes = LossElementTypes.Double)]");
        return new FuzzCase("mutant:" + kind, ns, type, Indent(method), MustBeRefused: mustBeRefused);
    }

    /// <summary>
    /// Marks one parameter <c>[Differentiable]</c>: an <c>int</c> or <c>Indices</c> (then <paramref name="refused"/> says
    /// why the formula must be refused) or, a third of the time or when there is none, a tensor or Scalar (which may be
    /// valid: a row tensor gets a warning and no gradient).
    /// </summary>
    private static string MarkDifferentiable(Random random, string method, out string? refused)
    {
        refused = null;
        int body = method.IndexOf("=>", StringComparison.Ordinal) is int a and >= 0 ? a : Math.Max(0, method.IndexOf('{'));
        var declared = Regex.Matches(method.Substring(0, body), @"(?<attributes>\[[^\]]*\]\s*)?\b(?<type>TensorExpr|Scalar|Indices|int) (?<name>@?\w+)(?=\s*[,)])")
            .Where(m => !m.Groups["attributes"].Value.Contains("Differentiable", StringComparison.Ordinal)).ToList();
        var nonTensors = declared.Where(m => m.Groups["type"].Value is "int" or "Indices").ToList();
        var pool = nonTensors.Count > 0 && random.Next(3) != 0 ? nonTensors : declared;
        if (pool.Count == 0)
            return method;
        Match chosen = pool[random.Next(pool.Count)];
        string attributes = chosen.Groups["attributes"].Value;
        string marked = attributes.Length > 0 ? "[Differentiable, " + attributes.Substring(1) : "[Differentiable] ";
        if (chosen.Groups["type"].Value is "int" or "Indices")
            refused = $"'{chosen.Groups["name"].Value}' ({chosen.Groups["type"].Value}) is marked [Differentiable]";
        return method.Substring(0, chosen.Index) + marked + method.Substring(chosen.Index + attributes.Length);
    }

    private static readonly string[] AxisOperations = { "Sum", "Mean", "Max", "Min", "LogSumExp", "LogSoftmax", "Softmax" };

    /// <summary>
    /// Gives one axis operation (<c>Sum</c>, <c>Mean</c>, ...; its <c>axes:</c>, named <c>axis:</c> or, but for
    /// <c>Max</c>/<c>Min</c>, positional axis) an <c>axes:</c> list that no formula of its rank accepts: an axis twice,
    /// an axis out of range, a gap, the batch axis, the last axis left out. The rank is that of the first shape declared.
    /// </summary>
    private static string BadAxes(Random random, string method, out string? refused)
    {
        refused = null;
        Match shape = Regex.Match(method, @"Shape\(([^)]*)\)");
        if (!shape.Success || shape.Groups[1].Value.Contains("...", StringComparison.Ordinal))
            return method;
        int rank = shape.Groups[1].Value.Split(',').Length;
        if (rank < 2)
            return method;
        int body = method.IndexOf("=>", StringComparison.Ordinal) is int a and >= 0 ? a : Math.Max(0, method.IndexOf('{'));
        var sites = new List<(int At, int Length)>();
        foreach (Match m in Regex.Matches(method.Substring(body), @"axes: (\[[^\]]*\]|NonBatchAxes)|axis: -?\d+|, -?\d+(?=\))"))
        {
            string call = EnclosingCall(method, body + m.Index);
            if (AxisOperations.Contains(call) && (m.Value.StartsWith("a", StringComparison.Ordinal) || call is not ("Max" or "Min")))
                sites.Add((body + m.Index, m.Length));
        }
        if (sites.Count == 0)
            return method;
        (int at, int length) = sites[random.Next(sites.Count)];
        var wrong = new List<(string Axes, string Why)>
        {
            ($"[{rank - 1}, {rank - 1}]", "an axis listed twice"),
            ($"[1, {rank}]", "an axis out of range"),
            ($"[{-rank - 1}, -1]", "a negative axis out of range"),
            ("[" + string.Join(", ", Enumerable.Range(0, rank)) + "]", "the batch axis"),
        };
        if (rank >= 3)
            wrong.Add(("[" + string.Join(", ", Enumerable.Range(1, rank - 2)) + "]", "the last axis left out"));
        if (rank >= 4)
            wrong.Add(($"[1, {rank - 1}]", "a gap"));
        (string axes, string why) = wrong[random.Next(wrong.Count)];
        refused = $"axes: {axes} in a rank-{rank} formula ({why})";
        string replacement = method[at] == ',' ? ", axes: " + axes : "axes: " + axes;
        return method.Substring(0, at) + replacement + method.Substring(at + length);
    }

    /// <summary>The name of the call whose argument list holds position <paramref name="at"/> (empty when none).</summary>
    private static string EnclosingCall(string text, int at)
    {
        int depth = 0;
        for (int i = at - 1; i >= 0; i--)
        {
            if (text[i] == ')')
                depth++;
            else if (text[i] == '(' && depth-- == 0)
            {
                int end = i;
                while (end > 0 && char.IsWhiteSpace(text[end - 1]))
                    end--;
                int start = end;
                while (start > 0 && (char.IsLetterOrDigit(text[start - 1]) || text[start - 1] == '_'))
                    start--;
                return text.Substring(start, end - start);
            }
        }
        return "";
    }

    private static string Indent(string method) => string.Join("\n", method.Split('\n').Select(l => "    " + l.TrimEnd('\r')));

    private static List<string> Parameters(string method)
        => Regex.Matches(method, @"\b(?:TensorExpr|Scalar|Indices|int) (@?\w+)\s*[,)]").Select(m => m.Groups[1].Value).Distinct().ToList();

    private static string ReplaceOne(Random random, string text, string[] find, string[] replacements)
    {
        int body = Math.Max(0, text.IndexOf(")", StringComparison.Ordinal));
        var hits = new List<(int At, string What)>();
        foreach (string f in find)
            for (int at = text.IndexOf(f, body, StringComparison.Ordinal); at >= 0; at = text.IndexOf(f, at + 1, StringComparison.Ordinal))
                hits.Add((at, f));
        if (hits.Count == 0)
            return text;
        (int pos, string what) = hits[random.Next(hits.Count)];
        return text.Substring(0, pos) + replacements[random.Next(replacements.Length)] + text.Substring(pos + what.Length);
    }

    private static string ReplaceWord(Random random, string text, List<string> words, string replacement)
    {
        if (words.Count == 0)
            return text;
        string word = words[random.Next(words.Count)];
        int body = text.IndexOf("=>", StringComparison.Ordinal) is int a and >= 0 ? a : Math.Max(0, text.IndexOf('{'));
        var uses = Regex.Matches(text.Substring(body), @"(?<![\w""])" + Regex.Escape(word) + @"\b").Cast<Match>().ToList();
        if (uses.Count == 0)
            return text;
        Match use = uses[random.Next(uses.Count)];
        return text.Substring(0, body + use.Index) + replacement + text.Substring(body + use.Index + use.Length);
    }

    private static string DropArgument(Random random, string text)
    {
        var commas = new List<int>();
        int body = text.IndexOf("=>", StringComparison.Ordinal) is int a and >= 0 ? a : Math.Max(0, text.IndexOf('{'));
        for (int i = body; i < text.Length; i++)
            if (text[i] == ',')
                commas.Add(i);
        if (commas.Count == 0)
            return text;
        int comma = commas[random.Next(commas.Count)];
        int depth = 0, end = comma + 1;
        for (; end < text.Length; end++)
        {
            char ch = text[end];
            if (ch == '(') depth++;
            else if (ch == ')' && depth-- == 0) break;
            else if (ch == ',' && depth == 0) break;
        }
        return text.Substring(0, comma) + text.Substring(end);
    }
}
