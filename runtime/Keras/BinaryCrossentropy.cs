using System;
using System.Numerics.Tensors;

namespace DslLosses;

/// <summary>
/// Keras's <c>tf.keras.losses.BinaryCrossentropy</c>, exact to tf_keras 2: labels smoothed towards 0.5, probabilities
/// clipped to <c>[1e-7, 1 - 1e-7]</c> with <c>+1e-7</c> inside both logs, or the stable sigmoid cross-entropy on logits;
/// the mean over <see cref="Axis"/> is the per-sample loss, then <see cref="Reduction"/> and the sample weights apply.
/// </summary>
/// <remarks>
/// Unlike tf_keras, inputs of different ranks (<c>y_true [B]</c> with <c>y_pred [B, 1]</c>) are refused with a
/// <see cref="ShapeMismatchException"/> instead of being squeezed or broadcast to <c>[B, B]</c>. NaN inputs propagate.
/// </remarks>
public sealed class BinaryCrossentropy
{
    /// <summary>Creates the loss with Keras's options.</summary>
    /// <param name="fromLogits">Whether <c>yPred</c> holds logits (any real) rather than probabilities.</param>
    /// <param name="labelSmoothing">In [0, 1]: labels become <c>y * (1 - ls) + 0.5 * ls</c>.</param>
    /// <param name="axis">The axis the per-sample mean is taken over (default the last).</param>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>binary_crossentropy</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1] or NaN.</exception>
    public BinaryCrossentropy(bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1,
        Reduction reduction = Reduction.SumOverBatchSize, string name = "binary_crossentropy")
    {
        FromLogits = fromLogits;
        LabelSmoothing = KerasOptions.LabelSmoothing(labelSmoothing);
        Axis = axis;
        Reduction = KerasOptions.Defined(reduction);
        Name = name ?? throw new ArgumentNullException(nameof(name));
    }

    /// <summary>Whether <c>yPred</c> holds logits.</summary>
    public bool FromLogits { get; }

    /// <summary>The label smoothing factor in [0, 1].</summary>
    public double LabelSmoothing { get; }

    /// <summary>The axis the per-sample mean is taken over.</summary>
    public int Axis { get; }

    /// <summary>The reduction <see cref="Compute(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/> applies.</summary>
    public Reduction Reduction { get; }

    /// <summary>The loss name.</summary>
    public string Name { get; }

    /// <summary>The reduced loss (Keras's <c>loss(y_true, y_pred, sample_weight)</c>) for float32 inputs of equal shapes.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ, or the sample weights do not broadcast to the per-sample loss shape.</exception>
    /// <exception cref="ArgumentException"><see cref="Reduction"/> is <see cref="Reduction.None"/>: use the overload with a destination.</exception>
    public float Compute(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, ReadOnlyTensorSpan<float> sampleWeight = default)
        => FromLogits
            ? Keras.KerasFormulas.BinaryCrossentropyLogits(yTrue, yPred, (float)LabelSmoothing, Reduction, sampleWeight, Axis)
            : Keras.KerasFormulas.BinaryCrossentropyProbabilities(yTrue, yPred, (float)LabelSmoothing, Reduction, sampleWeight, Axis);

    /// <summary>The reduced loss for float64 inputs (computed in float64, with float64 constants as Keras does).</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ, or the sample weights do not broadcast.</exception>
    public double Compute(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, ReadOnlyTensorSpan<double> sampleWeight = default)
        => FromLogits
            ? Keras.KerasFormulas.BinaryCrossentropyLogits(yTrue, yPred, LabelSmoothing, Reduction, sampleWeight, Axis)
            : Keras.KerasFormulas.BinaryCrossentropyProbabilities(yTrue, yPred, LabelSmoothing, Reduction, sampleWeight, Axis);

    /// <summary>The reduced loss for float16 inputs, computed in float32 and rounded once.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ, or the sample weights do not broadcast.</exception>
    public Half Compute(ReadOnlyTensorSpan<Half> yTrue, ReadOnlyTensorSpan<Half> yPred, ReadOnlyTensorSpan<Half> sampleWeight = default)
        => FromLogits
            ? Keras.KerasFormulas.BinaryCrossentropyLogits(yTrue, yPred, (Half)LabelSmoothing, Reduction, sampleWeight, Axis)
            : Keras.KerasFormulas.BinaryCrossentropyProbabilities(yTrue, yPred, (Half)LabelSmoothing, Reduction, sampleWeight, Axis);

    /// <summary>The reduced loss for <c>[B, N]</c> float32 arrays.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ, or the sample weights do not broadcast.</exception>
    public float Compute(float[,] yTrue, float[,] yPred, ReadOnlyTensorSpan<float> sampleWeight = default)
        => Compute(new ReadOnlyTensorSpan<float>(yTrue), new ReadOnlyTensorSpan<float>(yPred), sampleWeight);

    /// <summary>The reduced loss for <c>[B, N]</c> float64 arrays.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ, or the sample weights do not broadcast.</exception>
    public double Compute(double[,] yTrue, double[,] yPred, ReadOnlyTensorSpan<double> sampleWeight = default)
        => Compute(new ReadOnlyTensorSpan<double>(yTrue), new ReadOnlyTensorSpan<double>(yPred), sampleWeight);

    /// <summary>
    /// The weighted per-sample losses (Keras's <c>reduction="none"</c>) written into <paramref name="destination"/>, whose
    /// shape is the input shape without <see cref="Axis"/> (or flat). Ignores <see cref="Reduction"/>; allocates nothing.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The shapes differ, the weights do not broadcast, or the destination does not fit.</exception>
    public void Compute(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, TensorSpan<float> destination, ReadOnlyTensorSpan<float> sampleWeight = default)
    {
        if (FromLogits)
            Keras.KerasFormulas.BinaryCrossentropyLogits(yTrue, yPred, (float)LabelSmoothing, destination, sampleWeight, Axis);
        else
            Keras.KerasFormulas.BinaryCrossentropyProbabilities(yTrue, yPred, (float)LabelSmoothing, destination, sampleWeight, Axis);
    }

    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public void Compute(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, TensorSpan<double> destination, ReadOnlyTensorSpan<double> sampleWeight = default)
    {
        if (FromLogits)
            Keras.KerasFormulas.BinaryCrossentropyLogits(yTrue, yPred, LabelSmoothing, destination, sampleWeight, Axis);
        else
            Keras.KerasFormulas.BinaryCrossentropyProbabilities(yTrue, yPred, LabelSmoothing, destination, sampleWeight, Axis);
    }

    /// <summary>The weighted per-sample losses in a new tensor (allocates; see the destination overloads).</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ, or the sample weights do not broadcast.</exception>
    public Tensor<float> ComputePerSample(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, ReadOnlyTensorSpan<float> sampleWeight = default)
        => FromLogits
            ? Keras.KerasFormulas.BinaryCrossentropyLogitsPerSample(yTrue, yPred, (float)LabelSmoothing, sampleWeight, Axis)
            : Keras.KerasFormulas.BinaryCrossentropyProbabilitiesPerSample(yTrue, yPred, (float)LabelSmoothing, sampleWeight, Axis);

    /// <inheritdoc cref="ComputePerSample(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public Tensor<double> ComputePerSample(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, ReadOnlyTensorSpan<double> sampleWeight = default)
        => FromLogits
            ? Keras.KerasFormulas.BinaryCrossentropyLogitsPerSample(yTrue, yPred, LabelSmoothing, sampleWeight, Axis)
            : Keras.KerasFormulas.BinaryCrossentropyProbabilitiesPerSample(yTrue, yPred, LabelSmoothing, sampleWeight, Axis);
}
