using DslLosses.Generator.Checking;
using DslLosses.Generator.Ir;
using DslLosses.Generator.Lowering;
using DslLosses.Tests.Infrastructure;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// The lowering makes every choice of a formula's kernels once, into the plan (<see cref="KernelChoices"/>): which paths
/// exist, each node's level, the shift maxima, the reduction stages, and what the value ranges prove in each compute
/// type. The plan stays an equatable value, so the pipeline caches it. Expected values are worked out by hand from the
/// formulas.
/// </summary>
public class KernelPlanTests
{
    private const string SparseCe = """
        [Loss(ElementTypes = LossElementTypes.Single)]
        static TensorExpr Sce([Shape("B", "C")] TensorExpr logits, [Shape("B")] Indices labels)
            => LogSumExp(logits, axis: -1) - Gather(logits, labels, axis: -1);
        """;

    [Fact]
    public void A_sparse_softmax_cross_entropy_gets_row_tiles_a_shift_max_and_two_stages()
    {
        KernelPlan plan = GeneratorHarness.Plan(SparseCe);
        KernelChoices choices = plan.Choices;
        var logits = new Param(0, ParamKind.Tensor);
        var max = new Reduce(ReduceOp.Max, logits, 0);

        // rows of symbolic length, labels one per row: whole vectors along the row, and row tiles for narrow rows
        Assert.True(choices.Vectorizable);
        Assert.False(choices.WeightsArePerElement); // one loss per row
        Assert.True(choices.RowTiles);
        Assert.Equal(new[] { 0 }, choices.TileTensors); // logits are read along the row (the sums), labels are not
        Assert.True(choices.LossAxisLast);

        // log-sum-exp: the max only shifts (under stop_gradient), then Σ exp(x - shift) needs the max: stage 2
        Assert.Equal(1, choices.ShiftMaxima.Count);
        Assert.True(choices.ShiftMaxima.Contains(max));
        Assert.Equal(2, choices.LossStages.Count);
        Assert.Equal(new[] { max }, choices.LossStages[0]);
        Reduce sum = Assert.Single(choices.LossStages[1]);
        Assert.Equal(ReduceOp.Sum, sum.Op);

        Assert.Equal(Level.Row, choices.LevelOf(plan.Loss));
        Assert.Equal(Level.Elem, choices.LevelOf(logits));
        Assert.Equal(Level.Row, choices.LevelOf(new Param(1, ParamKind.Indices)));

        // float kernels only: no decisions for double arithmetic
        Assert.NotNull(choices.InFloat);
        Assert.Null(choices.InDouble);
    }

    [Fact]
    public void What_the_ranges_prove_is_decided_per_compute_type()
    {
        KernelPlan plan = GeneratorHarness.Plan("""
            [Loss(ElementTypes = LossElementTypes.Single | LossElementTypes.Double)]
            static TensorExpr L([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr p)
                => Sum(y * Log(1 - Clip(p, Epsilon, 1 - 1e-9)) + Clip(p, 1e-50, 1), axis: -1);
            """);
        ComputeChoices inFloat = plan.Choices.In(single: true), inDouble = plan.Choices.In(single: false);

        // 1 - 1e-9 rounds to 1 in float, so 1 - clip(p) reaches 0; in double it is at least about 1e-9
        Assert.Equal(0, inFloat.PositiveLogs.Count);
        Assert.Equal(1, inDouble.PositiveLogs.Count);
        // 1e-50 is a zero in float (an IEEE max against it keeps -0), a nonzero bound in double
        Assert.False(inFloat.NonZeroConstants.Contains(new Const(1e-50)));
        Assert.True(inDouble.NonZeroConstants.Contains(new Const(1e-50)));
        Assert.True(inFloat.NonZeroConstants.Contains(new Const(1)));
    }

    [Fact]
    public void The_node_tables_also_cover_the_flat_total()
    {
        // -Σ y log p: the flat total sums -(y log p), a node the loss itself does not hold
        KernelPlan plan = GeneratorHarness.Plan("""
            [Loss] static TensorExpr L([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr p) => -Sum(y * Log(p), axis: -1);
            """);
        Assert.True(plan.HasFlatSum);
        Assert.Equal(UnaryOp.Neg, Assert.IsType<Unary>(plan.FlatTerm).Op);
        Assert.Equal(Level.Elem, plan.Choices.LevelOf(plan.FlatTerm!));
        Assert.Equal(Level.Row, plan.Choices.LevelOf(plan.Loss));
    }

    [Fact]
    public void Plans_with_their_choices_are_equal_values_and_the_choices_take_part_in_equality()
    {
        KernelPlan first = GeneratorHarness.Plan(SparseCe), second = GeneratorHarness.Plan(SparseCe);
        Assert.NotSame(first.Choices, second.Choices);
        Assert.Equal(first.Choices, second.Choices);
        Assert.Equal(first.Choices.GetHashCode(), second.Choices.GetHashCode());
        Assert.Equal(first, second);

        Assert.NotEqual(first, first with { Choices = first.Choices with { RowTiles = false } });
        KernelPlan other = GeneratorHarness.Plan(SparseCe.Replace("LogSumExp(logits, axis: -1)", "Max(logits, axis: -1)"));
        Assert.NotEqual(first.Choices, other.Choices);
    }
}
