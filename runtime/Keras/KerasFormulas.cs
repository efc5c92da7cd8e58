using static DslLosses.Dsl;

namespace DslLosses.Keras;

/// <summary>
/// The Keras probabilistic losses as DSL formulas, in tf_keras 2's operation order (see docs in README). The generator
/// turns each into kernels; the public classes (<see cref="DslLosses.BinaryCrossentropy"/>, ...) and functions
/// (<see cref="DslLosses.Losses"/>, <see cref="DslLosses.Nn"/>) call them.
/// </summary>
internal static partial class KerasFormulas
{
    /// <summary>
    /// <c>tf.nn.sigmoid_cross_entropy_with_logits</c>: <c>max(x, 0) - x*z + log1p(exp(-|x|))</c>, elementwise, written as
    /// <c>Softplus(x) - x*z</c> (Softplus computes exactly <c>max(x, 0) + log1p(exp(-|x|))</c>), whose gradient is <c>sigmoid(x) - z</c>.
    /// </summary>
    [Loss(Name = "sigmoid_cross_entropy_with_logits")]
    internal static TensorExpr SigmoidCrossEntropyWithLogits([Shape("...")] TensorExpr labels, [Shape("...")] TensorExpr logits)
        => Softplus(logits) - logits * labels;

    /// <summary>
    /// <c>binary_crossentropy</c> on probabilities: labels smoothed towards 0.5, predictions clipped to
    /// <c>[eps, 1 - eps]</c>, and tf_keras's extra <c>+eps</c> inside both logs; mean over the loss axis.
    /// </summary>
    [Loss(Name = "binary_crossentropy")]
    internal static TensorExpr BinaryCrossentropyProbabilities([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred, Scalar labelSmoothing)
    {
        var y = yTrue * (1 - labelSmoothing) + 0.5 * labelSmoothing;
        var p = Clip(yPred, Epsilon, 1 - Epsilon);
        return Mean(-(y * Log(p + Epsilon) + (1 - y) * Log(1 - p + Epsilon)), axis: -1);
    }

    /// <summary><c>binary_crossentropy</c> with <c>from_logits=True</c>: smoothed labels, the sigmoid cross-entropy op, mean over the loss axis.</summary>
    [Loss(Name = "binary_crossentropy")]
    internal static TensorExpr BinaryCrossentropyLogits([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred, Scalar labelSmoothing)
    {
        var z = yTrue * (1 - labelSmoothing) + 0.5 * labelSmoothing;
        return Mean(Softplus(yPred) - yPred * z, axis: -1);
    }

    /// <summary>
    /// <c>categorical_crossentropy</c> on probabilities: smoothed labels <c>y(1 - ls) + ls / C</c>; predictions divided
    /// by their sum along the class axis, then clipped to <c>[eps, 1 - eps]</c>; <c>-Σ y log p</c>.
    /// </summary>
    [Loss(Name = "categorical_crossentropy")]
    internal static TensorExpr CategoricalCrossentropyProbabilities([Shape("...", "C")] TensorExpr yTrue, [Shape("...", "C")] TensorExpr yPred, Scalar labelSmoothing)
    {
        var y = yTrue * (1 - labelSmoothing) + labelSmoothing / Dim(yTrue, axis: -1);
        var p = Clip(yPred / Sum(yPred, axis: -1), Epsilon, 1 - Epsilon);
        return -Sum(y * Log(p), axis: -1);
    }

    /// <summary><c>categorical_crossentropy</c> with <c>from_logits=True</c>: smoothed labels into the softmax cross-entropy op.</summary>
    [Loss(Name = "categorical_crossentropy")]
    internal static TensorExpr CategoricalCrossentropyLogits([Shape("...", "C")] TensorExpr yTrue, [Shape("...", "C")] TensorExpr yPred, Scalar labelSmoothing)
    {
        var y = yTrue * (1 - labelSmoothing) + labelSmoothing / Dim(yTrue, axis: -1);
        return -Sum(y * LogSoftmax(yPred, axis: -1), axis: -1);
    }

    /// <summary>
    /// <c>tf.nn.softmax_cross_entropy_with_logits</c>: <c>s = x - max(x)</c>, <c>Σ labels (log Σ exp(s) - s)</c>, written as
    /// <c>-Σ labels · LogSoftmax(x)</c> (the same operations; negation is exact), whose gradient is <c>softmax(x) Σ labels - labels</c>.
    /// </summary>
    [Loss(Name = "softmax_cross_entropy_with_logits")]
    internal static TensorExpr SoftmaxCrossEntropyWithLogits([Shape("...", "C")] TensorExpr labels, [Shape("...", "C")] TensorExpr logits)
        => -Sum(labels * LogSoftmax(logits, axis: -1), axis: -1);

    /// <summary>
    /// <c>sparse_categorical_crossentropy</c> on probabilities: <c>log(clip(p))</c> then the sparse softmax
    /// cross-entropy op (clip first, renormalised by the softmax).
    /// </summary>
    [Loss(Name = "sparse_categorical_crossentropy")]
    internal static TensorExpr SparseCategoricalCrossentropyProbabilities([Shape("...")] Indices yTrue, [Shape("...", "C")] TensorExpr yPred)
    {
        var x = Log(Clip(yPred, Epsilon, 1 - Epsilon));
        return -Gather(LogSoftmax(x, axis: -1), yTrue, axis: -1);
    }

    /// <summary><c>sparse_categorical_crossentropy</c> with <c>from_logits=True</c>: the sparse softmax cross-entropy op.</summary>
    [Loss(Name = "sparse_categorical_crossentropy")]
    internal static TensorExpr SparseCategoricalCrossentropyLogits([Shape("...")] Indices yTrue, [Shape("...", "C")] TensorExpr yPred)
        => -Gather(LogSoftmax(yPred, axis: -1), yTrue, axis: -1);

    /// <summary>The probabilities form with <c>ignore_class</c>: entries labelled <paramref name="ignoreClass"/> give 0 and are not counted.</summary>
    [Loss(Name = "sparse_categorical_crossentropy")]
    internal static TensorExpr SparseCategoricalCrossentropyProbabilitiesIgnoring([Shape("...")] Indices yTrue, [Shape("...", "C")] TensorExpr yPred, int ignoreClass)
    {
        var x = Log(Clip(yPred, Epsilon, 1 - Epsilon));
        return Masked(-Gather(LogSoftmax(x, axis: -1), yTrue, axis: -1), yTrue != ignoreClass);
    }

    /// <summary>The logits form with <c>ignore_class</c>.</summary>
    [Loss(Name = "sparse_categorical_crossentropy")]
    internal static TensorExpr SparseCategoricalCrossentropyLogitsIgnoring([Shape("...")] Indices yTrue, [Shape("...", "C")] TensorExpr yPred, int ignoreClass)
        => Masked(-Gather(LogSoftmax(yPred, axis: -1), yTrue, axis: -1), yTrue != ignoreClass);

    /// <summary><c>poisson</c>: <c>mean(p - y log(p + eps))</c> over the last axis, no clipping.</summary>
    [Loss(Name = "poisson")]
    internal static TensorExpr Poisson([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred)
        => Mean(yPred - yTrue * Log(yPred + Epsilon), axis: -1);

    /// <summary><c>kl_divergence</c>: both clipped to <c>[eps, 1]</c>, <c>Σ y log(y / p)</c> over the last axis.</summary>
    [Loss(Name = "kl_divergence")]
    internal static TensorExpr KLDivergence([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred)
    {
        var y = Clip(yTrue, Epsilon, 1);
        var p = Clip(yPred, Epsilon, 1);
        return Sum(y * Log(y / p), axis: -1);
    }
}
