using System;
using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DslLosses.Keras;
using DslLosses.Kernels;

namespace DslLosses;

/// <summary>
/// Keras's <c>tf.keras.losses.SparseCategoricalCrossentropy</c>, exact to tf_keras 2: integer class labels of the
/// prediction's shape without the class axis (or with a trailing 1, <c>[B, 1]</c>), probabilities clipped to
/// <c>[1e-7, 1 - 1e-7]</c> before the log (then renormalised by the softmax), or logits; <c>ignore_class</c> entries give
/// 0 and are left out of <see cref="Reduction.SumOverBatchSize"/>'s count (every entry ignored gives NaN, as tf_keras).
/// </summary>
/// <remarks>
/// Labels may be <c>int</c>, <c>long</c> or, as in Keras, floats that are truncated toward zero (the float-label entry
/// points are those of <see cref="KerasLoss"/>, so the loss can be held and called like the others). A label outside
/// <c>[0, C)</c> (other than the ignored class) throws <see cref="ArgumentOutOfRangeException"/>, as TensorFlow does on
/// CPU. There is no <c>label_smoothing</c>: Keras has none for this loss.
/// </remarks>
public sealed class SparseCategoricalCrossentropy : KerasLoss
{
    /// <summary>Creates the loss with Keras's options.</summary>
    /// <param name="fromLogits">Whether <c>yPred</c> holds logits rather than probabilities.</param>
    /// <param name="ignoreClass">A label value whose entries are ignored (Keras's <c>ignore_class</c>), or null.</param>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>sparse_categorical_crossentropy</c>).</param>
    public SparseCategoricalCrossentropy(bool fromLogits = false, int? ignoreClass = null,
        Reduction reduction = Reduction.SumOverBatchSize, string name = "sparse_categorical_crossentropy")
        : base(reduction, name)
    {
        FromLogits = fromLogits;
        IgnoreClass = ignoreClass;
    }

    /// <summary>Whether <c>yPred</c> holds logits.</summary>
    public bool FromLogits { get; }

    /// <summary>The ignored label value, or null.</summary>
    public int? IgnoreClass { get; }

    /// <summary>The reduced, weighted loss for integer labels.</summary>
    /// <param name="yTrue">Class indices: <c>yPred</c>'s shape without the last axis, or with a trailing 1.</param>
    /// <param name="yPred">Probabilities or logits, classes along the last axis.</param>
    /// <param name="sampleWeight">Optional weights: a scalar, <c>[B]</c>, <c>[B, 1]</c> or the per-sample loss shape.</param>
    /// <exception cref="ShapeMismatchException">The shapes do not fit; the message names both.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, C)</c> and not the ignored class.</exception>
    public float Compute(ReadOnlyTensorSpan<int> yTrue, ReadOnlyTensorSpan<float> yPred, ReadOnlyTensorSpan<float> sampleWeight = default)
        => Reduce(yTrue, yPred, sampleWeight, FromLogits, IgnoreClass, Reduction, -1);

    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public double Compute(ReadOnlyTensorSpan<int> yTrue, ReadOnlyTensorSpan<double> yPred, ReadOnlyTensorSpan<double> sampleWeight = default)
        => Reduce(yTrue, yPred, sampleWeight, FromLogits, IgnoreClass, Reduction, -1);

    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public Half Compute(ReadOnlyTensorSpan<int> yTrue, ReadOnlyTensorSpan<Half> yPred, ReadOnlyTensorSpan<Half> sampleWeight = default)
        => Reduce(yTrue, yPred, sampleWeight, FromLogits, IgnoreClass, Reduction, -1);

    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public float Compute(int[] yTrue, float[,] yPred, ReadOnlyTensorSpan<float> sampleWeight = default)
        => Compute(yTrue, new ReadOnlyTensorSpan<float>(yPred), sampleWeight);

    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public double Compute(int[] yTrue, double[,] yPred, ReadOnlyTensorSpan<double> sampleWeight = default)
        => Compute(yTrue, new ReadOnlyTensorSpan<double>(yPred), sampleWeight);

    /// <summary>The weighted per-sample losses into <paramref name="destination"/> (the label shape, or flat); ignored entries are 0. Allocates nothing.</summary>
    /// <exception cref="ShapeMismatchException">The shapes do not fit, or the destination does not.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, C)</c> and not the ignored class.</exception>
    public void Compute(ReadOnlyTensorSpan<int> yTrue, ReadOnlyTensorSpan<float> yPred, TensorSpan<float> destination, ReadOnlyTensorSpan<float> sampleWeight = default)
        => PerSample(yTrue, yPred, destination, sampleWeight, FromLogits, IgnoreClass, -1);

    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public void Compute(ReadOnlyTensorSpan<int> yTrue, ReadOnlyTensorSpan<double> yPred, TensorSpan<double> destination, ReadOnlyTensorSpan<double> sampleWeight = default)
        => PerSample(yTrue, yPred, destination, sampleWeight, FromLogits, IgnoreClass, -1);

