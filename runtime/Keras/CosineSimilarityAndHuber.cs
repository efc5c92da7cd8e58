using System.Numerics.Tensors;
using DslLosses.Keras;

namespace DslLosses;

/// <summary>
/// Keras's <c>tf.keras.losses.CosineSimilarity</c>: both inputs l2-normalised along <see cref="Axis"/> as
/// <c>x * rsqrt(max(sum(x²), 1e-12))</c>, then <c>-sum(t̂ * p̂)</c>: the negative similarity, -1 for equal directions, 1 for
/// opposite ones. A zero vector gives -0 (never NaN); a vector shorter than 1e-6 is divided by 1e-6, as in tf_keras.
/// </summary>
/// <remarks>Like tf_keras, <c>y_true</c> and <c>y_pred</c> share one element type (Keras does not cast <c>y_true</c> here).</remarks>
public sealed class CosineSimilarity : KerasLoss
{
    /// <summary>Creates the loss with Keras's options.</summary>
    /// <param name="axis">The axis the similarity is computed along (default the last); the per-sample loss drops it.</param>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>cosine_similarity</c>).</param>
    public CosineSimilarity(int axis = -1, Reduction reduction = Reduction.SumOverBatchSize, string name = "cosine_similarity")
        : base(reduction, name)
        => Axis = axis;

    /// <summary>The axis the similarity is computed along.</summary>
    public int Axis { get; }

    private protected override T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.CosineSimilarity(yTrue, yPred, Reduction, sampleWeight, Axis);

    private protected override void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.CosineSimilarity(yTrue, yPred, destination, sampleWeight, Axis);

    private protected override Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.CosineSimilarityPerSample(yTrue, yPred, sampleWeight, Axis);

    private protected override T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.CosineSimilarityWithGradient(yTrue, yPred, gradient, Reduction, sampleWeight, Axis);

    private protected override void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.CosineSimilarityGradient(yTrue, yPred, gradient, Reduction, sampleWeight, Axis);
}

/// <summary>
/// Keras's <c>tf.keras.losses.Huber</c>: <c>e = y_pred - y_true</c>; <c>0.5 e²</c> where <c>|e| &lt;= delta</c>, else
/// <c>delta |e| - 0.5 delta²</c>; the mean over the last axis. At <c>|e| == delta</c> both branches give <c>0.5 delta²</c>.
/// </summary>
/// <remarks>
/// Computed in the element type of the inputs, with <c>delta</c> converted to it. tf_keras casts Huber's inputs to
/// <c>floatx</c> (float32 by default), so float64 inputs there are computed in float32; here they stay float64 (tf_keras with
/// <c>floatx = float64</c>, and Keras 3).
/// </remarks>
public sealed class Huber : KerasLoss
{
    /// <summary>Creates the loss with Keras's options.</summary>
    /// <param name="delta">Where the loss turns from quadratic to linear; greater than 0 (Keras's default 1).</param>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>huber_loss</c>).</param>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="delta"/> is not a finite number greater than 0.</exception>
    public Huber(double delta = 1.0, Reduction reduction = Reduction.SumOverBatchSize, string name = "huber_loss")
        : base(reduction, name)
        => Delta = KerasOptions.Delta(delta);

    /// <summary>Where the loss turns from quadratic to linear.</summary>
    public double Delta { get; }

    private protected override T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.Huber(yTrue, yPred, Scalar<T>(Delta), Reduction, sampleWeight);

    private protected override void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.Huber(yTrue, yPred, Scalar<T>(Delta), destination, sampleWeight);

    private protected override Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.HuberPerSample(yTrue, yPred, Scalar<T>(Delta), sampleWeight);

    private protected override T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.HuberWithGradient(yTrue, yPred, Scalar<T>(Delta), gradient, Reduction, sampleWeight);

    private protected override void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.HuberGradient(yTrue, yPred, Scalar<T>(Delta), gradient, Reduction, sampleWeight);
}
