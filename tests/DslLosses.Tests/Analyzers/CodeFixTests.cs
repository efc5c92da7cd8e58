using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DslLosses.Analyzers;
using DslLosses.CodeFixes;
using DslLosses.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace DslLosses.Tests.Analyzers;

public class CodeFixTests
{
    [Fact]
    public Task Clamps_label_smoothing_above_one_and_below_zero() => Verify.CodeFix<LabelSmoothingAnalyzer, ClampLabelSmoothingCodeFix>("""
        class C
        {
            void M(float[] y, float[] p)
            {
                var a = new BinaryCrossentropy(labelSmoothing: {|DSL0201:1.5|});
                var b = Losses.binary_crossentropy(y, p, labelSmoothing: {|DSL0201:-0.1f|});
            }
        }
        """, """
        class C
        {
            void M(float[] y, float[] p)
            {
                var a = new BinaryCrossentropy(labelSmoothing: 1.0);
                var b = Losses.binary_crossentropy(y, p, labelSmoothing: 0f);
            }
        }
        """);

    [Fact]
    public Task Rewrites_log_of_sigmoid_into_softplus() => Verify.CodeFix<FormulaAnalyzer, LogOfActivationCodeFix>("""
        public static partial class MyLosses
        {
            [Loss]
            static TensorExpr Bce([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr x)
                => Mean(-y * {|DSL0303:Log(Sigmoid(x))|} - (1 - y) * {|DSL0303:Log(1 - Sigmoid(x))|}, axis: -1);

            [Loss]
            static TensorExpr Nll([Shape("B", "N")] TensorExpr x) => Mean(-{|DSL0303:Log(Sigmoid(x + 1))|}, axis: -1);

            [Loss]
            static TensorExpr Cce([Shape("B", "C")] TensorExpr y, [Shape("B", "C")] TensorExpr x)
                => -Sum(y * {|DSL0303:Log(Softmax(x, axis: -1))|}, axis: -1);
        }
        """, """
        public static partial class MyLosses
        {
            [Loss]
            static TensorExpr Bce([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr x)
                => Mean(-y * -Softplus(-x) - (1 - y) * -Softplus(x), axis: -1);

            [Loss]
            static TensorExpr Nll([Shape("B", "N")] TensorExpr x) => Mean(Softplus(-(x + 1)), axis: -1);

            [Loss]
            static TensorExpr Cce([Shape("B", "C")] TensorExpr y, [Shape("B", "C")] TensorExpr x)
                => -Sum(y * LogSoftmax(x, axis: -1), axis: -1);
        }
        """);

    [Fact]
    public Task Adds_fromLogits_true_where_the_loss_is_created() => Verify.CodeFix<LogitsAnalyzer, FromLogitsCodeFix>("""
        class C
        {
            float M()
            {
                var bce = new BinaryCrossentropy(labelSmoothing: 0.1);
                return bce.Compute(new float[] { 1, 0 }, {|DSL0301:new float[] { 2.5f, -1.3f }|});
            }
        }
        """, """
        class C
        {
            float M()
            {
                var bce = new BinaryCrossentropy(labelSmoothing: 0.1, fromLogits: true);
                return bce.Compute(new float[] { 1, 0 }, new float[] { 2.5f, -1.3f });
            }
        }
        """);

    [Fact]
    public Task Flips_a_written_fromLogits_on_a_function_call() => Verify.CodeFix<LogitsAnalyzer, FromLogitsCodeFix>("""
        class C
        {
            Tensor<float> M() => Losses.binary_crossentropy(new float[] { 1, 0 }, {|DSL0302:new float[] { 0.9f, 0.2f }|}, fromLogits: true);
        }
        """, """
        class C
        {
            Tensor<float> M() => Losses.binary_crossentropy(new float[] { 1, 0 }, new float[] { 0.9f, 0.2f }, fromLogits: false);
        }
        """);

    /// <summary>
    /// DSL0502 comes from the generator, which the code-fix test framework does not feed to fixes: the diagnostic is
    /// taken from a generator run and the fix applied to a workspace document with the same text.
    /// </summary>
    [Fact]
    public async Task Marks_each_candidate_prediction_differentiable()
    {
        const string Formula = """
            public static partial class MyLosses
            {
                [Loss]
                static TensorExpr Bce([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr logits, [Shape("B", "C")] TensorExpr posWeight)
                    => Mean((1 - yTrue) * logits + (1 + (posWeight - 1) * yTrue) * Softplus(-logits), axis: -1);
            }
            """;
        string source = GeneratorHarness.Usings + Formula;
        (HarnessRun run, _) = GeneratorHarness.Run(source);
        Diagnostic diagnostic = Assert.Single(run.Diagnostics, d => d.Id == "DSL0502");

        using var workspace = new AdhocWorkspace();
        Document document = workspace.AddProject("P", LanguageNames.CSharp).AddDocument("F.cs", SourceText.From(source));
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await new MarkDifferentiableCodeFix().RegisterCodeFixesAsync(context);
        Assert.Equal(new[] { "Mark 'logits' [Differentiable]", "Mark 'posWeight' [Differentiable]" }, actions.Select(a => a.Title));

        var operations = await actions[0].GetOperationsAsync(CancellationToken.None);
        Solution changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        string fixedText = (await changed.GetDocument(document.Id)!.GetTextAsync()).ToString();
        Assert.Equal(source.Replace("[Shape(\"B\", \"C\")] TensorExpr logits", "[Differentiable, Shape(\"B\", \"C\")] TensorExpr logits"), fixedText);

        // the fixed formula compiles with no DSL error and gets its gradient methods
        (HarnessRun after, var compilation) = GeneratorHarness.Run(fixedText);
        Assert.DoesNotContain(after.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.DoesNotContain(compilation, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Contains(after.GeneratedTrees, t => t.ToString().Contains("BceGradient"));
    }
}