    /// <summary>The weighted per-sample losses in a new tensor (allocates).</summary>
    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public Tensor<float> ComputePerSample(ReadOnlyTensorSpan<int> yTrue, ReadOnlyTensorSpan<float> yPred, ReadOnlyTensorSpan<float> sampleWeight = default)
        => PerSample(yTrue, yPred, sampleWeight, FromLogits, IgnoreClass, -1);

    /// <inheritdoc cref="ComputePerSample(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public Tensor<double> ComputePerSample(ReadOnlyTensorSpan<int> yTrue, ReadOnlyTensorSpan<double> yPred, ReadOnlyTensorSpan<double> sampleWeight = default)
        => PerSample(yTrue, yPred, sampleWeight, FromLogits, IgnoreClass, -1);

    /// <summary>
    /// The reduced loss (bit for bit what <c>Compute</c> returns) and its gradient by <paramref name="yPred"/> (softmax minus one-hot on logits,
    /// scaled by weights and the reduction; ignored entries get 0). Allocates nothing.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The shapes do not fit, or the gradient does not.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, C)</c> and not the ignored class.</exception>
    /// <exception cref="ArgumentException"><see cref="Reduction"/> is <see cref="Reduction.None"/>.</exception>
    public float ComputeWithGradient(ReadOnlyTensorSpan<int> yTrue, ReadOnlyTensorSpan<float> yPred, TensorSpan<float> gradient, ReadOnlyTensorSpan<float> sampleWeight = default)
        => WithGradient(yTrue, yPred, gradient, sampleWeight);

    /// <inheritdoc cref="ComputeWithGradient(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public double ComputeWithGradient(ReadOnlyTensorSpan<int> yTrue, ReadOnlyTensorSpan<double> yPred, TensorSpan<double> gradient, ReadOnlyTensorSpan<double> sampleWeight = default)
        => WithGradient(yTrue, yPred, gradient, sampleWeight);

    /// <summary>The gradient of the reduced, weighted loss by <paramref name="yPred"/>; with <see cref="Reduction.None"/>, of the weighted sum.</summary>
    /// <inheritdoc cref="ComputeWithGradient(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public void Gradient(ReadOnlyTensorSpan<int> yTrue, ReadOnlyTensorSpan<float> yPred, TensorSpan<float> gradient, ReadOnlyTensorSpan<float> sampleWeight = default)
        => GradientOf(yTrue, yPred, gradient, sampleWeight);

    /// <inheritdoc cref="Gradient(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public void Gradient(ReadOnlyTensorSpan<int> yTrue, ReadOnlyTensorSpan<double> yPred, TensorSpan<double> gradient, ReadOnlyTensorSpan<double> sampleWeight = default)
        => GradientOf(yTrue, yPred, gradient, sampleWeight);

    /// <summary>The reduced, weighted loss for <c>long</c> labels (Keras's int64 labels).</summary>
    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public float Compute(ReadOnlyTensorSpan<long> yTrue, ReadOnlyTensorSpan<float> yPred, ReadOnlyTensorSpan<float> sampleWeight = default)
    {
        using var labels = new Labels<long>(yTrue, Name);
        return Reduce(labels.Span, yPred, sampleWeight, FromLogits, IgnoreClass, Reduction, -1);
    }

    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{long}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public double Compute(ReadOnlyTensorSpan<long> yTrue, ReadOnlyTensorSpan<double> yPred, ReadOnlyTensorSpan<double> sampleWeight = default)
    {
        using var labels = new Labels<long>(yTrue, Name);
        return Reduce(labels.Span, yPred, sampleWeight, FromLogits, IgnoreClass, Reduction, -1);
    }

    /// <summary>The weighted per-sample losses for <c>long</c> labels into <paramref name="destination"/>; allocates nothing beyond a pooled label buffer.</summary>
    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public void Compute(ReadOnlyTensorSpan<long> yTrue, ReadOnlyTensorSpan<float> yPred, TensorSpan<float> destination, ReadOnlyTensorSpan<float> sampleWeight = default)
    {
        using var labels = new Labels<long>(yTrue, Name);
        PerSample(labels.Span, yPred, destination, sampleWeight, FromLogits, IgnoreClass, -1);
    }

