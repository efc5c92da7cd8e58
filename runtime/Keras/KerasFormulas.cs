using static DslLosses.Dsl;

namespace DslLosses.Keras;

/// <summary>
/// The Keras probabilistic losses as DSL formulas, in tf_keras 2's operation order (see docs in README). The generator
/// turns each into kernels; the public classes (<see cref="DslLosses.BinaryCrossentropy"/>, ...) and functions
/// (<see cref="DslLosses.Losses"/>, <see cref="DslLosses.Nn"/>) call them.
/// </summary>
internal static partial class KerasFormulas
{
    /// <summary><c>tf.nn.sigmoid_cross_entropy_with_logits</c>: <c>max(x, 0) - x*z + log1p(exp(-|x|))</c>, elementwise.</summary>
    [Loss(Name = "sigmoid_cross_entropy_with_logits")]
    internal static Tensor SigmoidCrossEntropyWithLogits([Shape("...")] Tensor labels, [Shape("...")] Tensor logits)
    {
        var positive = logits >= 0;
        return Where(positive, logits, 0) - logits * labels + Log1p(Exp(Where(positive, -logits, logits)));
    }

    /// <summary>
    /// <c>binary_crossentropy</c> on probabilities: labels smoothed towards 0.5, predictions clipped to
    /// <c>[eps, 1 - eps]</c>, and tf_keras's extra <c>+eps</c> inside both logs; mean over the loss axis.
    /// </summary>
    [Loss(Name = "binary_crossentropy")]
    internal static Tensor BinaryCrossentropyProbabilities([Shape("...", "N")] Tensor yTrue, [Shape("...", "N")] Tensor yPred, Scalar labelSmoothing)
    {
        var y = yTrue * (1 - labelSmoothing) + 0.5 * labelSmoothing;
        var p = Clip(yPred, Epsilon, 1 - Epsilon);
        return Mean(-(y * Log(p + Epsilon) + (1 - y) * Log(1 - p + Epsilon)), axis: -1);
    }

    /// <summary><c>binary_crossentropy</c> with <c>from_logits=True</c>: smoothed labels, the sigmoid cross-entropy op, mean over the loss axis.</summary>
    [Loss(Name = "binary_crossentropy")]
    internal static Tensor BinaryCrossentropyLogits([Shape("...", "N")] Tensor yTrue, [Shape("...", "N")] Tensor yPred, Scalar labelSmoothing)
    {
        var z = yTrue * (1 - labelSmoothing) + 0.5 * labelSmoothing;
        var positive = yPred >= 0;
        return Mean(Where(positive, yPred, 0) - yPred * z + Log1p(Exp(Where(positive, -yPred, yPred))), axis: -1);
    }
}
