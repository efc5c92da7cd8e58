using static DslLosses.Dsl;

namespace DslLosses.Tests;

/// <summary>Formulas reducing several trailing axes (<c>axes:</c>), flattened into one loss axis by the kernels.</summary>
public static partial class MultiAxisFormulas
{
    /// <summary>Soft Dice loss of segmentation masks <c>[B, H, W, C]</c>: one loss per sample, over H, W and C.</summary>
    [Loss]
    static TensorExpr Dice([Shape("B", "H", "W", "C")] TensorExpr yTrue, [Shape("B", "H", "W", "C")] TensorExpr yPred)
    {
        var intersection = Sum(yTrue * yPred, axes: [1, 2, 3]);
        var total = Sum(yTrue, axes: [1, 2, 3]) + Sum(yPred, axes: [1, 2, 3]);
        return 1 - (2 * intersection + 1) / (total + 1);
    }

    /// <summary>A sequence loss: the mean over T of <c>[B, T]</c>, written with every non-batch axis.</summary>
    [Loss]
    static TensorExpr SequenceMse([Shape("B", "T")] TensorExpr yTrue, [Shape("B", "T")] TensorExpr yPred)
        => Mean(Square(yTrue - yPred), axes: NonBatchAxes);

    /// <summary>Mean over the last two axes of <c>[B, T, H, W]</c> (one loss per sample and step), scaled by a value per step.</summary>
    [Loss]
    static TensorExpr FrameMae([Shape("B", "T", "H", "W")] TensorExpr yTrue, [Shape("B", "T", "H", "W")] TensorExpr yPred, [Shape("B", "T")] TensorExpr scale)
        => scale * Mean(Abs(yTrue - yPred), axes: [-2, -1]);

    /// <summary>Softmax cross-entropy over every pixel of <c>[B, H, W]</c> (a spatial softmax).</summary>
    [Loss]
    static TensorExpr SpatialCe([Shape("B", "H", "W")] TensorExpr target, [Shape("B", "H", "W")] TensorExpr logits)
        => -Sum(target * LogSoftmax(logits, axes: [1, 2]), axes: [1, 2]);

    /// <summary>Max, Min and LogSumExp over several axes.</summary>
    [Loss]
    static TensorExpr Spread([Shape("B", "T", "F")] TensorExpr y, [Shape("B", "T", "F")] TensorExpr x)
        => Max(x - y, axes: NonBatchAxes) - Min(x - y, axes: [1, 2]) + LogSumExp(x * y, axes: [2, 1]);
}
