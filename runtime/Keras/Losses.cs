using System.Numerics.Tensors;

namespace DslLosses;

/// <summary>
/// The Keras loss functions (<c>tf.keras.losses.binary_crossentropy</c>, ...) under their Keras names: per-sample
/// losses, no reduction, no weights, exactly as the functions of tf_keras 2 compute them.
/// </summary>
public static class Losses
{
    /// <summary>Keras's <c>binary_crossentropy(y_true, y_pred, from_logits, label_smoothing, axis)</c>: the mean over <paramref name="axis"/> per sample.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1].</exception>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> binary_crossentropy(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
        => new BinaryCrossentropy(fromLogits, labelSmoothing, axis).ComputePerSample(yTrue, yPred);

    /// <inheritdoc cref="binary_crossentropy(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, bool, double, int)"/>
    public static Tensor<double> binary_crossentropy(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
        => new BinaryCrossentropy(fromLogits, labelSmoothing, axis).ComputePerSample(yTrue, yPred);
}

/// <summary>The raw TensorFlow ops (<c>tf.nn.*</c>) the Keras losses are built on.</summary>
public static class Nn
{
    /// <summary><c>tf.nn.sigmoid_cross_entropy_with_logits(labels, logits)</c>: elementwise, same shape as the inputs, finite for any finite logit.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> sigmoid_cross_entropy_with_logits(ReadOnlyTensorSpan<float> labels, ReadOnlyTensorSpan<float> logits)
        => Keras.KerasFormulas.SigmoidCrossEntropyWithLogitsPerSample(labels, logits);

    /// <inheritdoc cref="sigmoid_cross_entropy_with_logits(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> sigmoid_cross_entropy_with_logits(ReadOnlyTensorSpan<double> labels, ReadOnlyTensorSpan<double> logits)
        => Keras.KerasFormulas.SigmoidCrossEntropyWithLogitsPerSample(labels, logits);

    /// <summary>The elementwise op into <paramref name="destination"/> (same shape as the inputs, or flat); allocates nothing.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ or the destination does not fit.</exception>
    public static void sigmoid_cross_entropy_with_logits(ReadOnlyTensorSpan<float> labels, ReadOnlyTensorSpan<float> logits, TensorSpan<float> destination)
        => Keras.KerasFormulas.SigmoidCrossEntropyWithLogits(labels, logits, destination);
}
