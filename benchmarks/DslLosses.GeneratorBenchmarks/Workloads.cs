using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using DslLosses.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DslLosses.GeneratorBenchmarks;

/// <summary>The consumer sources the generator is run on, and the compilation and driver around them.</summary>
public static class Workloads
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var refs = new List<MetadataReference>(Basic.Reference.Assemblies.Net100.References.All);
        if (!refs.Any(r => r.Display?.Contains("System.Numerics.Tensors", StringComparison.OrdinalIgnoreCase) == true))
            refs.Add(MetadataReference.CreateFromFile(typeof(System.Numerics.Tensors.Tensor).Assembly.Location));
        refs.Add(MetadataReference.CreateFromFile(typeof(DslLosses.Dsl).Assembly.Location));
        return refs.ToImmutableArray();
    });

    private const string Usings = "using DslLosses;\nusing static DslLosses.Dsl;\n\nnamespace Consumer;\n\n";

    /// <summary>20 typical formulas (the same as benchmarks/consumer/make-consumer.sh writes): name and declaration with a {0} for the name.</summary>
    public static readonly (string Name, string Declaration)[] Typical =
    [
        ("Mse", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
                => Mean(Square(yTrue - yPred), axis: -1);
            """),
        ("Mae", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
                => Mean(Abs(yTrue - yPred), axis: -1);
            """),
        ("Huber", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
            {{
                var e = Abs(yTrue - yPred);
                return Mean(Where(e <= 1.0, 0.5 * Square(e), e - 0.5), axis: -1);
            }}
            """),
        ("LogCosh", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
            {{
                var x = yPred - yTrue;
                return Mean(x + Softplus(-2 * x) - 0.6931471805599453, axis: -1);
            }}
            """),
        ("Hinge", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
                => Mean(Max(1.0 - yTrue * yPred, 0.0), axis: -1);
            """),
        ("SquaredHinge", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
                => Mean(Square(Max(1 - yTrue * yPred, 0.0)), axis: -1);
            """),
        ("BinaryFocal", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, Scalar gamma)
            {{
                var p = Clip(yPred, Epsilon, 1 - Epsilon);
                var pt = yTrue * p + (1 - yTrue) * (1 - p);
                var alpha = yTrue * 0.25 + (1 - yTrue) * 0.75;
                return Mean(-alpha * Pow(1 - pt, gamma) * Log(pt), axis: -1);
            }}
            """),
        ("CategoricalFocalLogits", """
            [Loss] static TensorExpr {0}([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr logits, Scalar gamma)
                => -Sum(yTrue * Pow(1 - Softmax(logits, axis: -1), gamma) * LogSoftmax(logits, axis: -1), axis: -1);
            """),
        ("Dice", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
                => 1 - (2 * Sum(yTrue * yPred, axis: -1) + 1) / (Sum(yTrue, axis: -1) + Sum(yPred, axis: -1) + 1);
            """),
        ("Tversky", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
            {{
                var tp = Sum(yTrue * yPred, axis: -1);
                var fn = Sum(yTrue * (1 - yPred), axis: -1);
                var fp = Sum((1 - yTrue) * yPred, axis: -1);
                return 1 - (tp + 1) / (tp + 0.7 * fn + 0.3 * fp + 1);
            }}
            """),
        ("Contrastive", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr distance)
                => Mean(yTrue * Square(distance) + (1 - yTrue) * Square(Max(1 - distance, 0.0)), axis: -1);
            """),
        ("BceWithLogits", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr logits)
                => Mean(Softplus(logits) - logits * yTrue, axis: -1);
            """),
        ("KlDivergence", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
            {{
                var y = Clip(yTrue, Epsilon, 1);
                var p = Clip(yPred, Epsilon, 1);
                return Sum(y * Log(y / p), axis: -1);
            }}
            """),
        ("PoissonLoss", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
                => Mean(yPred - yTrue * Log(yPred + Epsilon), axis: -1);
            """),
        ("CosineSimilarity", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
                => -Sum(yTrue * yPred, axis: -1) / (Sqrt(Sum(Square(yTrue), axis: -1) * Sum(Square(yPred), axis: -1)) + Epsilon);
            """),
        ("Mape", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
                => 100 * Mean(Abs((yTrue - yPred) / Max(Abs(yTrue), Epsilon)), axis: -1);
            """),
        ("Msle", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
                => Mean(Square(Log1p(Max(yPred, Epsilon)) - Log1p(Max(yTrue, Epsilon))), axis: -1);
            """),
        ("Pinball", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, Scalar tau)
            {{
                var e = yTrue - yPred;
                return Mean(Max(tau * e, (tau - 1) * e), axis: -1);
            }}
            """),
        ("LabelSmoothedCce", """
            [Loss] static TensorExpr {0}([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr logits)
            {{
                var y = yTrue * (1 - 0.1) + 0.1 / Dim(yTrue, axis: -1);
                return -Sum(y * LogSoftmax(logits, axis: -1), axis: -1);
            }}
            """),
        ("GaussianNll", """
            [Loss] static TensorExpr {0}([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr mean, [Shape("B", "N")] TensorExpr variance)
            {{
                var v = Max(variance, 1e-6);
                return Mean(0.5 * (Log(v) + Square(yTrue - mean) / v), axis: -1);
            }}
            """),
    ];

    /// <summary>
    /// <paramref name="count"/> formulas cycling through <see cref="Typical"/>, ten to a class, one class to a file.
    /// </summary>
    public static List<string> FormulaSources(int count)
    {
        var files = new List<string>();
        for (int start = 0; start < count; start += 10)
        {
            var sb = new StringBuilder(Usings);
            sb.Append("public static partial class Losses").Append(start / 10).Append("\n{\n");
            for (int i = start; i < Math.Min(count, start + 10); i++)
            {
                (string name, string declaration) = Typical[i % Typical.Length];
                sb.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, declaration, name + "_" + i)).Append("\n\n");
            }
            sb.Append("}\n");
            files.Add(sb.ToString());
        }
        return files;
    }

    /// <summary>
    /// One formula of <paramref name="locals"/> chained locals, each used twice by the next:
    /// <c>var a1 = yPred * yTrue; var a2 = a1 + a1 * a1; ...; return Mean(aN, axis: -1);</c>
    /// </summary>
    public static string ChainSource(int locals)
    {
        var sb = new StringBuilder(Usings);
        sb.Append("public static partial class Chains\n{\n");
        sb.Append("    [Loss] static TensorExpr Chain").Append(locals).Append("([Shape(\"B\", \"N\")] TensorExpr yTrue, [Shape(\"B\", \"N\")] TensorExpr yPred)\n    {\n");
        sb.Append("        var a1 = yPred * yTrue;\n");
        for (int i = 2; i <= locals; i++)
            sb.Append("        var a").Append(i).Append(" = a").Append(i - 1).Append(" + a").Append(i - 1).Append(" * a").Append(i - 1).Append(";\n");
        sb.Append("        return Mean(a").Append(locals).Append(", axis: -1);\n    }\n}\n");
        return sb.ToString();
    }

    /// <summary>A file without formulas: the one the incremental benchmark edits.</summary>
    public const string Other = "namespace Consumer;\n\npublic static class Other\n{\n    public static int X => 1;\n}\n";

    /// <summary>The same file with a comment added.</summary>
    public const string OtherEdited = "namespace Consumer;\n\n// an unrelated edit\npublic static class Other\n{\n    public static int X => 1;\n}\n";

    public static SyntaxTree[] Parse(IEnumerable<string> sources)
        => sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")).ToArray();

    /// <summary>A new compilation over already parsed trees (what a build hands the generator: nothing bound yet).</summary>
    public static CSharpCompilation Compile(IEnumerable<SyntaxTree> trees)
        => CSharpCompilation.Create(
            "Consumer",
            trees,
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

    /// <summary>A driver of <see cref="LossGenerator"/>, or of <paramref name="generator"/>; <paramref name="trackSteps"/> records each step's time.</summary>
    public static GeneratorDriver Driver(IIncrementalGenerator? generator = null, bool trackSteps = false)
        => CSharpGeneratorDriver.Create(
            new[] { (generator ?? new LossGenerator()).AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator; fails if it reported an error or generated nothing (a workload the DSL does not accept).</summary>
    public static GeneratorDriver Run(GeneratorDriver driver, Compilation compilation, bool check = false)
    {
        driver = driver.RunGenerators(compilation);
        if (check)
        {
            GeneratorDriverRunResult result = driver.GetRunResult();
            Diagnostic? error = result.Diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error);
            if (error is not null)
                throw new InvalidOperationException("the generator reported " + error);
            if (result.GeneratedTrees.Length == 0)
                throw new InvalidOperationException("the generator produced nothing");
        }
        return driver;
    }

    /// <summary>Total characters of the generated sources (to report how much was emitted).</summary>
    public static long GeneratedChars(GeneratorDriver driver)
        => driver.GetRunResult().GeneratedTrees.Sum(t => (long)t.Length);
}
