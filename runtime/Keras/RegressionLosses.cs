using System.Numerics.Tensors;
using DslLosses.Keras;

namespace DslLosses;

/// <summary>
/// Keras's <c>tf.keras.losses.MeanSquaredError</c>: <c>mean((y_pred - y_true)²)</c> over the last axis.
/// </summary>
public sealed class MeanSquaredError : KerasLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>mean_squared_error</c>).</param>
    public MeanSquaredError(Reduction reduction = Reduction.SumOverBatchSize, string name = "mean_squared_error")
        : base(reduction, name)
    {
    }

    private protected override T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanSquaredError(yTrue, yPred, Reduction, sampleWeight);

    private protected override void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanSquaredError(yTrue, yPred, destination, sampleWeight);

    private protected override Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanSquaredErrorPerSample(yTrue, yPred, sampleWeight);

    private protected override T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanSquaredErrorWithGradient(yTrue, yPred, gradient, Reduction, sampleWeight);

    private protected override void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanSquaredErrorGradient(yTrue, yPred, gradient, Reduction, sampleWeight);
}

/// <summary>
/// Keras's <c>tf.keras.losses.MeanAbsoluteError</c>: <c>mean(|y_pred - y_true|)</c> over the last axis.
/// </summary>
public sealed class MeanAbsoluteError : KerasLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>mean_absolute_error</c>).</param>
    public MeanAbsoluteError(Reduction reduction = Reduction.SumOverBatchSize, string name = "mean_absolute_error")
        : base(reduction, name)
    {
    }

    private protected override T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanAbsoluteError(yTrue, yPred, Reduction, sampleWeight);

    private protected override void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanAbsoluteError(yTrue, yPred, destination, sampleWeight);

    private protected override Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanAbsoluteErrorPerSample(yTrue, yPred, sampleWeight);

    private protected override T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanAbsoluteErrorWithGradient(yTrue, yPred, gradient, Reduction, sampleWeight);

    private protected override void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanAbsoluteErrorGradient(yTrue, yPred, gradient, Reduction, sampleWeight);
}

/// <summary>
/// Keras's <c>tf.keras.losses.MeanAbsolutePercentageError</c>: <c>100 * mean(|(y_true - y_pred) / max(|y_true|, 1e-7)|)</c>
/// over the last axis. A zero label divides by 1e-7 (a miss of 0.5 costs 5e8), as in Keras.
/// </summary>
public sealed class MeanAbsolutePercentageError : KerasLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>mean_absolute_percentage_error</c>).</param>
    public MeanAbsolutePercentageError(Reduction reduction = Reduction.SumOverBatchSize, string name = "mean_absolute_percentage_error")
        : base(reduction, name)
    {
    }

    private protected override T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanAbsolutePercentageError(yTrue, yPred, Reduction, sampleWeight);

    private protected override void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanAbsolutePercentageError(yTrue, yPred, destination, sampleWeight);

    private protected override Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanAbsolutePercentageErrorPerSample(yTrue, yPred, sampleWeight);

    private protected override T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanAbsolutePercentageErrorWithGradient(yTrue, yPred, gradient, Reduction, sampleWeight);

    private protected override void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanAbsolutePercentageErrorGradient(yTrue, yPred, gradient, Reduction, sampleWeight);
}

/// <summary>
/// Keras's <c>tf.keras.losses.MeanSquaredLogarithmicError</c>: <c>mean((log(max(y_pred, 1e-7) + 1) - log(max(y_true, 1e-7) + 1))²)</c>
/// over the last axis. Values at or below 1e-7, negative ones included, act as 1e-7: never NaN.
/// </summary>
public sealed class MeanSquaredLogarithmicError : KerasLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>mean_squared_logarithmic_error</c>).</param>
    public MeanSquaredLogarithmicError(Reduction reduction = Reduction.SumOverBatchSize, string name = "mean_squared_logarithmic_error")
        : base(reduction, name)
    {
    }

    private protected override T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanSquaredLogarithmicError(yTrue, yPred, Reduction, sampleWeight);

    private protected override void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanSquaredLogarithmicError(yTrue, yPred, destination, sampleWeight);

    private protected override Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanSquaredLogarithmicErrorPerSample(yTrue, yPred, sampleWeight);

    private protected override T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanSquaredLogarithmicErrorWithGradient(yTrue, yPred, gradient, Reduction, sampleWeight);

    private protected override void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.MeanSquaredLogarithmicErrorGradient(yTrue, yPred, gradient, Reduction, sampleWeight);
}

/// <summary>
/// Keras's <c>tf.keras.losses.LogCosh</c>: <c>x = y_pred - y_true</c>, <c>mean(x + softplus(-2x) - log 2)</c> over the last axis,
/// finite for any finite error. <c>log 2</c> is Keras's float32 constant, so float64 gives -1.9e-9 for a zero error, as Keras.
/// </summary>
public sealed class LogCosh : KerasLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>log_cosh</c>).</param>
    public LogCosh(Reduction reduction = Reduction.SumOverBatchSize, string name = "log_cosh")
        : base(reduction, name)
    {
    }

    private protected override T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.LogCosh(yTrue, yPred, Reduction, sampleWeight);

    private protected override void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.LogCosh(yTrue, yPred, destination, sampleWeight);

    private protected override Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.LogCoshPerSample(yTrue, yPred, sampleWeight);

    private protected override T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.LogCoshWithGradient(yTrue, yPred, gradient, Reduction, sampleWeight);

    private protected override void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.LogCoshGradient(yTrue, yPred, gradient, Reduction, sampleWeight);
}

/// <summary>
/// Keras's <c>tf.keras.losses.CategoricalHinge</c>: <c>max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)</c> over
/// the last axis; the max runs over every class, the true one included (its term is 0), as in Keras.
/// </summary>
public sealed class CategoricalHinge : KerasLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>categorical_hinge</c>).</param>
    public CategoricalHinge(Reduction reduction = Reduction.SumOverBatchSize, string name = "categorical_hinge")
        : base(reduction, name)
    {
    }

    private protected override T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.CategoricalHinge(yTrue, yPred, Reduction, sampleWeight);

    private protected override void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.CategoricalHinge(yTrue, yPred, destination, sampleWeight);

    private protected override Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.CategoricalHingePerSample(yTrue, yPred, sampleWeight);

    private protected override T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.CategoricalHingeWithGradient(yTrue, yPred, gradient, Reduction, sampleWeight);

    private protected override void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.CategoricalHingeGradient(yTrue, yPred, gradient, Reduction, sampleWeight);
}