    /// <inheritdoc cref="Compute(ReadOnlyTensorSpan{long}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public void Compute(ReadOnlyTensorSpan<long> yTrue, ReadOnlyTensorSpan<double> yPred, TensorSpan<double> destination, ReadOnlyTensorSpan<double> sampleWeight = default)
    {
        using var labels = new Labels<long>(yTrue, Name);
        PerSample(labels.Span, yPred, destination, sampleWeight, FromLogits, IgnoreClass, -1);
    }

    /// <summary>The weighted per-sample losses for <c>long</c> labels in a new tensor.</summary>
    /// <inheritdoc cref="ComputePerSample(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public Tensor<float> ComputePerSample(ReadOnlyTensorSpan<long> yTrue, ReadOnlyTensorSpan<float> yPred, ReadOnlyTensorSpan<float> sampleWeight = default)
    {
        using var labels = new Labels<long>(yTrue, Name);
        return PerSample(labels.Span, yPred, sampleWeight, FromLogits, IgnoreClass, -1);
    }

    /// <inheritdoc cref="ComputePerSample(ReadOnlyTensorSpan{long}, ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public Tensor<double> ComputePerSample(ReadOnlyTensorSpan<long> yTrue, ReadOnlyTensorSpan<double> yPred, ReadOnlyTensorSpan<double> sampleWeight = default)
    {
        using var labels = new Labels<long>(yTrue, Name);
        return PerSample(labels.Span, yPred, sampleWeight, FromLogits, IgnoreClass, -1);
    }

    /// <summary>The reduced loss and its gradient for <c>long</c> labels.</summary>
    /// <inheritdoc cref="ComputeWithGradient(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public float ComputeWithGradient(ReadOnlyTensorSpan<long> yTrue, ReadOnlyTensorSpan<float> yPred, TensorSpan<float> gradient, ReadOnlyTensorSpan<float> sampleWeight = default)
    {
        using var labels = new Labels<long>(yTrue, Name);
        return WithGradient(labels.Span, yPred, gradient, sampleWeight);
    }

    /// <inheritdoc cref="ComputeWithGradient(ReadOnlyTensorSpan{long}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public double ComputeWithGradient(ReadOnlyTensorSpan<long> yTrue, ReadOnlyTensorSpan<double> yPred, TensorSpan<double> gradient, ReadOnlyTensorSpan<double> sampleWeight = default)
    {
        using var labels = new Labels<long>(yTrue, Name);
        return WithGradient(labels.Span, yPred, gradient, sampleWeight);
    }

    /// <summary>The gradient for <c>long</c> labels.</summary>
    /// <inheritdoc cref="Gradient(ReadOnlyTensorSpan{int}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public void Gradient(ReadOnlyTensorSpan<long> yTrue, ReadOnlyTensorSpan<float> yPred, TensorSpan<float> gradient, ReadOnlyTensorSpan<float> sampleWeight = default)
    {
        using var labels = new Labels<long>(yTrue, Name);
        GradientOf(labels.Span, yPred, gradient, sampleWeight);
    }

    /// <inheritdoc cref="Gradient(ReadOnlyTensorSpan{long}, ReadOnlyTensorSpan{float}, TensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public void Gradient(ReadOnlyTensorSpan<long> yTrue, ReadOnlyTensorSpan<double> yPred, TensorSpan<double> gradient, ReadOnlyTensorSpan<double> sampleWeight = default)
    {
        using var labels = new Labels<long>(yTrue, Name);
        GradientOf(labels.Span, yPred, gradient, sampleWeight);
    }

    // ---- KerasLoss: labels in the element type of the predictions (truncated toward zero) ------------------------

    private protected override T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
        => ReduceFloatLabels(yTrue, yPred, sampleWeight, FromLogits, IgnoreClass, Reduction, -1);

    private protected override void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
    {
        using var labels = new Labels<T>(yTrue, Name);
        PerSample(labels.Span, yPred, destination, sampleWeight, FromLogits, IgnoreClass, -1);
    }

    private protected override Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
    {
        using var labels = new Labels<T>(yTrue, Name);
        return PerSample(labels.Span, yPred, sampleWeight, FromLogits, IgnoreClass, -1);
    }

    private protected override T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
    {
        using var labels = new Labels<T>(yTrue, Name);
        return WithGradient(labels.Span, yPred, gradient, sampleWeight);
    }

    private protected override void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
    {
        using var labels = new Labels<T>(yTrue, Name);
        GradientOf(labels.Span, yPred, gradient, sampleWeight);
    }

