using System.Numerics.Tensors;
using DslLosses.Keras;

namespace DslLosses;

/// <summary>
/// Keras's <c>tf.keras.losses.Poisson</c>: <c>mean(y_pred - y_true * log(y_pred + 1e-7))</c> over the last axis. No
/// clipping: a prediction below <c>-1e-7</c> gives NaN, as in Keras.
/// </summary>
public sealed class Poisson : KerasLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>poisson</c>).</param>
    public Poisson(Reduction reduction = Reduction.SumOverBatchSize, string name = "poisson")
        : base(reduction, name)
    {
    }

    private protected override T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.Poisson(yTrue, yPred, Reduction, sampleWeight);

    private protected override void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.Poisson(yTrue, yPred, destination, sampleWeight);

    private protected override Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.PoissonPerSample(yTrue, yPred, sampleWeight);

    private protected override T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.PoissonWithGradient(yTrue, yPred, gradient, Reduction, sampleWeight);

    private protected override void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.PoissonGradient(yTrue, yPred, gradient, Reduction, sampleWeight);
}

/// <summary>
/// Keras's <c>tf.keras.losses.KLDivergence</c>: both inputs clipped to <c>[1e-7, 1]</c>, then
/// <c>sum(y_true * log(y_true / y_pred))</c> over the last axis (a sum, not a mean; a row of zero labels gives a small
/// negative value, as in Keras).
/// </summary>
public sealed class KLDivergence : KerasLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>kl_divergence</c>).</param>
    public KLDivergence(Reduction reduction = Reduction.SumOverBatchSize, string name = "kl_divergence")
        : base(reduction, name)
    {
    }

    private protected override T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.KLDivergence(yTrue, yPred, Reduction, sampleWeight);

    private protected override void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.KLDivergence(yTrue, yPred, destination, sampleWeight);

    private protected override Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.KLDivergencePerSample(yTrue, yPred, sampleWeight);

    private protected override T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.KLDivergenceWithGradient(yTrue, yPred, gradient, Reduction, sampleWeight);

    private protected override void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.KLDivergenceGradient(yTrue, yPred, gradient, Reduction, sampleWeight);
}
