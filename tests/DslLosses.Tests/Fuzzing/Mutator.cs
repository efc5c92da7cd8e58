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
public sealed record FuzzCase(string Kind, string Namespace, string TypeDeclaration, string Method, Node? Body = null)
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
        var files = new[] { Path.Combine(root, "runtime", "Keras", "KerasFormulas.cs"), Path.Combine(root, "tests", "DslLosses.Tests", "TestFormulas.cs") };
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
        for (int m = 0; m < count; m++)
        {
            int choice = random.Next(16);
            kind += (kind.Length > 0 ? "+" : "") + choice switch
            {
                0 => "operator", 1 => "call", 2 => "drop-argument", 3 => "duplicate-argument", 4 => "undeclared", 5 => "unsupported",
                6 => "truncated", 7 => "axis", 8 => "shape", 9 => "static", 10 => "type", 11 => "generated-name", 12 => "keyword-names",
                13 => "loss-name", 14 => "system-type", _ => "swap-parameters",
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
                default:
                {
                    var parameters = Parameters(method);
                    if (parameters.Count >= 2)
                        method = Regex.Replace(method, @"\b(TensorExpr|Scalar|Indices|int) (" + parameters[0] + @")\b", "$1 $2, int extra");
                    break;
                }
            }
        }
        // most mutants only need to compile: one element type keeps the compiler's share of the run small
        if (random.Next(4) != 0 && !method.Contains("ElementTypes", StringComparison.Ordinal))
            method = Regex.Replace(method, @"\[Loss(\(|\])", m => m.Groups[1].Value == "(" ? "[Loss(ElementTypes = LossElementTypes.Double, " : "[Loss(ElementTypes = LossElementTypes.Double)]");
        return new FuzzCase("mutant:" + kind, ns, type, Indent(method));
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