    private T WithGradient<T>(ReadOnlyTensorSpan<int> labels, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        where T : unmanaged
    {
        Span<nint> lengths = stackalloc nint[Shapes.MaxRank];
        labels = DropTrailingOne(labels, yPred, -1, lengths);
        return (FromLogits, IgnoreClass) switch
        {
            (true, null) => KerasFormulas.SparseCategoricalCrossentropyLogitsWithGradient(labels, yPred, gradient, Reduction, sampleWeight),
            (false, null) => KerasFormulas.SparseCategoricalCrossentropyProbabilitiesWithGradient(labels, yPred, gradient, Reduction, sampleWeight),
            (true, int k) => KerasFormulas.SparseCategoricalCrossentropyLogitsIgnoringWithGradient(labels, yPred, k, gradient, Reduction, sampleWeight),
            (false, int k) => KerasFormulas.SparseCategoricalCrossentropyProbabilitiesIgnoringWithGradient(labels, yPred, k, gradient, Reduction, sampleWeight),
        };
    }

    private void GradientOf<T>(ReadOnlyTensorSpan<int> labels, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
        where T : unmanaged
    {
        Span<nint> lengths = stackalloc nint[Shapes.MaxRank];
        labels = DropTrailingOne(labels, yPred, -1, lengths);
        switch (FromLogits, IgnoreClass)
        {
            case (true, null): KerasFormulas.SparseCategoricalCrossentropyLogitsGradient(labels, yPred, gradient, Reduction, sampleWeight); break;
            case (false, null): KerasFormulas.SparseCategoricalCrossentropyProbabilitiesGradient(labels, yPred, gradient, Reduction, sampleWeight); break;
            case (true, int k): KerasFormulas.SparseCategoricalCrossentropyLogitsIgnoringGradient(labels, yPred, k, gradient, Reduction, sampleWeight); break;
            case (false, int k): KerasFormulas.SparseCategoricalCrossentropyProbabilitiesIgnoringGradient(labels, yPred, k, gradient, Reduction, sampleWeight); break;
        }
    }

    // ---- shared with the function form ------------------------------------------------------------------------

    internal static T Reduce<T>(ReadOnlyTensorSpan<int> labels, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight, bool fromLogits, int? ignoreClass, Reduction reduction, int axis)
        where T : unmanaged
    {
        Span<nint> lengths = stackalloc nint[Shapes.MaxRank];
        labels = DropTrailingOne(labels, yPred, axis, lengths);
        return (fromLogits, ignoreClass) switch
        {
            (true, null) => KerasFormulas.SparseCategoricalCrossentropyLogits(labels, yPred, reduction, sampleWeight, axis),
            (false, null) => KerasFormulas.SparseCategoricalCrossentropyProbabilities(labels, yPred, reduction, sampleWeight, axis),
            (true, int k) => KerasFormulas.SparseCategoricalCrossentropyLogitsIgnoring(labels, yPred, k, reduction, sampleWeight, axis),
            (false, int k) => KerasFormulas.SparseCategoricalCrossentropyProbabilitiesIgnoring(labels, yPred, k, reduction, sampleWeight, axis),
        };
    }

    internal static T ReduceFloatLabels<T>(ReadOnlyTensorSpan<T> labels, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight, bool fromLogits, int? ignoreClass, Reduction reduction, int axis)
        where T : unmanaged
    {
        using var converted = new Labels<T>(labels, "sparse_categorical_crossentropy");
        return Reduce(converted.Span, yPred, sampleWeight, fromLogits, ignoreClass, reduction, axis);
    }

    /// <summary>The function form for labels other than <c>int</c>: <c>long</c>, or floats truncated toward zero.</summary>
    internal static Tensor<T> PerSampleConverted<TLabel, T>(ReadOnlyTensorSpan<TLabel> labels, ReadOnlyTensorSpan<T> yPred, bool fromLogits, int? ignoreClass, int axis)
        where TLabel : unmanaged
        where T : unmanaged
    {
        using var converted = new Labels<TLabel>(labels, "sparse_categorical_crossentropy");
        return PerSample(converted.Span, yPred, default, fromLogits, ignoreClass, axis);
    }

    internal static void PerSample<T>(ReadOnlyTensorSpan<int> labels, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight, bool fromLogits, int? ignoreClass, int axis)
        where T : unmanaged
    {
        Span<nint> lengths = stackalloc nint[Shapes.MaxRank];
        labels = DropTrailingOne(labels, yPred, axis, lengths);
        switch (fromLogits, ignoreClass)
        {
            case (true, null): KerasFormulas.SparseCategoricalCrossentropyLogits(labels, yPred, destination, sampleWeight, axis); break;
            case (false, null): KerasFormulas.SparseCategoricalCrossentropyProbabilities(labels, yPred, destination, sampleWeight, axis); break;
            case (true, int k): KerasFormulas.SparseCategoricalCrossentropyLogitsIgnoring(labels, yPred, k, destination, sampleWeight, axis); break;
            case (false, int k): KerasFormulas.SparseCategoricalCrossentropyProbabilitiesIgnoring(labels, yPred, k, destination, sampleWeight, axis); break;
        }
    }

    internal static Tensor<T> PerSample<T>(ReadOnlyTensorSpan<int> labels, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight, bool fromLogits, int? ignoreClass, int axis)
        where T : unmanaged
    {
        Span<nint> lengths = stackalloc nint[Shapes.MaxRank];
        labels = DropTrailingOne(labels, yPred, axis, lengths);
        return (fromLogits, ignoreClass) switch
        {
            (true, null) => KerasFormulas.SparseCategoricalCrossentropyLogitsPerSample(labels, yPred, sampleWeight, axis),
            (false, null) => KerasFormulas.SparseCategoricalCrossentropyProbabilitiesPerSample(labels, yPred, sampleWeight, axis),
            (true, int k) => KerasFormulas.SparseCategoricalCrossentropyLogitsIgnoringPerSample(labels, yPred, k, sampleWeight, axis),
            (false, int k) => KerasFormulas.SparseCategoricalCrossentropyProbabilitiesIgnoringPerSample(labels, yPred, k, sampleWeight, axis),
        };
    }

    /// <summary>
    /// Keras's label fix-up: labels with a trailing 1 (<c>[B, 1]</c> against <c>[B, C]</c>, <c>[B, T, 1]</c> against
    /// <c>[B, T, C]</c>) are read without it. Any other rank is left for the shape check to refuse.
    /// </summary>
    private static ReadOnlyTensorSpan<int> DropTrailingOne<T>(ReadOnlyTensorSpan<int> labels, ReadOnlyTensorSpan<T> yPred, int axis, scoped Span<nint> lengths)
    {
        int rank = labels.Rank;
        if (rank < 2 || rank != yPred.Rank || labels.Lengths[rank - 1] != 1 || (axis != -1 && axis != rank - 1) || !labels.IsDense)
            return labels;
        labels.Lengths[..(rank - 1)].CopyTo(lengths);
        ReadOnlySpan<int> data = MemoryMarshal.CreateReadOnlySpan(ref Shapes.Data(in labels), checked((int)labels.FlattenedLength));
        return new ReadOnlyTensorSpan<int>(data, lengths[..(rank - 1)], default);
    }

    /// <summary>Float labels truncated toward zero (or <c>long</c> labels) into a pooled int buffer, as Keras casts them.</summary>
    private readonly ref struct Labels<T>
        where T : unmanaged
    {
        private readonly int[] _rented;

        public Labels(ReadOnlyTensorSpan<T> labels, string loss)
        {
            Shapes.RequireDense(loss, "yTrue", labels.Lengths, labels.Strides);
            int n = checked((int)labels.FlattenedLength);
            _rented = ArrayPool<int>.Shared.Rent(Math.Max(n, 1));
            ReadOnlySpan<T> source = MemoryMarshal.CreateReadOnlySpan(ref Shapes.Data(in labels), n);
            for (int i = 0; i < n; i++)
            {
                if (typeof(T) == typeof(long))
                {
                    long l = Unsafe.BitCast<T, long>(source[i]);
                    _rented[i] = l is >= int.MinValue and <= int.MaxValue
                        ? (int)l
                        : throw new ArgumentOutOfRangeException("yTrue", l, $"{loss}: yTrue holds {l} at flat position {i}, which is not a class index.");
                    continue;
                }
                double v = typeof(T) == typeof(float) ? Unsafe.BitCast<T, float>(source[i]) : typeof(T) == typeof(double) ? Unsafe.BitCast<T, double>(source[i]) : (float)Unsafe.BitCast<T, Half>(source[i]);
                if (!(v > int.MinValue - 1.0 && v < int.MaxValue + 1.0))
                    throw new ArgumentOutOfRangeException("yTrue", v, $"{loss}: yTrue holds {v} at flat position {i}, which is not a class index.");
                _rented[i] = (int)v;
            }
            Span = new ReadOnlyTensorSpan<int>(_rented.AsSpan(0, n), labels.Lengths, default);
        }

        public ReadOnlyTensorSpan<int> Span { get; }

        public void Dispose() => ArrayPool<int>.Shared.Return(_rented);
    }
}
