using System.Linq;
using System.Threading;
using DslLosses.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// Regressions found by the formula fuzzer: declarations and formulas the C# compiler accepts must produce generated
/// code that compiles, with no generator exception and no DSL0099.
/// </summary>
public class GeneratorFindingsTests
{
    /// <summary>Runs the generator; asserts no exception, no DSL diagnostic and a compilation without errors.</summary>
    private static string GeneratesCleanly(string source, bool warnings = false)
    {
        (HarnessRun run, var compilation) = GeneratorHarness.Run(source);
        Assert.All(run.Results, r => Assert.Null(r.Exception));
        Assert.Empty(run.Diagnostics.Where(d => !warnings || d.Severity == DiagnosticSeverity.Error));
        var errors = compilation.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(5)));
        return Assert.Single(run.GeneratedTrees).ToString();
    }

    [Fact]
    public void A_keyword_namespace_gives_a_valid_hint_name_and_compiling_code()
    {
        GeneratesCleanly(GeneratorHarness.Usings + """
            namespace @class
            {
                public static partial class MyLosses
                {
                    [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr x) => Mean(x, -1);
                }
            }
            """);
    }

    /// <summary>
    /// Found by the fuzzer (10,000 cases, seed 1: cases 2214, 3376, 4327, 4402, 5414, 5489, 6440, 6515, mutants of
    /// <c>ColumnWeighted</c> and <c>LearntPosWeightBce</c> with keyword names): a per-class vector with a keyword name is
    /// was written without its <c>@</c> in the length check of the generated <c>Bind</c> (<c>int.Lengths[0]</c>: CS0117,
    /// or CS1511 for <c>@base</c>): the per-class branch of <c>SourceEmitter</c>'s shape checks wrote the bare name
    /// where its neighbours write the escaped one.
    /// </summary>
    [Theory]
    [InlineData("@int")]
    [InlineData("@base")]
    public void A_keyword_named_per_class_vector_keeps_its_at_sign(string name)
    {
        GeneratesCleanly(GeneratorHarness.Usings + $$"""
            public static partial class KeywordClassVector
            {
                [Loss] static TensorExpr F([Shape("B", "C")] TensorExpr y, [Differentiable, Shape("B", "C")] TensorExpr x, [Differentiable, Shape("C")] TensorExpr {{name}})
                    => Mean({{name}} * Square(y - x), axis: -1);
            }
            """);
    }

    [Theory]
    [InlineData("Masked(Softmax(x, axis: 1), {|DSL0003:x < 0.0|})")]
    [InlineData("Masked(x - Mean(x, -1), {|DSL0003:x > 1|})")]
    [InlineData("Masked(x * r, {|DSL0003:x > 1|})")]
    public void A_per_element_keep_mask_in_a_row_wise_formula_gets_a_diagnostic_on_the_mask(string formula)
    {
        (string source, var expected) = GeneratorHarness.ParseMarkup(GeneratorHarness.Usings + $$"""
            public static partial class L
            {
                [Loss(Axis = 1)] static TensorExpr F([Shape("B", "N")] TensorExpr x, [Shape("B")] TensorExpr r) => {{formula}};
            }
            """);
        (HarnessRun run, var compilation) = GeneratorHarness.Run(source);
        Diagnostic d = Assert.Single(run.Diagnostics);
        Assert.Equal(expected.Single().Id, d.Id);
        Assert.Equal(expected.Single().Span, d.Location.SourceSpan);
        Assert.Contains("varies along the loss axis", d.GetMessage());
        Assert.Empty(run.GeneratedTrees);
        Assert.Empty(compilation.Where(x => x.Severity == DiagnosticSeverity.Error && !x.Id.StartsWith("DSL")));
    }

    [Fact]
    public void A_per_element_keep_mask_of_an_elementwise_formula_still_compiles()
    {
        GeneratesCleanly(GeneratorHarness.Usings + """
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr x) => Masked(Square(x), x < 0.0);
            }
            """);
    }

    [Fact]
    public void Keyword_names_keep_their_at_sign()
    {
        string generated = GeneratesCleanly(GeneratorHarness.Usings + """
            namespace @namespace.@struct
            {
                public static partial class @class
                {
                    public partial struct @int
                    {
                        [Loss] static TensorExpr @static([Shape("B", "N")] TensorExpr @int, [Shape("B", "N")] TensorExpr @double, Scalar @float, int @void)
                            => Mean(Square(@int - @double) * @float + @void, -1);
                    }
                }
            }
            """);
        Assert.Contains("partial class @class", generated);
    }

    [Theory]
    [InlineData("TOut")]
    [InlineData("TW")]
    [InlineData("TL")]
    [InlineData("withTotal")]
    [InlineData("e")]
    [InlineData("i")]
    [InlineData("c")]
    [InlineData("inner")]
    [InlineData("outer")]
    [InlineData("start")]
    [InlineData("wm")]
    [InlineData("sw")]
    [InlineData("dest")]
    [InlineData("grad")]
    [InlineData("kept")]
    [InlineData("divisor")]
    [InlineData("scale")]
    [InlineData("global")]
    [InlineData("System")]
    [InlineData("DslLosses")]
    public void A_parameter_named_like_a_generated_identifier_compiles(string name)
    {
        GeneratesCleanly(GeneratorHarness.Usings + $$"""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr y, [Differentiable, Shape("B", "N")] TensorExpr {{name}}, Scalar s)
                    => Mean(Square(y - {{name}}) * s, -1) + Sum(Exp(-Abs({{name}})), -1);
            }
            """);
        GeneratesCleanly(GeneratorHarness.Usings + $$"""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr p, Scalar {{name}})
                    => Mean(Abs(y - p) * {{name}}, -1);
            }
            """);
    }

    [Theory]
    [InlineData("T")]
    [InlineData("gradient")]
    public void A_parameter_named_like_a_public_generated_name_gets_a_diagnostic(string name)
    {
        (HarnessRun run, var compilation) = GeneratorHarness.Run(GeneratorHarness.Usings + $$"""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr {{name}}) => Mean(Abs(y - {{name}}), -1);
            }
            """);
        Diagnostic d = Assert.Single(run.Diagnostics);
        Assert.Equal("DSL0403", d.Id);
        Assert.Contains(name, d.GetMessage());
        Assert.Empty(run.GeneratedTrees);
        Assert.Empty(compilation.Where(x => x.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void A_loss_name_with_line_breaks_and_quotes_is_escaped()
    {
        string generated = GeneratesCleanly(GeneratorHarness.Usings + """
            public static partial class L
            {
                [Loss(Name = "line\nbreak \"quoted\" \\ </summary> */ \u2028 end")] static TensorExpr F([Shape("B", "N")] TensorExpr x) => Mean(x, -1);
            }
            """);
        Assert.DoesNotContain("line\nbreak", generated);
        Assert.DoesNotContain("\u2028", generated);
    }

    [Fact]
    public void A_user_type_named_System_in_the_global_namespace_gets_DSL0408_at_the_formula()
    {
        // (a type DslLosses there hides the [Loss] attribute itself: no formula binds, nothing is generated)
        const string hidden = "System";
        string markup = GeneratorHarness.Usings + $$"""
            public class {{hidden}} { }
            public class Kernels { }
            public static partial class L
            {
                [Loss] static TensorExpr {|DSL0408:F|}([Shape("B", "N")] TensorExpr y, [Differentiable, Shape("B", "N")] TensorExpr p) => Mean(Square(y - p), -1);
            }
            """;
        (string source, var expected) = GeneratorHarness.ParseMarkup(markup);
        (HarnessRun run, var compilation) = GeneratorHarness.Run(source);
        Diagnostic d = Assert.Single(run.Diagnostics);
        Assert.Equal(expected.Single().Id, d.Id);
        Assert.Equal(expected.Single().Span, d.Location.SourceSpan);
        Assert.Empty(run.GeneratedTrees);
        Assert.Empty(compilation.Where(x => x.Severity == DiagnosticSeverity.Error && x.Id != "DSL0408"));

        // inside a namespace the type hides nothing
        GeneratesCleanly(GeneratorHarness.Usings + $"namespace App {{ public class {hidden} {{ }} public class Kernels {{ }} }}\n" + source.Substring(source.IndexOf("public static partial", global::System.StringComparison.Ordinal)));
    }

    /// <summary>
    /// The implementation names the runtime's and System's types by simple names under its own namespace's usings: a
    /// user type of any of those names, beside the formulas, in the global namespace or as the formulas' own type, takes
    /// none of them (a formula type named <c>Weighted</c> once hid the runtime's <c>Weighted</c>).
    /// </summary>
    [Theory]
    [InlineData("Weighted")]
    [InlineData("Shapes")]
    [InlineData("Unsafe")]
    [InlineData("Span")]
    [InlineData("MathF")]
    [InlineData("Reduction")]
    [InlineData("Implementation")]
    public void A_user_type_named_like_a_type_the_implementation_names_hides_nothing(string name)
    {
        string formula = """
            {
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr y, [Differentiable, Shape("B", "N")] TensorExpr p) => Mean(Square(y - Exp(p)), -1);
                [Loss] static TensorExpr G([Shape("B", "N")] TensorExpr y, [Differentiable, Shape("B", "N")] TensorExpr p) => Sum(y * LogSoftmax(p, -1), -1);
            }
            """;
        // the formulas' own type
        GeneratesCleanly(GeneratorHarness.Usings + $"namespace App {{ public static partial class {name}\n{formula} }}");
        // beside the formulas, in their namespace and in the global namespace
        GeneratesCleanly(GeneratorHarness.Usings + $"public class {name} {{ }}\nnamespace App {{ public class {name} {{ }} public static partial class L\n{formula} }}");
    }

    [Theory]
    [InlineData("public static sealed partial class")]
    [InlineData("public abstract sealed partial class")]
    [InlineData("public readonly partial class")]
    [InlineData("public ref partial class")]
    [InlineData("public volatile partial class")]
    [InlineData("public static partial struct")]
    [InlineData("public sealed partial struct")]
    [InlineData("public abstract partial struct")]
    [InlineData("public static partial interface")]
    [InlineData("public partial static class")]
    [InlineData("public const partial class")]
    [InlineData("public override partial class")]
    [InlineData("public async partial class")]
    [InlineData("public extern partial class")]
    [InlineData("public virtual partial class")]
    [InlineData("public static partial record")]
    [InlineData("public static partial record struct")]
    [InlineData("public ref partial record struct")]
    [InlineData("file partial class")]
    public void An_invalid_type_modifier_of_the_user_adds_no_error_in_generated_code(string declaration)
    {
        string source = GeneratorHarness.Usings + "public static partial class Outer\n{\n    " + declaration + """
             L
                {
                    [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr x) => Mean(x, -1);
                }
            }
            """;
        CSharpCompilation alone = GeneratorHarness.Compile(source);
        var userErrors = alone.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).ToList();
        Assert.NotEmpty(userErrors);
        (HarnessRun run, var compilation) = GeneratorHarness.Run(source);
        Assert.All(run.Results, r => Assert.Null(r.Exception));
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "DSL0099");
        // no error inside generated code
        var generatedErrors = compilation.Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath.EndsWith(".g.cs") == true).ToList();
        Assert.True(generatedErrors.Count == 0, string.Join("\n", generatedErrors.Take(3)));
    }

    [Fact]
    public void Emission_honours_the_cancellation_token()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(GeneratorHarness.Usings + """
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr y, [Differentiable, Shape("B", "N")] TensorExpr p) => Mean(Square(y - p), -1);
            }
            """);
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        SemanticModel model = compilation.GetSemanticModel(tree);
        var syntax = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>().Single();
        var method = (IMethodSymbol)model.GetDeclaredSymbol(syntax)!;
        var parsed = DslLosses.Generator.LossGenerator.ParseAndCheck(method, syntax, model, method.GetAttributes().Single(), CancellationToken.None);
        Assert.Empty(parsed.Diagnostics);
        var plan = DslLosses.Generator.Lowering.Lowerer.Lower(parsed.Value!);

        Assert.Contains("FWithGradient", DslLosses.Generator.Emitting.SourceEmitter.Emit(new[] { plan }, false, CancellationToken.None));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<System.OperationCanceledException>(() => DslLosses.Generator.Emitting.SourceEmitter.Emit(new[] { plan }, false, cancelled.Token));
    }

    public static TheoryData<string, string> Large => new()
    {
        { "20 nested Abs around a log", "        => Mean(" + string.Concat(Enumerable.Repeat("Abs(", 20)) + "Log(p)" + new string(')', 20) + ", -1);" },
        { "12 locals each used three times", "    {\n        var a0 = p;\n" + string.Concat(Enumerable.Range(1, 12).Select(i => $"        var a{i} = a{i - 1} * a{i - 1} + a{i - 1};\n")) + "        return Mean(a12, -1);\n    }" },
        { "a sum of 300 terms", "        => Mean(" + string.Join(" + ", Enumerable.Range(0, 300).Select(i => $"Sqrt(p + {i})")) + ", -1);" },
        { "60 nested Where", "        => Mean(" + string.Concat(Enumerable.Range(0, 60).Select(i => $"Where(p > {i}, p * {i}, ")) + "p" + new string(')', 60) + ", -1);" },
    };

    [Theory]
    [MemberData(nameof(Large))]
    public void Large_and_deeply_shared_formulas_generate_within_two_seconds(string what, string body)
    {
        string source = GeneratorHarness.Usings + "public static partial class L\n{\n    [Loss] static TensorExpr F([Shape(\"B\", \"N\")] TensorExpr y, [Differentiable, Shape(\"B\", \"N\")] TensorExpr p)\n" + body + "\n}\n";
        CSharpCompilation compilation = GeneratorHarness.Compile(source);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        GeneratorHarness.Driver().RunGenerators(GeneratorHarness.Compile(GeneratorHarness.Usings + "public static partial class W { [Loss] static TensorExpr G([Shape(\"B\")] TensorExpr x) => Exp(x); }")); // warm up
        // cut off at 2 s, once more if the machine paused the first run: a hang is cut off both times
        GeneratorDriver? driver = null;
        for (int attempt = 0; attempt < 2 && driver is null; attempt++)
        {
            using var limit = new CancellationTokenSource(System.TimeSpan.FromSeconds(2));
            try
            {
                driver = GeneratorHarness.Driver().RunGenerators(compilation, limit.Token);
            }
            catch (System.OperationCanceledException)
            {
            }
        }
        Assert.True(driver is not null, what + ": the generator did not finish within 2 s");
        GeneratorRunResult result = driver!.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Single(result.GeneratedSources);
    }
}
