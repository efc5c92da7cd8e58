using System.Collections.Generic;
using System.Linq;
using DslLosses.Tests.Infrastructure;
using Xunit;

namespace DslLosses.Tests;

/// <summary>DSL0108: several reduced axes must be the trailing, non-batch axes, named alike by every axis operation of a formula.</summary>
public class MultiAxisDiagnosticTests
{
    private static void Verify(string body, string? messagePart = null)
    {
        (string source, List<(string Id, Microsoft.CodeAnalysis.Text.TextSpan Span)> expected) = GeneratorHarness.ParseMarkup(GeneratorHarness.Usings + body);
        (HarnessRun run, var compilation) = GeneratorHarness.Run(source);
        Assert.Empty(run.Results.Where(r => r.Exception is not null));
        var actual = run.Diagnostics.Where(d => d.Id.StartsWith("DSL")).Select(d => (d.Id, d.Location.SourceSpan)).OrderBy(x => x.SourceSpan.Start).ToList();
        var wanted = expected.OrderBy(x => x.Span.Start).ToList();
        string Show(IEnumerable<(string Id, Microsoft.CodeAnalysis.Text.TextSpan Span)> items)
            => string.Join("; ", items.Select(x => $"{x.Id} '{source.Substring(x.Span.Start, x.Span.Length)}'"));
        string messages = string.Join(" | ", run.Diagnostics.Select(d => d.GetMessage()));
        Assert.True(wanted.SequenceEqual(actual), $"expected [{Show(wanted)}]\nactual   [{Show(actual)}]\nmessages: {messages}");
        if (messagePart is not null)
            Assert.Contains(messagePart, messages);
        if (wanted.Count == 0)
        {
            Assert.DoesNotContain(compilation, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
            Assert.NotEmpty(run.GeneratedTrees);
        }
    }

    [Fact]
    public void Trailing_axes_in_every_spelling_report_nothing()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr Dice([Shape("B", "H", "W", "C")] TensorExpr y, [Shape("B", "H", "W", "C")] TensorExpr p)
                    => 1 - (2 * Sum(y * p, axes: [1, 2, 3]) + 1) / (Sum(y, axes: NonBatchAxes) + Sum(p, axes: [-3, -2, -1]) + 1);
                [Loss] static TensorExpr Unordered([Shape("B", "T", "F")] TensorExpr y) => Max(y, axes: [2, 1]) - Min(y, axes: new[] { 1, 2 }) + Sum(Max(y, 0) - Min(y, -1), axes: [1, 2]);
                [Loss] static TensorExpr Softmaxed([Shape("B", "T", "F")] TensorExpr y, [Shape("B", "T", "F")] TensorExpr x)
                    => -Sum(y * LogSoftmax(x, axes: [1, 2]), axes: [1, 2]) + Sum(Softmax(x, axes: [1, 2]), axes: [1, 2]) + LogSumExp(x, axes: [1, 2]);
                [Loss] static TensorExpr Sequence([Shape("B", "T")] TensorExpr y, [Shape("B", "T")] TensorExpr p) => Mean(Square(y - p), axes: NonBatchAxes) + Sum(p, axis: -1);
                [Loss] static TensorExpr PerStep([Shape("B", "T", "H", "W")] TensorExpr y, [Shape("B", "T")] TensorExpr w) => w * Mean(y, axes: [2, 3]);
                [Loss(Axis = 1)] static TensorExpr FirstAxis([Shape("B", "H", "W")] TensorExpr y) => Sum(y, axes: [1, 2]) + Mean(y, [1, 2]);
                static TensorExpr Spatial(TensorExpr x) => Sum(x, axes: NonBatchAxes);
                [Loss] static TensorExpr Helped([Shape("B", "H", "W")] TensorExpr y, [Shape("B", "H", "W")] TensorExpr p) => 1 - 2 * Spatial(y * p) / Spatial(y + p);
            }
            """);

    [Fact]
    public void A_gap_between_the_axes()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "H", "W", "C")] TensorExpr y) => {|DSL0108:Sum(y, axes: [1, 3])|};
            }
            """, "they leave out axis 2 between them; the reduced axes must be contiguous and end with the last axis, e.g. [2, 3]");

    [Fact]
    public void The_last_axis_left_out()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "H", "W", "C")] TensorExpr y) => {|DSL0108:Sum(y, axes: [1, 2])|};
            }
            """, "Sum(..., axes: [1, 2]) in 'F': the last axis (3) is not among them");

    [Fact]
    public void The_batch_axis()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "T")] TensorExpr y) => {|DSL0108:Mean(y, axes: [0, 1])|};
            }
            """, "axis 0 is the batch axis");

    [Fact]
    public void Out_of_range_and_repeated_axes()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "T", "F")] TensorExpr y) => {|DSL0108:Sum(y, axes: [1, 2, 3])|};
                [Loss] static TensorExpr G([Shape("B", "T", "F")] TensorExpr y) => {|DSL0108:Sum(y, axes: [2, -1])|};
            }
            """, "axis 2 is listed twice");

    [Fact]
    public void Non_batch_axes_of_a_rank_one_formula()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B")] TensorExpr y) => {|DSL0108:Sum(y, axes: NonBatchAxes)|};
            }
            """, "there is no axis besides the batch axis");

    [Fact]
    public void One_axis_beside_several()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "T", "F")] TensorExpr y) => Sum(y, axes: [1, 2]) - {|DSL0108:Max(y, axis: -1)|};
            }
            """, "write axes: [1, 2] here too");

    [Fact]
    public void Two_lists_that_disagree()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "T", "H", "W")] TensorExpr y) => Sum(y, axes: [1, 2, 3]) - {|DSL0108:Sum(y, axes: [2, 3])|};
            }
            """, "another axis operation of the formula reduces axes [1, 2, 3]");

    [Fact]
    public void Gather_and_dim_in_a_formula_over_several_axes()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "T", "C")] TensorExpr x, [Shape("B")] Indices k) => LogSumExp(x, axes: [1, 2]) - {|DSL0108:Gather(x, k, axis: -1)|};
                [Loss] static TensorExpr G([Shape("B", "T", "C")] TensorExpr x) => Sum(x, axes: [1, 2]) / {|DSL0108:Dim(x, axis: -1)|};
            }
            """, "Gather and Dim need a formula with one loss axis");

    [Fact]
    public void A_declared_axis_outside_the_list()
        => Verify("""
            public static partial class L
            {
                [{|DSL0108:Loss(Axis = 0)|}] static TensorExpr F([Shape("B", "T", "F")] TensorExpr y) => Sum(y, axes: [1, 2]);
            }
            """, "[Loss(Axis = 0)] in 'F': the formula reduces axes [1, 2], which do not include it");

    [Fact]
    public void Shapes_of_any_rank()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("...", "C")] TensorExpr y) => {|DSL0108:Sum(y, axes: [-1])|};
            }
            """, "has one loss axis");

    [Fact]
    public void A_per_class_vector()
        => Verify("""
            public static partial class L
            {
                [Loss] static TensorExpr F([Shape("B", "H", "C")] TensorExpr y, [{|DSL0108:Shape("C")|}] TensorExpr w) => Sum(w * y, axes: [1, 2]);
            }
            """, "looks like one value per class");

    [Fact]
    public void Axes_that_are_not_constants()
        => Verify("""
            public static partial class L
            {
                static readonly int[] Spatial = { 1, 2 };
                [Loss] static TensorExpr F([Shape("B", "H", "W")] TensorExpr y, int k) => Sum(y, axes: {|DSL0003:[k, 2]|}) + Sum(y, axes: {|DSL0003:Spatial|});
            }
            """, "must be a list of constant integers such as [1, 2, 3], or NonBatchAxes");
}
