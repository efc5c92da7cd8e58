using System.Numerics.Tensors;
using DslLosses.Keras;

namespace DslLosses;

/// <summary>
/// Keras's <c>tf.keras.losses.CategoricalCrossentropy</c>, exact to tf_keras 2. Probabilities are renormalised by their
/// sum along <see cref="Axis"/> and then clipped to <c>[1e-7, 1 - 1e-7]</c> (an all-zero row gives NaN, as in Keras);
/// logits go through the max-subtracted log-softmax. Labels are smoothed to <c>y * (1 - ls) + ls / C</c>.
/// </summary>
/// <remarks>Shapes must be equal: tf_keras raises on incompatible shapes too, and the message here names both.</remarks>
public sealed class CategoricalCrossentropy : KerasLoss
{
    /// <summary>Creates the loss with Keras's options.</summary>
    /// <param name="fromLogits">Whether <c>yPred</c> holds logits rather than probabilities.</param>
    /// <param name="labelSmoothing">In [0, 1]: labels become <c>y * (1 - ls) + ls / C</c> with <c>C</c> the number of classes.</param>
    /// <param name="axis">The class axis (default the last).</param>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>categorical_crossentropy</c>).</param>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1] or NaN.</exception>
    public CategoricalCrossentropy(bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1,
        Reduction reduction = Reduction.SumOverBatchSize, string name = "categorical_crossentropy")
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

    /// <summary>The class axis.</summary>
    public int Axis { get; }

    private protected override T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => FromLogits
            ? KerasFormulas.CategoricalCrossentropyLogits(yTrue, yPred, Scalar<T>(LabelSmoothing), Reduction, sampleWeight, Axis)
            : KerasFormulas.CategoricalCrossentropyProbabilities(yTrue, yPred, Scalar<T>(LabelSmoothing), Reduction, sampleWeight, Axis);

    private protected override void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
    {
        if (FromLogits)
            KerasFormulas.CategoricalCrossentropyLogits(yTrue, yPred, Scalar<T>(LabelSmoothing), destination, sampleWeight, Axis);
        else
            KerasFormulas.CategoricalCrossentropyProbabilities(yTrue, yPred, Scalar<T>(LabelSmoothing), destination, sampleWeight, Axis);
    }

    private protected override Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => FromLogits
            ? KerasFormulas.CategoricalCrossentropyLogitsPerSample(yTrue, yPred, Scalar<T>(LabelSmoothing), sampleWeight, Axis)
            : KerasFormulas.CategoricalCrossentropyProbabilitiesPerSample(yTrue, yPred, Scalar<T>(LabelSmoothing), sampleWeight, Axis);

    private protected override T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => FromLogits
            ? KerasFormulas.CategoricalCrossentropyLogitsWithGradient(yTrue, yPred, Scalar<T>(LabelSmoothing), gradient, Reduction, sampleWeight, Axis)
            : KerasFormulas.CategoricalCrossentropyProbabilitiesWithGradient(yTrue, yPred, Scalar<T>(LabelSmoothing), gradient, Reduction, sampleWeight, Axis);

    private protected override void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
    {
        if (FromLogits)
            KerasFormulas.CategoricalCrossentropyLogitsGradient(yTrue, yPred, Scalar<T>(LabelSmoothing), gradient, Reduction, sampleWeight, Axis);
        else
            KerasFormulas.CategoricalCrossentropyProbabilitiesGradient(yTrue, yPred, Scalar<T>(LabelSmoothing), gradient, Reduction, sampleWeight, Axis);
    }
}
