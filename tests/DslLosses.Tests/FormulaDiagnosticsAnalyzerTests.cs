using System.Linq;
using System.Reflection;
using DslLosses.Generator;
using DslLosses.Generator.Diagnostics;
using DslLosses.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// The formula checks run as an analyzer (shown while typing) and only there: the generator, which reads formulas the
/// same way, emits nothing for a broken one and reports nothing, so a build reports each problem once.
/// </summary>
public class FormulaDiagnosticsAnalyzerTests
{
    private const string Broken = GeneratorHarness.Usings + """
        public static partial class L
        {
            [Loss] static TensorExpr Clash([Shape("B", "N")] TensorExpr y, [Shape("B", "M")] TensorExpr p) => Mean(Square(y - p), axis: -1);
            [Loss] static TensorExpr Fine([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr p) => Mean(Square(y - p), axis: -1);
        }
        """;

    [Fact]
    public void The_analyzer_reports_a_formula_error_and_the_generator_does_not()
    {
        GeneratorDriver driver = GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compile(Broken), out Compilation output, out _);
        Assert.Empty(driver.GetRunResult().Diagnostics);

        Diagnostic error = Assert.Single(GeneratorHarness.FormulaDiagnostics(output));
        Assert.Equal("DSL0101", error.Id);
        // located in the user's formula: the shape of the second input, whose M meets the first input's N
        Assert.Equal("Shape(\"B\", \"M\")", error.Location.SourceTree!.GetText().ToString(error.Location.SourceSpan));

        // the broken formula gets no generated methods, the other one does
        string generated = driver.GetRunResult().GeneratedTrees.Single().ToString();
        Assert.Contains("public static float Fine(", generated);
        Assert.DoesNotContain(" Clash(", generated);
    }

    [Fact]
    public void A_build_reports_each_formula_problem_once()
    {
        (HarnessRun run, _) = GeneratorHarness.Run(Broken);
        Assert.Single(run.Diagnostics);
    }

    [Fact]
    public void The_analyzer_stays_silent_without_formulas_and_on_correct_ones()
    {
        Assert.Empty(GeneratorHarness.FormulaDiagnostics(GeneratorHarness.Compile("public class C { [System.Obsolete] static int M() => 1; }")));
        Assert.Empty(GeneratorHarness.FormulaDiagnostics(GeneratorHarness.Compile(Broken.Replace("\"M\"", "\"N\""))));
    }

    [Fact]
    public void The_analyzer_supports_every_descriptor_of_the_generator()
    {
        var declared = typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id)
            .OrderBy(id => id)
            .ToList();
        Assert.NotEmpty(declared);
        Assert.Equal(declared, new FormulaDiagnosticsAnalyzer().SupportedDiagnostics.Select(d => d.Id).OrderBy(id => id));
    }
}
