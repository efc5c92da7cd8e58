using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using DslLosses.Keras;
using DslLosses.Kernels;

namespace DslLosses;

/// <summary>
/// tf_keras's <c>_maybe_convert_labels</c> for the hinge losses: when every label of the call's <c>y_true</c> is 0 or 1,
/// the labels are read as {-1, 1} (<c>2y - 1</c>); otherwise they are used as they are. The decision is taken over the
/// whole tensor in one pass here and passed to the formula as a scalar (1 converts, 0 does not), because a formula sees
/// one row at a time.
/// </summary>
internal static class HingeLabels
{
    /// <summary>1 in <typeparamref name="T"/> when every element of <paramref name="yTrue"/> is 0 or 1 (also when it is empty, as <c>reduce_all</c>), else 0.</summary>
    public static T Conversion<T>(ReadOnlyTensorSpan<T> yTrue)
        where T : unmanaged
    {
        foreach (T value in yTrue)
        {
            double v = ToDouble(value);
            if (v != 0.0 && v != 1.0)
                return LossMath.Round<T>(0.0);
        }
        return LossMath.Round<T>(1.0);
    }

    private static double ToDouble<T>(T value)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            return Unsafe.BitCast<T, float>(value);
        if (typeof(T) == typeof(double))
            return Unsafe.BitCast<T, double>(value);
        if (typeof(T) == typeof(Half))
            return (double)Unsafe.BitCast<T, Half>(value);
        throw new NotSupportedException($"Element type {typeof(T).Name} is not supported; use float, double or Half.");
    }
}

/// <summary>
/// Keras's <c>tf.keras.losses.Hinge</c>: <c>mean(max(1 - y_true * y_pred, 0))</c> over the last axis.
/// Labels are expected in {-1, 1}; when every label of the call is 0 or 1 they are converted to {-1, 1} first, as tf_keras
/// does over the whole <c>y_true</c> of a call (a batch mixing {0, 1} rows with {-1, 1} rows is not converted at all).
/// </summary>
public sealed class Hinge : KerasLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>hinge</c>).</param>
    public Hinge(Reduction reduction = Reduction.SumOverBatchSize, string name = "hinge")
        : base(reduction, name)
    {
    }

    private protected override T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.Hinge(yTrue, yPred, HingeLabels.Conversion(yTrue), Reduction, sampleWeight);

    private protected override void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.Hinge(yTrue, yPred, HingeLabels.Conversion(yTrue), destination, sampleWeight);

    private protected override Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.HingePerSample(yTrue, yPred, HingeLabels.Conversion(yTrue), sampleWeight);

    private protected override T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.HingeWithGradient(yTrue, yPred, HingeLabels.Conversion(yTrue), gradient, Reduction, sampleWeight);

    private protected override void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.HingeGradient(yTrue, yPred, HingeLabels.Conversion(yTrue), gradient, Reduction, sampleWeight);
}

/// <summary>
/// Keras's <c>tf.keras.losses.SquaredHinge</c>: <c>mean(max(1 - y_true * y_pred, 0)²)</c> over the last axis.
/// Labels are expected in {-1, 1}; when every label of the call is 0 or 1 they are converted to {-1, 1} first, as tf_keras
/// does over the whole <c>y_true</c> of a call (a batch mixing {0, 1} rows with {-1, 1} rows is not converted at all).
/// </summary>
public sealed class SquaredHinge : KerasLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>squared_hinge</c>).</param>
    public SquaredHinge(Reduction reduction = Reduction.SumOverBatchSize, string name = "squared_hinge")
        : base(reduction, name)
    {
    }

    private protected override T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.SquaredHinge(yTrue, yPred, HingeLabels.Conversion(yTrue), Reduction, sampleWeight);

    private protected override void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.SquaredHinge(yTrue, yPred, HingeLabels.Conversion(yTrue), destination, sampleWeight);

    private protected override Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.SquaredHingePerSample(yTrue, yPred, HingeLabels.Conversion(yTrue), sampleWeight);

    private protected override T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.SquaredHingeWithGradient(yTrue, yPred, HingeLabels.Conversion(yTrue), gradient, Reduction, sampleWeight);

    private protected override void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        => KerasFormulas.SquaredHingeGradient(yTrue, yPred, HingeLabels.Conversion(yTrue), gradient, Reduction, sampleWeight);
}
