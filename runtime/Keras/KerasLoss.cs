using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace DslLosses;

/// <summary>
/// A Keras loss object whose labels and predictions share one element type (<c>y_true</c> and <c>y_pred</c> of the
/// same shape; <see cref="SparseCategoricalCrossentropy"/> reads such labels as class indices): Keras's <c>loss(y_true, y_pred, sample_weight)</c> as <see cref="Compute(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>,
/// with <see cref="DslLosses.Reduction"/> and Keras's sample-weight broadcasting.
/// </summary>
/// <remarks>
/// Inputs of different shapes are refused with a <see cref="ShapeMismatchException"/> (tf_keras would squeeze a trailing
/// 1 or broadcast). <c>float</c> and <c>double</c> inputs are computed in their own precision with constants of that
/// precision, as Keras does; <see cref="Half"/> inputs are computed in float and rounded once.
/// </remarks>
public abstract class KerasLoss
{
    private protected KerasLoss(Reduction reduction, string name)
    {
        Reduction = KerasOptions.Defined(reduction);
        Name = name ?? throw new ArgumentNullException(nameof(name));
    }

    /// <summary>The reduction the <c>Compute</c> methods that return one value apply (Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>).</summary>
    public Reduction Reduction { get; }

    /// <summary>The loss name (Keras's default for the loss unless given).</summary>
    public string Name { get; }

    /// <summary>The reduced, weighted loss.</summary>
    /// <param name="yTrue">Targets, same shape as <paramref name="yPred"/>.</param>
    /// <param name="yPred">Predictions.</param>
    /// <param name="sampleWeight">Optional weights: a scalar (one element), <c>[B]</c>, <c>[B, 1]</c> or the per-sample loss shape.</param>
    /// <exception cref="ShapeMismatchException">The shapes differ or the weights do not broadcast; the message names both shapes.</exception>
    /// <exception cref="ArgumentException"><see cref="Reduction"/> is <see cref="Reduction.None"/>: call an overload with a destination or <c>ComputePerSample</c>.</exception>
    public float Compute(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, ReadOnlyTensorSpan<float> sampleWeight = default)
        => Reduce(yTrue, yPred, sampleWeight);

    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public double Compute(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, ReadOnlyTensorSpan<double> sampleWeight = default)
        => Reduce(yTrue, yPred, sampleWeight);

    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public Half Compute(ReadOnlyTensorSpan<Half> yTrue, ReadOnlyTensorSpan<Half> yPred, ReadOnlyTensorSpan<Half> sampleWeight = default)
        => Reduce(yTrue, yPred, sampleWeight);

    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public float Compute(float[,] yTrue, float[,] yPred, ReadOnlyTensorSpan<float> sampleWeight = default)
        => Reduce(new ReadOnlyTensorSpan<float>(yTrue), new ReadOnlyTensorSpan<float>(yPred), sampleWeight);

    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public double Compute(double[,] yTrue, double[,] yPred, ReadOnlyTensorSpan<double> sampleWeight = default)
        => Reduce(new ReadOnlyTensorSpan<double>(yTrue), new ReadOnlyTensorSpan<double>(yPred), sampleWeight);

