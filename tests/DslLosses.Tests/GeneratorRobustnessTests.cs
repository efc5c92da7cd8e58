using System.Linq;
using DslLosses.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace DslLosses.Tests;

/// <summary>Broken user code never crashes the generator: each malformed formula gets diagnostics, no exception, no DSL0099.</summary>
public class GeneratorRobustnessTests
{
    public static TheoryData<string, bool> Malformed => new()
    {
        // (body, whether C# itself rejects it: then the compiler reports and the generator stays quiet)
        { """[Loss] static TensorExpr F([Shape("B")] TensorExpr x) { var y = x; y = y * 2; return y; }""", false },
        { """[Loss] static TensorExpr F([Shape("B")] TensorExpr x) { if (true) return x; return -x; }""", false },
        { """[Loss] static TensorExpr F([Shape("B")] TensorExpr x) { var y = x; }""", true },
        { """[Loss] static TensorExpr F([Shape("B")] TensorExpr x) { return x; return x; }""", false },
        { """[Loss] static TensorExpr F([Shape("B")] TensorExpr x) => new TensorExpr();""", false },
        { """[Loss] static TensorExpr F([Shape("B")] TensorExpr x) => x + Undefined(x);""", true },
        { """[Loss] static TensorExpr F([Shape("B")] TensorExpr x) => Log(x, x);""", true },
        { """[Loss] static TensorExpr F([Shape()] TensorExpr x) => x;""", false },
        { """[Loss] static TensorExpr F([Shape("B", "...")] TensorExpr x) => x;""", false },
        { """[Loss] static TensorExpr F([Shape("...", "N")] TensorExpr x, [Shape("B", "N")] TensorExpr y) => Mean(x - y, -1);""", false },
        { """[Loss(Axis = 1)] static TensorExpr F([Shape("...", "N")] TensorExpr x) => Mean(x, 1);""", false },
        { """[Loss] static TensorExpr F([Shape("...")] TensorExpr x) => Sum(x, -1);""", false },
        { """[Loss] static TensorExpr F([Shape("B", "C")] TensorExpr x, [Shape("B", "C")] TensorExpr y) => Gather(x, y < 0, -1);""", true },
        { """[Loss] static TensorExpr F([Shape("B", "C")] TensorExpr x, [Shape("B", "C")] Indices l) => Gather(x, l, -1);""", false },
        { """[Loss] static TensorExpr F([Shape("B", "C")] TensorExpr x, [Shape("B")] Indices l) => Mean(Masked(x, l != 0), -1);""", false },
        { """[Loss] static TensorExpr F([Shape("B")] ref TensorExpr x) => x;""", false },
        { """[Loss] static TensorExpr F([Shape("B")] TensorExpr x) => x""", true },
        { """[Loss] static TensorExpr F([Shape("B")] TensorExpr x) => Dsl.Sum(x, (Axis)(1 + 1));""", false },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_formula_gets_a_diagnostic_not_a_crash(string formula, bool compilerError)
    {
        string source = GeneratorHarness.Usings + "public static partial class L\n{\n    " + formula + "\n}\n";
        (HarnessRun run, var compilation) = GeneratorHarness.Run(source);
        Assert.All(run.Results, r => Assert.Null(r.Exception));
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "DSL0099");
        Assert.DoesNotContain(compilation, d => d.Id is "AD0001" or "CS8784" or "CS8785");
        if (compilerError)
            Assert.Contains(compilation, d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("CS"));
        else
            Assert.Contains(run.Diagnostics, d => d.Id.StartsWith("DSL") && d.Severity == DiagnosticSeverity.Error);
        Assert.Empty(run.GeneratedTrees);
    }

    [Fact]
    public void Valid_formula_generates_code_that_compiles_without_warnings()
    {
        (HarnessRun run, var compilation) = GeneratorHarness.Run(GeneratorHarness.Usings + """
            namespace N
            {
                public static partial class Outer
                {
                    internal static partial class L
                    {
                        [Loss] static TensorExpr F([Shape("B", 4)] TensorExpr y, [Shape("B", 4)] TensorExpr p, [Shape("B")] Indices k, Scalar s, int n)
                            => Masked(Sum(y * Log(Softmax(p, -1)), -1) * s + Gather(p, k, -1) * n, k != n);
                    }
                }
            }
            """);
        Assert.Empty(run.Diagnostics);
        Assert.Single(run.GeneratedTrees);
        Assert.Empty(compilation.Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void Without_unsafe_code_the_totals_stay_single_threaded_and_compile()
    {
        var source = GeneratorHarness.Usings + """
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr p) => Mean(Abs(y - p), -1);
            }
            """;
        foreach (bool allowUnsafe in new[] { false, true })
        {
            var compilation = GeneratorHarness.Compile(source).WithOptions(GeneratorHarness.Compile().Options.WithAllowUnsafe(allowUnsafe));
            GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var diagnostics);
            Assert.Empty(diagnostics);
            Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
            string generated = output.SyntaxTrees.Last().ToString();
            Assert.Equal(allowUnsafe, generated.Contains("ParallelSum.Run(", System.StringComparison.Ordinal));
            Assert.Equal(allowUnsafe, generated.Contains("unsafe", System.StringComparison.Ordinal));
        }
    }
}
