using System.Numerics.Tensors;
using DslLosses.Keras;

namespace DslLosses;

/// <summary>
/// Keras's <c>tf.keras.losses.BinaryCrossentropy</c>, exact to tf_keras 2: labels smoothed towards 0.5, probabilities
/// clipped to <c>[1e-7, 1 - 1e-7]</c> with <c>+1e-7</c> inside both logs, or the stable sigmoid cross-entropy on logits;
/// the mean over <see cref="Axis"/> is the per-sample loss, then the reduction and the sample weights apply.
/// </summary>
/// <remarks>
/// Unlike tf_keras, inputs of different ranks (<c>y_true [B]</c> with <c>y_pred [B, 1]</c>) are refused with a
/// <see cref="ShapeMismatchException"/> instead of being squeezed or broadcast to <c>[B, B]</c>. NaN inputs propagate.
/// </remarks>
public sealed class BinaryCrossentropy : KerasLoss
{
    /// <summary>Creates the loss with Keras's options.</summary>
    /// <param name="fromLogits">Whether <c>yPred</c> holds logits (any real) rather than probabilities.</param>
    /// <param name="labelSmoothing">In [0, 1]: labels become <c>y * (1 - ls) + 0.5 * ls</c>.</param>
    /// <param name="axis">The axis the per-sample mean is taken over (default the last).</param>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>binary_crossentropy</c>).</param>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1] or NaN.</exception>
    public BinaryCrossentropy(bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1,
        Reduction reduction = Reduction.SumOverBatchSize, string name = "binary_crossentropy")
        : base(reduction, name)
    {
        FromLogits = fromLogits;
        LabelSmoothing = KerasOptions.LabelSmoothing(labelSmoothing);
        Axis = axis;
    }

    /// <summary>Whether <c>yPred</c> holds logits.</summary>
    public bool FromLogits { get; }

    /// <summary>The label smoothing factor in [0, 1].</summary>
    public double LabelSmoothing { get; }

    /// <summary>The axis the per-sample mean is taken over.</summary>
    public int Axis { get; }

    private protected override T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => FromLogits
            ? KerasFormulas.BinaryCrossentropyLogits(yTrue, yPred, Scalar<T>(LabelSmoothing), Reduction, sampleWeight, Axis)
            : KerasFormulas.BinaryCrossentropyProbabilities(yTrue, yPred, Scalar<T>(LabelSmoothing), Reduction, sampleWeight, Axis);

    private protected override void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
    {
        if (FromLogits)
            KerasFormulas.BinaryCrossentropyLogits(yTrue, yPred, Scalar<T>(LabelSmoothing), destination, sampleWeight, Axis);
        else
            KerasFormulas.BinaryCrossentropyProbabilities(yTrue, yPred, Scalar<T>(LabelSmoothing), destination, sampleWeight, Axis);
    }

    private protected override Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => FromLogits
            ? KerasFormulas.BinaryCrossentropyLogitsPerSample(yTrue, yPred, Scalar<T>(LabelSmoothing), sampleWeight, Axis)
            : KerasFormulas.BinaryCrossentropyProbabilitiesPerSample(yTrue, yPred, Scalar<T>(LabelSmoothing), sampleWeight, Axis);

    private protected override T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => FromLogits
            ? KerasFormulas.BinaryCrossentropyLogitsWithGradient(yTrue, yPred, Scalar<T>(LabelSmoothing), gradient, Reduction, sampleWeight, Axis)
            : KerasFormulas.BinaryCrossentropyProbabilitiesWithGradient(yTrue, yPred, Scalar<T>(LabelSmoothing), gradient, Reduction, sampleWeight, Axis);

    private protected override void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
    {
        if (FromLogits)
            KerasFormulas.BinaryCrossentropyLogitsGradient(yTrue, yPred, Scalar<T>(LabelSmoothing), gradient, Reduction, sampleWeight, Axis);
        else
            KerasFormulas.BinaryCrossentropyProbabilitiesGradient(yTrue, yPred, Scalar<T>(LabelSmoothing), gradient, Reduction, sampleWeight, Axis);
    }
}
