using static DslLosses.Dsl;

namespace DslLosses.TorchBridge.Tests;

/// <summary>Formulas of this project: it references DslLosses.TorchSharp, so each also gets a TorchSharp entry point.</summary>
public static partial class BridgeFormulas
{
    /// <summary>The focal binary crossentropy of the design document, on probabilities.</summary>
    [Loss(Axis = -1)]
    static TensorExpr FocalBce([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, Scalar gamma)
    {
        var p = Clip(yPred, Epsilon, 1 - Epsilon);
        var pt = yTrue * p + (1 - yTrue) * (1 - p);
        return Mean(-Pow(1 - pt, gamma) * Log(pt), axis: -1);
    }

    /// <summary>Negative log-likelihood from integer labels with an ignored class; the prediction comes first.</summary>
    [Loss]
    static TensorExpr SparseNll([Shape("B", "C")] TensorExpr logits, [Shape("B")] Indices labels, int ignore)
        => Masked(LogSumExp(logits, axis: -1) - Gather(logits, labels, axis: -1), labels != ignore);

    /// <summary>Elementwise: the per-sample losses keep the prediction's shape.</summary>
    [Loss]
    static TensorExpr SquaredError([Shape("B", "N")] TensorExpr target, [Shape("B", "N")] TensorExpr output) => Square(target - output);

    /// <summary>Binary crossentropy on logits with a per-class weight on the positive term (PyTorch's <c>pos_weight</c>): three tensors, one differentiable.</summary>
    [Loss(Axis = -1)]
    static TensorExpr PosWeightedBce([Shape("B", "C")] TensorExpr y, [Differentiable, Shape("B", "C")] TensorExpr logits, [Shape("C")] TensorExpr posWeight)
        => Mean(posWeight * y * Softplus(-logits) + (1 - y) * Softplus(logits), axis: -1);

    /// <summary>Squared error weighted per row by a tensor of the batch's length, the prediction first.</summary>
    [Loss(Axis = -1)]
    static TensorExpr RowWeightedSe([Differentiable, Shape("B", "N")] TensorExpr output, [Shape("B", "N")] TensorExpr target, [Shape("B")] TensorExpr rowWeight)
        => rowWeight * Mean(Square(output - target), axis: -1);

    /// <summary>Class-index labels, the logits and a weight per row: a row-weighted negative log-likelihood.</summary>
    [Loss]
    static TensorExpr RowWeightedNll([Shape("B", "C")] TensorExpr logits, [Shape("B")] Indices labels, [Shape("B")] TensorExpr rowWeight)
        => rowWeight * (LogSumExp(logits, axis: -1) - Gather(logits, labels, axis: -1));

    /// <summary>Gaussian negative log-likelihood with a learnt mean and variance: differentiated by two tensors.</summary>
    [Loss(Axis = -1)]
    static TensorExpr GaussianNll([Shape("B", "N")] TensorExpr y, [Differentiable, Shape("B", "N")] TensorExpr mean, [Differentiable, Shape("B", "N")] TensorExpr variance)
        => Mean(0.5 * (Log(variance) + Square(y - mean) / variance), axis: -1);

    /// <summary>Binary crossentropy on logits with the per-class positive weight learnt too (a gradient of shape [C]).</summary>
    [Loss(Axis = -1)]
    static TensorExpr LearntPosWeightBce([Shape("B", "C")] TensorExpr y, [Differentiable, Shape("B", "C")] TensorExpr logits, [Differentiable, Shape("C")] TensorExpr posWeight)
        => Mean(posWeight * y * Softplus(-logits) + (1 - y) * Softplus(logits), axis: -1);
}
