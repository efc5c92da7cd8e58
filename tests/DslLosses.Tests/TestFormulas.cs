using static DslLosses.Dsl;

namespace DslLosses.Tests;

/// <summary>Formulas declared in the test project itself: the consumer path (the generator runs on this project).</summary>
public static partial class TestFormulas
{
    /// <summary>The focal binary crossentropy of the design document.</summary>
    [Loss(Axis = -1)]
    static TensorExpr FocalBce([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, Scalar gamma)
    {
        var p = Clip(yPred, Epsilon, 1 - Epsilon);
        var pt = yTrue * p + (1 - yTrue) * (1 - p);
        return Mean(-Pow(1 - pt, gamma) * Log(pt), axis: -1);
    }

    /// <summary>Softmax cross-entropy over exactly three classes: the class loop is unrolled.</summary>
    [Loss]
    static TensorExpr SoftmaxCe3([Shape("B", 3)] TensorExpr labels, [Shape("B", 3)] TensorExpr logits)
        => -Sum(labels * LogSoftmax(logits, axis: -1), axis: -1);

    /// <summary>Negative log-likelihood from integer labels with an ignored class.</summary>
    [Loss]
    static TensorExpr SparseNll([Shape("B", "C")] TensorExpr logits, [Shape("B")] Indices labels, int ignore)
        => Masked(LogSumExp(logits, axis: -1) - Gather(logits, labels, axis: -1), labels != ignore);

    /// <summary>Elementwise: the per-sample loss keeps the input shape.</summary>
    [Loss(ElementTypes = LossElementTypes.Single | LossElementTypes.Double)]
    static TensorExpr SquaredError([Shape("B", "N")] TensorExpr a, [Shape("B", "N")] TensorExpr b) => Square(a - b);

    /// <summary>Reduces along axis 0 of a [B, N] input: one loss per column.</summary>
    [Loss(Axis = 0)]
    static TensorExpr ColumnMean([Shape("B", "N")] TensorExpr x) => Mean(x, axis: 0);

    /// <summary>Written the unstable way on purpose: the lowering turns it into -Softplus(-x).</summary>
    [Loss]
    static TensorExpr LogSigmoidLoss([Shape("...")] TensorExpr x) => -Log(Sigmoid(x));

    /// <summary>A row-level weight tensor next to full tensors, and only the Sum reduction generated.</summary>
    [Loss(Reductions = LossReductions.Sum)]
    static TensorExpr WeightedRowMax([Shape("B", "N")] TensorExpr x, [Shape("B")] TensorExpr rowScale) => Max(x, axis: -1) * rowScale;

    /// <summary>The largest absolute error of a row: a row max the user asked for (NaN must win), not a softmax shift.</summary>
    [Loss]
    static TensorExpr MaxAbsError([Shape("B", "N")] TensorExpr a, [Shape("B", "N")] TensorExpr b) => Max(Abs(a - b), axis: -1);

    /// <summary>A clip whose lower bound is a run-time scalar (IEEE max) and whose upper bound is a constant (one instruction).</summary>
    /// <summary>A clip with tensor bounds, differentiated by its lower bound: the order when lo &gt; hi shows in values and gradient.</summary>
    [Loss(ElementTypes = LossElementTypes.Single | LossElementTypes.Double)]
    static TensorExpr ClipBounds([Shape("B", "N")] TensorExpr x, [Differentiable, Shape("B", "N")] TensorExpr lo, [Shape("B", "N")] TensorExpr hi) => Clip(x, lo, hi);

    [Loss]
    static TensorExpr ClippedMean([Shape("B", "N")] TensorExpr x, Scalar lo) => Mean(Clip(x, lo, 1), axis: -1);
}