    /// <summary>The reduced, weighted loss for any supported element type (<c>float</c>, <c>double</c>, <see cref="Half"/>).</summary>
    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public T Compute<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight = default)
        where T : unmanaged
        => Reduce(yTrue, yPred, sampleWeight);

    /// <summary>The reduced loss with one weight for every per-sample loss (Keras's scalar <c>sample_weight</c>); allocates nothing.</summary>
    /// <param name="yTrue">Targets, same shape as <paramref name="yPred"/>.</param>
    /// <param name="yPred">Predictions.</param>
    /// <param name="sampleWeight">The weight of every per-sample loss.</param>
    /// <exception cref="ShapeMismatchException">The shapes differ; the message names both shapes.</exception>
    /// <exception cref="ArgumentException"><see cref="Reduction"/> is <see cref="Reduction.None"/>: call <c>ComputePerSample</c>.</exception>
    public float Compute(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, float sampleWeight)
        => Reduce(yTrue, yPred, new ReadOnlyTensorSpan<float>(new ReadOnlySpan<float>(in sampleWeight)));

    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, float)"/>
    public double Compute(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, double sampleWeight)
        => Reduce(yTrue, yPred, new ReadOnlyTensorSpan<double>(new ReadOnlySpan<double>(in sampleWeight)));

    /// <summary>The weighted per-sample losses with one weight for all of them (Keras's scalar <c>sample_weight</c>), in a new tensor.</summary>
    /// <param name="yTrue">Targets, same shape as <paramref name="yPred"/>.</param>
    /// <param name="yPred">Predictions.</param>
    /// <param name="sampleWeight">The weight of every per-sample loss.</param>
    /// <exception cref="ShapeMismatchException">The shapes differ; the message names both shapes.</exception>
    public Tensor<float> ComputePerSample(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, float sampleWeight)
        => PerSample(yTrue, yPred, new ReadOnlyTensorSpan<float>(new ReadOnlySpan<float>(in sampleWeight)));

    /// <inheritdoc cref="ComputePerSample(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, float)"/>
    public Tensor<double> ComputePerSample(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, double sampleWeight)
        => PerSample(yTrue, yPred, new ReadOnlyTensorSpan<double>(new ReadOnlySpan<double>(in sampleWeight)));

    /// <summary>
    /// The weighted per-sample losses (Keras's <c>reduction="none"</c>) into <paramref name="destination"/>: the input
    /// shape without the reduced axis, or flat. Ignores <see cref="Reduction"/>; allocates nothing.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The shapes differ, the weights do not broadcast, or the destination does not fit.</exception>
    public void Compute(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, TensorSpan<float> destination, ReadOnlyTensorSpan<float> sampleWeight = default)
        => PerSample(yTrue, yPred, destination, sampleWeight);

    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public void Compute(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, TensorSpan<double> destination, ReadOnlyTensorSpan<double> sampleWeight = default)
        => PerSample(yTrue, yPred, destination, sampleWeight);

    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public void Compute(ReadOnlyTensorSpan<Half> yTrue, ReadOnlyTensorSpan<Half> yPred, TensorSpan<Half> destination, ReadOnlyTensorSpan<Half> sampleWeight = default)
        => PerSample(yTrue, yPred, destination, sampleWeight);

    /// <summary>The weighted per-sample losses in a new tensor (allocates; the destination overloads do not).</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ or the weights do not broadcast.</exception>
    public Tensor<float> ComputePerSample(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, ReadOnlyTensorSpan<float> sampleWeight = default)
        => PerSample(yTrue, yPred, sampleWeight);

    /// <inheritdoc cref="ComputePerSample(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public Tensor<double> ComputePerSample(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, ReadOnlyTensorSpan<double> sampleWeight = default)
        => PerSample(yTrue, yPred, sampleWeight);

    /// <inheritdoc cref="ComputePerSample(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public Tensor<float> ComputePerSample(float[,] yTrue, float[,] yPred, ReadOnlyTensorSpan<float> sampleWeight = default)
        => PerSample(new ReadOnlyTensorSpan<float>(yTrue), new ReadOnlyTensorSpan<float>(yPred), sampleWeight);

    /// <inheritdoc cref="ComputePerSample(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public Tensor<double> ComputePerSample(double[,] yTrue, double[,] yPred, ReadOnlyTensorSpan<double> sampleWeight = default)
        => PerSample(new ReadOnlyTensorSpan<double>(yTrue), new ReadOnlyTensorSpan<double>(yPred), sampleWeight);

    /// <summary>
    /// The reduced loss, bit for bit what <c>Compute</c> returns on the same inputs, and its gradient by <paramref name="yPred"/> written into
    /// <paramref name="gradient"/> (the shape of <paramref name="yPred"/>, or flat). The gradient is that of the reduced,
    /// weighted loss: <see cref="Reduction.SumOverBatchSize"/> divides it by the same count as the loss; where Keras clips
    /// <c>yPred</c>, it is the gradient of the clipped function (0 outside the clip range), as TensorFlow's autodiff gives.
    /// One pass where <c>Compute</c> adds the total row by row; where it sums in another order (a flat loop, row
    /// tiles, chunks on several cores) the total is summed that way after the gradient. Allocates nothing.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The shapes differ, the weights do not broadcast, or the gradient does not fit.</exception>
    /// <exception cref="ArgumentException"><see cref="Reduction"/> is <see cref="Reduction.None"/>.</exception>
    public float ComputeWithGradient(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, TensorSpan<float> gradient, ReadOnlyTensorSpan<float> sampleWeight = default)
        => WithGradientCore(yTrue, yPred, gradient, sampleWeight);

    /// <inheritdoc cref="ComputeWithGradient(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public double ComputeWithGradient(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, TensorSpan<double> gradient, ReadOnlyTensorSpan<double> sampleWeight = default)
        => WithGradientCore(yTrue, yPred, gradient, sampleWeight);

    /// <summary>
    /// The gradient of the reduced, weighted loss by <paramref name="yPred"/>, into <paramref name="gradient"/>. With
    /// <see cref="Reduction.None"/> it is the gradient of the weighted sum: pass upstream per-sample gradients as
    /// <paramref name="sampleWeight"/>. Allocates nothing.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The shapes differ, the weights do not broadcast, or the gradient does not fit.</exception>
    public void Gradient(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, TensorSpan<float> gradient, ReadOnlyTensorSpan<float> sampleWeight = default)
        => GradientCore(yTrue, yPred, gradient, sampleWeight);

    /// <inheritdoc cref="Gradient(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public void Gradient(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, TensorSpan<double> gradient, ReadOnlyTensorSpan<double> sampleWeight = default)
        => GradientCore(yTrue, yPred, gradient, sampleWeight);

    /// <summary>
    /// Keras's <c>loss(y_true, y_pred, sample_weight)</c> in one call: with <see cref="Reduction.None"/> the weighted
    /// per-sample losses, otherwise a one-element tensor of shape <c>[1]</c> holding the reduced loss (Keras returns a
    /// scalar tensor; <see cref="Tensor{T}"/> has no rank 0). Allocates the result; the span overloads of <c>Compute</c> do not.
    /// </summary>
    /// <param name="yTrue">Targets, same shape as <paramref name="yPred"/>.</param>
    /// <param name="yPred">Predictions.</param>
    /// <param name="sampleWeight">Optional weights: a scalar (one element), <c>[B]</c>, <c>[B, 1]</c> or the per-sample loss shape.</param>
    /// <exception cref="ShapeMismatchException">The shapes differ or the weights do not broadcast.</exception>
    public Tensor<T> Call<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight = default)
        where T : unmanaged
        => Reduction == Reduction.None
            ? PerSample(yTrue, yPred, sampleWeight)
            : System.Numerics.Tensors.Tensor.Create([Reduce(yTrue, yPred, sampleWeight)], [1]);

    /// <summary>The weighted per-sample losses in a new tensor, for any supported element type (<c>float</c>, <c>double</c>, <see cref="Half"/>).</summary>
    /// <inheritdoc cref="ComputePerSample(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public Tensor<T> ComputePerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight = default)
        where T : unmanaged
        => PerSample(yTrue, yPred, sampleWeight);

    /// <summary>The weighted per-sample losses into <paramref name="destination"/>, for any supported element type.</summary>
    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public void Compute<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight = default)
        where T : unmanaged
        => PerSample(yTrue, yPred, destination, sampleWeight);

    /// <summary>The reduced loss and its gradient, for any supported element type.</summary>
    /// <inheritdoc cref="ComputeWithGradient(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public T ComputeWithGradient<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight = default)
        where T : unmanaged
        => WithGradientCore(yTrue, yPred, gradient, sampleWeight);

    /// <summary>The gradient of the reduced loss, for any supported element type.</summary>
    /// <inheritdoc cref="Gradient(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public void Gradient<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight = default)
        where T : unmanaged
        => GradientCore(yTrue, yPred, gradient, sampleWeight);

    private protected abstract T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        where T : unmanaged;

    private protected abstract void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        where T : unmanaged;

    private protected abstract T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        where T : unmanaged;

    private protected abstract void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
        where T : unmanaged;

    private protected abstract Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        where T : unmanaged;

    /// <summary>
    /// <c>numerator / denominator</c> as Keras computes it in the element type: the numerator converted to it first, the
    /// division done in it (float for <see cref="Half"/>, whose kernels compute in float).
    /// </summary>
    private protected static T Quotient<T>(double numerator, double denominator)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            return Unsafe.BitCast<float, T>((float)numerator / (float)denominator);
        if (typeof(T) == typeof(Half))
            return Unsafe.BitCast<Half, T>((Half)((float)(Half)numerator / (float)denominator));
        return Scalar<T>(numerator / denominator);
    }

    /// <summary>A constant in the element type, as Keras converts options to the dtype of <c>y_pred</c>.</summary>
    private protected static T Scalar<T>(double value)
        where T : unmanaged
        => Kernels.LossMath.Round<T>(value);
}
