using System.Collections.Generic;
using System.Linq;
using DslLosses.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace DslLosses.Tests;

/// <summary>Each generator diagnostic fires at the marked node, and nowhere else.</summary>
public class GeneratorDiagnosticTests
{
    private static void Verify(string body)
    {
        (string source, List<(string Id, Microsoft.CodeAnalysis.Text.TextSpan Span)> expected) = GeneratorHarness.ParseMarkup(GeneratorHarness.Usings + body);
        (HarnessRun run, _) = GeneratorHarness.Run(source);
        Assert.Empty(run.Results.Where(r => r.Exception is not null));
        var actual = run.Diagnostics.Where(d => d.Id.StartsWith("DSL")).Select(d => (d.Id, d.Location.SourceSpan)).OrderBy(x => x.SourceSpan.Start).ThenBy(x => x.Id).ToList();
        var wanted = expected.OrderBy(x => x.Span.Start).ThenBy(x => x.Id).ToList();
        string Show(IEnumerable<(string Id, Microsoft.CodeAnalysis.Text.TextSpan Span)> items)
            => string.Join("; ", items.Select(x => $"{x.Id} '{source.Substring(x.Span.Start, x.Span.Length)}'"));
        Assert.True(wanted.SequenceEqual(actual), $"expected [{Show(wanted)}]\nactual   [{Show(actual)}]\nmessages: {string.Join(" | ", run.Diagnostics.Select(d => d.GetMessage()))}");
    }

    private const string Valid = """
        public static partial class L
        {
            [Loss] static TensorExpr Ok([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr p) => Mean(Square(y - p), axis: -1);
        }
        """;

    [Fact]
    public void Valid_formulas_report_nothing() => Verify(Valid);

