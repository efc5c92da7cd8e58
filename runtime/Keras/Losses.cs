using System.Numerics.Tensors;

namespace DslLosses;

/// <summary>
/// The Keras loss functions (<c>tf.keras.losses.binary_crossentropy</c>, ...) under their Keras names: per-sample
/// losses, no reduction, no weights, exactly as the functions of tf_keras 2 compute them.
/// </summary>
public static partial class Losses
{
    /// <summary>Keras's <c>binary_crossentropy(y_true, y_pred, from_logits, label_smoothing, axis)</c>: the mean over <paramref name="axis"/> per sample.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1].</exception>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> binary_crossentropy(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
        => new BinaryCrossentropy(fromLogits, labelSmoothing, axis).ComputePerSample(yTrue, yPred);

    /// <inheritdoc cref="binary_crossentropy(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, bool, double, int)"/>
    public static Tensor<double> binary_crossentropy(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
        => new BinaryCrossentropy(fromLogits, labelSmoothing, axis).ComputePerSample(yTrue, yPred);
    /// <summary>Keras's <c>categorical_crossentropy(y_true, y_pred, from_logits, label_smoothing, axis)</c>: per-sample losses over the class axis.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1].</exception>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> categorical_crossentropy(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
        => new CategoricalCrossentropy(fromLogits, labelSmoothing, axis).ComputePerSample(yTrue, yPred);

    /// <inheritdoc cref="categorical_crossentropy(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, bool, double, int)"/>
    public static Tensor<double> categorical_crossentropy(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
        => new CategoricalCrossentropy(fromLogits, labelSmoothing, axis).ComputePerSample(yTrue, yPred);

    /// <summary>
    /// Keras's <c>sparse_categorical_crossentropy(y_true, y_pred, from_logits, axis, ignore_class)</c>: per-sample losses
    /// for integer labels (the prediction's shape without <paramref name="axis"/>, or with a trailing 1); ignored entries are 0.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The shapes do not fit.</exception>
    /// <exception cref="System.ArgumentOutOfRangeException">A label is outside <c>[0, C)</c> and not the ignored class.</exception>
    public static Tensor<float> sparse_categorical_crossentropy(ReadOnlyTensorSpan<int> yTrue, ReadOnlyTensorSpan<float> yPred, bool fromLogits = false, int axis = -1, int? ignoreClass = null)
        => SparseCategoricalCrossentropy.PerSample(yTrue, yPred, default, fromLogits, ignoreClass, axis);

    /// <inheritdoc cref="sparse_categorical_crossentropy(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, bool, int, int?)"/>
    public static Tensor<double> sparse_categorical_crossentropy(ReadOnlyTensorSpan<int> yTrue, ReadOnlyTensorSpan<double> yPred, bool fromLogits = false, int axis = -1, int? ignoreClass = null)
        => SparseCategoricalCrossentropy.PerSample(yTrue, yPred, default, fromLogits, ignoreClass, axis);

    /// <summary>The function form for <c>long</c> labels (Keras's int64).</summary>
    /// <inheritdoc cref="sparse_categorical_crossentropy(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, bool, int, int?)"/>
    public static Tensor<float> sparse_categorical_crossentropy(ReadOnlyTensorSpan<long> yTrue, ReadOnlyTensorSpan<float> yPred, bool fromLogits = false, int axis = -1, int? ignoreClass = null)
        => SparseCategoricalCrossentropy.PerSampleConverted(yTrue, yPred, fromLogits, ignoreClass, axis);

    /// <inheritdoc cref="sparse_categorical_crossentropy(ReadOnlyTensorSpan{long}, ReadOnlyTensorSpan{float}, bool, int, int?)"/>
    public static Tensor<double> sparse_categorical_crossentropy(ReadOnlyTensorSpan<long> yTrue, ReadOnlyTensorSpan<double> yPred, bool fromLogits = false, int axis = -1, int? ignoreClass = null)
        => SparseCategoricalCrossentropy.PerSampleConverted(yTrue, yPred, fromLogits, ignoreClass, axis);

    /// <summary>The function form for labels given as floats, truncated toward zero as Keras casts them.</summary>
    /// <inheritdoc cref="sparse_categorical_crossentropy(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, bool, int, int?)"/>
    public static Tensor<float> sparse_categorical_crossentropy(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, bool fromLogits = false, int axis = -1, int? ignoreClass = null)
        => SparseCategoricalCrossentropy.PerSampleConverted(yTrue, yPred, fromLogits, ignoreClass, axis);

    /// <inheritdoc cref="sparse_categorical_crossentropy(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, bool, int, int?)"/>
    public static Tensor<double> sparse_categorical_crossentropy(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, bool fromLogits = false, int axis = -1, int? ignoreClass = null)
        => SparseCategoricalCrossentropy.PerSampleConverted(yTrue, yPred, fromLogits, ignoreClass, axis);

    /// <summary>Keras's <c>poisson(y_true, y_pred)</c>: <c>mean(y_pred - y_true * log(y_pred + 1e-7))</c> over the last axis.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> poisson(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred)
        => Keras.KerasFormulas.PoissonPerSample(yTrue, yPred);

    /// <inheritdoc cref="poisson(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> poisson(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred)
        => Keras.KerasFormulas.PoissonPerSample(yTrue, yPred);

    /// <summary>Keras's <c>kl_divergence(y_true, y_pred)</c>: both clipped to <c>[1e-7, 1]</c>, <c>sum(y_true * log(y_true / y_pred))</c> over the last axis.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> kl_divergence(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred)
        => Keras.KerasFormulas.KLDivergencePerSample(yTrue, yPred);

    /// <inheritdoc cref="kl_divergence(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> kl_divergence(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred)
        => Keras.KerasFormulas.KLDivergencePerSample(yTrue, yPred);

    /// <summary>Keras's alias of <see cref="kl_divergence(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> kullback_leibler_divergence(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred) => kl_divergence(yTrue, yPred);

    /// <inheritdoc cref="kullback_leibler_divergence(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> kullback_leibler_divergence(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred) => kl_divergence(yTrue, yPred);

    /// <summary>Keras's alias of <see cref="kl_divergence(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> kld(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred) => kl_divergence(yTrue, yPred);

    /// <inheritdoc cref="kld(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> kld(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred) => kl_divergence(yTrue, yPred);

    /// <summary>Keras's alias of <see cref="kl_divergence(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> KLD(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred) => kl_divergence(yTrue, yPred);

    /// <inheritdoc cref="KLD(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> KLD(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred) => kl_divergence(yTrue, yPred);
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

    /// <summary>
    /// <c>tf.nn.softmax_cross_entropy_with_logits(labels, logits, axis)</c>: <c>s = x - max(x)</c>,
    /// <c>Σ labels (log Σ exp(s) - s)</c> along <paramref name="axis"/>; labels need not be one-hot. The output drops the class axis.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> softmax_cross_entropy_with_logits(ReadOnlyTensorSpan<float> labels, ReadOnlyTensorSpan<float> logits, int axis = -1)
        => Keras.KerasFormulas.SoftmaxCrossEntropyWithLogitsPerSample(labels, logits, default, axis);

    /// <inheritdoc cref="softmax_cross_entropy_with_logits(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, int)"/>
    public static Tensor<double> softmax_cross_entropy_with_logits(ReadOnlyTensorSpan<double> labels, ReadOnlyTensorSpan<double> logits, int axis = -1)
        => Keras.KerasFormulas.SoftmaxCrossEntropyWithLogitsPerSample(labels, logits, default, axis);
}
