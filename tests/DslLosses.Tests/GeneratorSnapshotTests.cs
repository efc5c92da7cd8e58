using System.Linq;
using DslLosses.Tests.Infrastructure;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// The generated source of representative formulas, for review. Behaviour is tested elsewhere: the same formulas are
/// declared in <see cref="TestFormulas"/> or the runtime and run on numbers.
/// </summary>
public class GeneratorSnapshotTests
{
    private static string Generate(string members) => GeneratorHarness.GeneratedSource("Snapshots", members);

    [Fact]
    public void Focal_bce_single()
        => Snapshot.Match("FocalBce", Generate("""
                [Loss(Axis = -1, ElementTypes = LossElementTypes.Single)]
                static TensorExpr FocalBce([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, Scalar gamma)
                {
                    var p = Clip(yPred, Epsilon, 1 - Epsilon);
                    var pt = yTrue * p + (1 - yTrue) * (1 - p);
                    return Mean(-Pow(1 - pt, gamma) * Log(pt), axis: -1);
                }
            """));

    [Fact]
    public void Softmax_ce_unrolled_three_classes()
        => Snapshot.Match("SoftmaxCe3", Generate("""
                [Loss(ElementTypes = LossElementTypes.Single, Reductions = LossReductions.SumOverBatchSize)]
                static TensorExpr SoftmaxCe3([Shape("B", 3)] TensorExpr labels, [Shape("B", 3)] TensorExpr logits)
                    => -Sum(labels * LogSoftmax(logits, axis: -1), axis: -1);
            """));

    [Fact]
    public void Sparse_nll_with_gather_and_mask_all_types()
        => Snapshot.Match("SparseNll", Generate("""
                [Loss]
                static TensorExpr SparseNll([Shape("...", "C")] TensorExpr logits, [Shape("...")] Indices labels, int ignore)
                    => Masked(LogSumExp(logits, axis: -1) - Gather(logits, labels, axis: -1), labels != ignore);
            """));

    [Fact]
    public void Dice_over_several_trailing_axes_with_a_row_tensor()
        => Snapshot.Match("Dice", Generate("""
                [Loss(ElementTypes = LossElementTypes.Single, Reductions = LossReductions.PerSample | LossReductions.SumOverBatchSize)]
                static TensorExpr Dice([Shape("B", "H", "W", "C")] TensorExpr yTrue, [Shape("B", "H", "W", "C")] TensorExpr yPred, [Shape("B")] TensorExpr smooth)
                {
                    var intersection = Sum(yTrue * yPred, axes: [1, 2, 3]);
                    return 1 - (2 * intersection + smooth) / (Sum(yTrue + yPred, axes: NonBatchAxes) + smooth);
                }
            """));

    [Fact]
    public void Gaussian_nll_two_differentiable_inputs_and_a_scalar()
        => Snapshot.Match("GaussianNllMulti", Generate("""
                [Loss(ElementTypes = LossElementTypes.Single, Reductions = LossReductions.SumOverBatchSize)]
                static TensorExpr GaussianNll([Shape("B", "N")] TensorExpr y, [Differentiable, Shape("B", "N")] TensorExpr mean, [Differentiable, Shape("B", "N")] TensorExpr variance, [Differentiable] Scalar scale)
                    => scale * Mean(0.5 * (Log(variance) + Square(y - mean) / variance), axis: -1);
            """));
}