    [Fact]
    public void DSL0001_unsupported_statement()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B")] TensorExpr x)
                {
                    {|DSL0001:for (int i = 0; i < 3; i++) { }|}
                    return x;
                }
            }
            """);

    [Fact]
    public void DSL0001_ternary_operator()
        => Verify("""
            public static partial class L
            {
                static bool flag = true;
                [Loss] static TensorExpr F([Shape("B")] TensorExpr x) => {|DSL0001:flag ? x : -x|};
            }
            """);

    [Fact]
    public void DSL0002_unknown_function_with_math_hint()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B")] TensorExpr x) => x * {|DSL0002:System.Math.Log|}(2.5 + System.Environment.ProcessorCount);
            }
            """);

    [Fact]
    public void Math_calls_on_constants_fold_without_a_diagnostic()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B")] TensorExpr x) => x * System.Math.Log(2.0) + System.Math.Sqrt(2 * System.Math.PI) - System.MathF.Exp(-(float)System.Math.E);
            }
            """);

    [Fact]
    public void DSL0002_math_call_on_a_constant_and_a_parameter()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B")] TensorExpr x, int k) => x * {|DSL0002:System.Math.Pow|}(2.0, k);
            }
            """);

    [Fact]
    public void DSL0002_helper_method_of_another_type()
        => Verify("""
            public static class Helpers
            {
                public static TensorExpr Id(TensorExpr t) => t;
            }
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B")] TensorExpr x) => {|DSL0002:Helpers.Id|}(x);
            }
            """);

    [Fact]
    public void Helper_methods_are_inlined_and_checked_where_they_are_written()
        => Verify("""
            public static partial class L
            {
                static TensorExpr Normalize(TensorExpr t) => t / Sqrt(Sum(Square(t), axis: -1) + 1e-12);
                static TensorExpr Bad(TensorExpr t) => {|DSL0104:Sum(t, axis: 0)|};
                static TensorExpr Loop(TensorExpr t) => {|DSL0001:Loop(t)|};
                [Loss] static TensorExpr Cos([Shape("B", "N")] TensorExpr a, [Shape("B", "N")] TensorExpr b) => -Sum(Normalize(a) * Normalize(b), axis: -1);
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr a, [Shape("B", "N")] TensorExpr b) => Mean(Bad(a) * b, axis: -1);
                [Loss] static TensorExpr G([Shape("B", "N")] TensorExpr a) => Mean(Loop(a), axis: -1);
            }
            """);

    [Fact]
    public void DSL0003_axis_not_constant()
        => Verify("""
            public static partial class L
            {
                static int axis = -1;
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr x) => Sum(x, {|DSL0003:axis|});
            }
            """);

    [Fact]
    public void DSL0003_reduce_of_a_row_value()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr x) => {|DSL0003:Sum(Sum(x, -1), -1)|};
            }
            """);

    [Fact]
    public void DSL0004_loss_without_tensor()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr x, Scalar s) => {|DSL0004:s * 2|};
            }
            """);

    [Fact]
    public void DSL0101_same_position_different_names()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr y, [{|DSL0101:Shape("B", "M")|}] TensorExpr p) => Mean(y - p, -1);
            }
            """);

    [Fact]
    public void DSL0101_name_bound_to_two_sizes()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr y, [Shape("B", 3)] TensorExpr p, [{|DSL0101:Shape("B", 4)|}] TensorExpr q) => Mean(y - p + q, -1);
            }
            """);

    [Fact]
    public void DSL0102_declared_axis_out_of_range()
        => Verify("""
            public static partial class L
            {
                [{|DSL0102:Loss(Axis = 2)|}] static TensorExpr F([Shape("B", "N")] TensorExpr y) => Mean(y, 2);
            }
            """);

    [Fact]
    public void DSL0102_written_axis_out_of_range()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr y) => {|DSL0102:Mean(y, -3)|};
            }
            """);

    [Fact]
    public void DSL0103_rank_that_fits_no_role()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "T", "N")] TensorExpr y, [{|DSL0103:Shape("T")|}] TensorExpr w) => Mean(y * w, -1);
            }
            """);

    [Fact]
    public void DSL0104_alone_for_a_reduction_of_a_row_value_on_another_axis()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr y) => {|DSL0104:Sum(Mean(y, axis: -1), axis: 0)|};
            }
            """);

    [Fact]
    public void Unused_locals_are_checked()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr y)
                {
                    var columns = {|DSL0104:Sum(y, axis: 0)|};
                    var twice = {|DSL0003:Max(Sum(y, axis: -1), axis: -1)|};
                    var fine = Exp(y);
                    return Mean(y, axis: -1);
                }
            }
            """);

    [Fact]
    public void Per_class_vectors_are_accepted_beside_fixed_and_variadic_shapes()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr A([Shape("B", "C")] TensorExpr y, [Shape("B", "C")] TensorExpr p, [Shape("C")] TensorExpr w) => Mean(w * Square(y - p), axis: -1);
                [Loss] static TensorExpr V([Shape("...", "C")] TensorExpr y, [Shape("...", "C")] TensorExpr p, [Shape("C")] TensorExpr w) => Mean(w * Square(y - p), axis: -1);
                [Loss] static TensorExpr L3([Shape("B", "T", 4)] TensorExpr y, [Shape("B", "T", 4)] TensorExpr p, [Shape(4)] TensorExpr w) => Sum(w * Square(y - p), axis: -1);
            }
            """);

    [Fact]
    public void DSL0101_a_vector_that_is_neither_per_row_nor_per_class()
    {
        Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr p, [{|DSL0101:Shape("D")|}] TensorExpr w) => Mean(w * Square(yTrue - p), axis: -1);
            }
            """);
        (HarnessRun run, _) = GeneratorHarness.Run(GeneratorHarness.Usings + """
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr p, [Shape("D")] TensorExpr w) => Mean(w * Square(yTrue - p), axis: -1);
            }
            """);
        Assert.Equal(
            "w is declared (D) but yTrue is declared (B, C): a one-dimensional tensor beside it holds one value per row, declared (B), or one value per class along the loss axis 1, declared (C); use one of those names",
            Assert.Single(run.Diagnostics).GetMessage());
    }

    [Fact]
    public void A_per_class_vector_marked_differentiable_gets_its_gradient_and_DSL0501_a_row_vector()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "C")] TensorExpr y, [Shape("B", "C")] TensorExpr p, [Differentiable, Shape("C")] TensorExpr w) => Mean(w * Square(y - p), axis: -1);
                [Loss] static TensorExpr {|DSL0501:G|}([Shape("B", "C")] TensorExpr y, [Shape("B", "C")] TensorExpr p, [Differentiable, Shape("B")] TensorExpr w) => w * Mean(Square(y - p), axis: -1);
            }
            """);

    [Fact]
    public void DSL0104_reduction_on_another_axis()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr y) => {|DSL0104:Sum(y, 0)|};
            }
            """);

    [Fact]
    public void DSL0105_invalid_shapes()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([{|DSL0105:Shape("B", "x y")|}] TensorExpr y, [{|DSL0105:Shape("B", 0)|}] TensorExpr p, TensorExpr {|DSL0105:q|}) => y + p + q;
            }
            """);

    [Fact]
    public void DSL0401_not_static()
        => Verify("""
            public partial class L
            {
                [Loss] TensorExpr {|DSL0401:F|}([Shape("B")] TensorExpr y) => y;
            }
            """);

    [Fact]
    public void DSL0402_enclosing_types_not_partial()
        => Verify("""
            public static class {|DSL0402:Outer|}
            {
                public static partial class L
                {
                    [Loss] static TensorExpr F([Shape("B")] TensorExpr y) => y;
                }
            }
            """);

    [Fact]
    public void DSL0403_bad_parameters()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B")] TensorExpr y, float {|DSL0403:gamma|}, Scalar {|DSL0403:reduction|}) => y;
            }
            """);

    [Fact]
    public void DSL0404_wrong_return_type()
        => Verify("""
            public static partial class L
            {
                [Loss] static {|DSL0404:Scalar|} F([Shape("B")] TensorExpr y) => 1.0;
            }
            """);

    [Fact]
    public void DSL0405_duplicate_formula_names()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr {|DSL0405:F|}([Shape("B")] TensorExpr y) => y;
                [Loss] static TensorExpr {|DSL0405:F|}([Shape("B")] TensorExpr y, [Shape("B")] TensorExpr z) => y + z;
            }
            """);

    [Fact]
    public void DSL0406_generic_formula()
        => Verify("""
            public static partial class L<T>
            {
                [Loss] static TensorExpr {|DSL0406:F|}([Shape("B")] TensorExpr y) => y;
            }
            """);

    [Fact]
    public void DSL0407_attribute_selects_nothing()
        => Verify("""
            public static partial class L
            {
                [{|DSL0407:Loss(ElementTypes = 0)|}] static TensorExpr F([Shape("B")] TensorExpr y) => y;
                [{|DSL0407:Loss(Reductions = (LossReductions)16)|}] static TensorExpr G([Shape("B")] TensorExpr y) => y;
                [Loss(Reductions = LossReductions.MeanWithSampleWeight)] static TensorExpr H([Shape("B")] TensorExpr y) => y;
            }
            """);

    [Fact]
    public void DSL0501_no_gradient_when_the_input_only_selects()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr {|DSL0501:F|}([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr p) => Mean(Where(p > 0.5, y, 1 - y), -1);
            }
            """);

    [Fact]
    public void DSL0501_no_gradient_through_sign_or_stop_gradient()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr {|DSL0501:F|}([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr p) => Mean(Sign(p) * y, axis: -1);
                [Loss] static TensorExpr {|DSL0501:G|}([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr p) => Mean(StopGradient(p) * y, axis: -1);
            }
            """);

    [Fact]
    public void DSL0502_the_tiled_weight_trap_asks_which_input_is_the_prediction()
        => Verify("""
            public static partial class L
            {
                // pos_weight tiled to the full shape, after the prediction: the gradient must not silently be by it
                [Loss] static TensorExpr {|DSL0502:Bce|}([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr logits, [Shape("B", "C")] TensorExpr posWeight)
                    => Mean((1 - yTrue) * logits + (1 + (posWeight - 1) * yTrue) * Softplus(-logits), axis: -1);
            }
            """);

    [Fact]
    public void DSL0502_not_when_marked_or_when_the_declaration_says()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr Marked([Shape("B", "C")] TensorExpr yTrue, [Differentiable, Shape("B", "C")] TensorExpr logits, [Shape("B", "C")] TensorExpr posWeight)
                    => Mean((1 - yTrue) * logits + (1 + (posWeight - 1) * yTrue) * Softplus(-logits), axis: -1);
                // the target first, one prediction
                [Loss] static TensorExpr Pair([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr yPred) => Mean(Square(yTrue - yPred), axis: -1);
                // a third full-shape tensor used only as a mask is no candidate
                [Loss] static TensorExpr MaskOnly([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr yPred, [Shape("B", "C")] TensorExpr valid)
                    => Mean(Where(valid > 0, Square(yTrue - yPred), 0), axis: -1);
                // a per-row weight is no candidate either
                [Loss] static TensorExpr RowWeight([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr yPred, [Shape("B")] TensorExpr w)
                    => Mean(Square(yTrue - yPred), axis: -1) * w;
            }
            """);

    [Fact]
    public void DSL0501_no_gradient_for_a_per_element_loss_built_from_row_reductions()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr {|DSL0501:F|}([Shape("B", "N")] TensorExpr p) => -LogSoftmax(p, -1);
            }
            """);

    [Fact]
    public void DSL0403_differentiable_on_an_indices_parameter()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr p, [Shape("B")][Differentiable] Indices {|DSL0403:k|}) => -Gather(LogSoftmax(p, -1), k, -1);
            }
            """);

    [Fact]
    public void DSL0403_a_name_of_the_gradient_destinations()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Differentiable, Shape("B", "N")] TensorExpr y, [Differentiable, Shape("B", "N")] TensorExpr p, Scalar {|DSL0403:gradientY|}) => Mean(Square(y - p) * gradientY, axis: -1);
                [Loss] static TensorExpr G([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr p, Scalar gradients) => Mean(Square(y - p) * gradients, axis: -1);
                [Loss] static TensorExpr H([Differentiable, Shape("B", "N")] TensorExpr mean, [Differentiable, Shape("B", "N")] TensorExpr {|DSL0403:Mean|}) => Sum(Square(mean - Mean), axis: -1);
            }
            """);

    [Fact]
    public void DSL0501_a_marked_tensor_without_the_loss_axis_the_other_keeps_its_gradient()
    {
        (HarnessRun run, _) = GeneratorHarness.Run(GeneratorHarness.Usings + """
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "N")] TensorExpr y, [Differentiable, Shape("B", "N")] TensorExpr p, [Differentiable, Shape("B")] TensorExpr w) => w * Mean(Square(y - p), axis: -1);
            }
            """);
        Diagnostic d = Assert.Single(run.Diagnostics);
        Assert.Equal("DSL0501", d.Id);
        Assert.Contains("'w' has no loss axis", d.GetMessage());
        string source = string.Join("\n", run.GeneratedTrees.Select(t => t.ToString()));
        Assert.Contains("TensorSpan<float> gradient,", source); // p alone: the one-destination form
    }

    [Fact]
    public void Several_differentiable_tensors_and_DSL0501_a_scalar_without_a_gradient()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Differentiable, Shape("B", "N")] TensorExpr y, [Differentiable, Shape("B", "N")] TensorExpr p) => Mean(Square(y - p), axis: -1);
                [Loss] static TensorExpr {|DSL0501:G|}([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr p, [Differentiable] Scalar t) => Mean(Where(t > 0, Square(y - p), 0), axis: -1);
                [Loss] static TensorExpr H([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr p, [Differentiable] Scalar t, [Differentiable] Scalar u) => Mean(t * Square(y - p) + u, axis: -1);
            }
            """);

    [Fact]
    public void Code_with_compiler_errors_gets_no_generator_diagnostic()
    {
        (HarnessRun run, var compilation) = GeneratorHarness.Run(GeneratorHarness.Usings + """
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B")] TensorExpr y) => y +;
            }
            """);
        Assert.Empty(run.Diagnostics);
        Assert.Contains(compilation, d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("CS"));
    }
}
