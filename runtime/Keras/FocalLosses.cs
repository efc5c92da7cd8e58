using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using DslLosses.Keras;

namespace DslLosses;

/// <summary>
/// Keras's <c>tf.keras.losses.BinaryFocalCrossentropy</c>, exact to tf_keras 2: labels smoothed towards 0.5;
/// <c>p_t = y s + (1 - y)(1 - s)</c> from the unclipped probabilities <c>s</c> (or <c>sigmoid(y_pred)</c> for logits);
/// <c>(1 - p_t)^gamma</c> times the elementwise binary cross-entropy (clipped with <c>+1e-7</c> in both logs, or the stable
/// sigmoid cross-entropy on logits); with class balancing also times <c>y alpha + (1 - y)(1 - alpha)</c>; the mean over
/// <see cref="Axis"/>. <c>gamma = 0</c> is exactly <see cref="BinaryCrossentropy"/>.
/// </summary>
public sealed class BinaryFocalCrossentropy : KerasLoss
{
    /// <summary>Creates the loss with Keras's options.</summary>
    /// <param name="applyClassBalancing">Whether to weigh class 1 by <paramref name="alpha"/> and class 0 by <c>1 - alpha</c>.</param>
    /// <param name="alpha">In [0, 1]; used only with <paramref name="applyClassBalancing"/>.</param>
    /// <param name="gamma">The focusing parameter, at least 0.</param>
    /// <param name="fromLogits">Whether <c>yPred</c> holds logits rather than probabilities.</param>
    /// <param name="labelSmoothing">In [0, 1]: labels become <c>y * (1 - ls) + 0.5 * ls</c>.</param>
    /// <param name="axis">The axis the per-sample mean is taken over (default the last).</param>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>binary_focal_crossentropy</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> or <paramref name="labelSmoothing"/> is outside [0, 1], or <paramref name="gamma"/> is negative (or any of them NaN).</exception>
    public BinaryFocalCrossentropy(bool applyClassBalancing = false, double alpha = 0.25, double gamma = 2.0, bool fromLogits = false,
        double labelSmoothing = 0.0, int axis = -1, Reduction reduction = Reduction.SumOverBatchSize, string name = "binary_focal_crossentropy")
        : base(reduction, name)
    {
        ApplyClassBalancing = applyClassBalancing;
        Alpha = KerasOptions.Alpha(alpha);
        Gamma = KerasOptions.Gamma(gamma);
        FromLogits = fromLogits;
        LabelSmoothing = KerasOptions.LabelSmoothing(labelSmoothing);
        Axis = axis;
    }

    /// <summary>Whether class 1 is weighed by <see cref="Alpha"/> and class 0 by <c>1 - alpha</c>.</summary>
    public bool ApplyClassBalancing { get; }

    /// <summary>The weight of class 1 under class balancing.</summary>
    public double Alpha { get; }

    /// <summary>The focusing parameter.</summary>
    public double Gamma { get; }

    /// <summary>Whether <c>yPred</c> holds logits.</summary>
    public bool FromLogits { get; }

    /// <summary>The label smoothing factor in [0, 1].</summary>
    public double LabelSmoothing { get; }

    /// <summary>The axis the per-sample mean is taken over.</summary>
    public int Axis { get; }

    private protected override T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
    {
        T g = Scalar<T>(Gamma), ls = Scalar<T>(LabelSmoothing), a = Scalar<T>(Alpha), b = Scalar<T>(1.0 - Alpha);
        return (FromLogits, ApplyClassBalancing) switch
        {
            (false, false) => KerasFormulas.BinaryFocalCrossentropyProbabilities(yTrue, yPred, g, ls, Reduction, sampleWeight, Axis),
            (false, true) => KerasFormulas.BinaryFocalCrossentropyProbabilitiesBalanced(yTrue, yPred, g, ls, a, b, Reduction, sampleWeight, Axis),
            (true, false) => KerasFormulas.BinaryFocalCrossentropyLogits(yTrue, yPred, g, ls, Reduction, sampleWeight, Axis),
            (true, true) => KerasFormulas.BinaryFocalCrossentropyLogitsBalanced(yTrue, yPred, g, ls, a, b, Reduction, sampleWeight, Axis),
        };
    }

    private protected override void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
    {
        T g = Scalar<T>(Gamma), ls = Scalar<T>(LabelSmoothing), a = Scalar<T>(Alpha), b = Scalar<T>(1.0 - Alpha);
        switch (FromLogits, ApplyClassBalancing)
        {
            case (false, false): KerasFormulas.BinaryFocalCrossentropyProbabilities(yTrue, yPred, g, ls, destination, sampleWeight, Axis); break;
            case (false, true): KerasFormulas.BinaryFocalCrossentropyProbabilitiesBalanced(yTrue, yPred, g, ls, a, b, destination, sampleWeight, Axis); break;
            case (true, false): KerasFormulas.BinaryFocalCrossentropyLogits(yTrue, yPred, g, ls, destination, sampleWeight, Axis); break;
            case (true, true): KerasFormulas.BinaryFocalCrossentropyLogitsBalanced(yTrue, yPred, g, ls, a, b, destination, sampleWeight, Axis); break;
        }
    }

    private protected override Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
    {
        T g = Scalar<T>(Gamma), ls = Scalar<T>(LabelSmoothing), a = Scalar<T>(Alpha), b = Scalar<T>(1.0 - Alpha);
        return (FromLogits, ApplyClassBalancing) switch
        {
            (false, false) => KerasFormulas.BinaryFocalCrossentropyProbabilitiesPerSample(yTrue, yPred, g, ls, sampleWeight, Axis),
            (false, true) => KerasFormulas.BinaryFocalCrossentropyProbabilitiesBalancedPerSample(yTrue, yPred, g, ls, a, b, sampleWeight, Axis),
            (true, false) => KerasFormulas.BinaryFocalCrossentropyLogitsPerSample(yTrue, yPred, g, ls, sampleWeight, Axis),
            (true, true) => KerasFormulas.BinaryFocalCrossentropyLogitsBalancedPerSample(yTrue, yPred, g, ls, a, b, sampleWeight, Axis),
        };
    }

    private protected override T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
    {
        T g = Scalar<T>(Gamma), ls = Scalar<T>(LabelSmoothing), a = Scalar<T>(Alpha), b = Scalar<T>(1.0 - Alpha);
        return (FromLogits, ApplyClassBalancing) switch
        {
            (false, false) => KerasFormulas.BinaryFocalCrossentropyProbabilitiesWithGradient(yTrue, yPred, g, ls, gradient, Reduction, sampleWeight, Axis),
            (false, true) => KerasFormulas.BinaryFocalCrossentropyProbabilitiesBalancedWithGradient(yTrue, yPred, g, ls, a, b, gradient, Reduction, sampleWeight, Axis),
            (true, false) => KerasFormulas.BinaryFocalCrossentropyLogitsWithGradient(yTrue, yPred, g, ls, gradient, Reduction, sampleWeight, Axis),
            (true, true) => KerasFormulas.BinaryFocalCrossentropyLogitsBalancedWithGradient(yTrue, yPred, g, ls, a, b, gradient, Reduction, sampleWeight, Axis),
        };
    }

    private protected override void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
    {
        T g = Scalar<T>(Gamma), ls = Scalar<T>(LabelSmoothing), a = Scalar<T>(Alpha), b = Scalar<T>(1.0 - Alpha);
        switch (FromLogits, ApplyClassBalancing)
        {
            case (false, false): KerasFormulas.BinaryFocalCrossentropyProbabilitiesGradient(yTrue, yPred, g, ls, gradient, Reduction, sampleWeight, Axis); break;
            case (false, true): KerasFormulas.BinaryFocalCrossentropyProbabilitiesBalancedGradient(yTrue, yPred, g, ls, a, b, gradient, Reduction, sampleWeight, Axis); break;
            case (true, false): KerasFormulas.BinaryFocalCrossentropyLogitsGradient(yTrue, yPred, g, ls, gradient, Reduction, sampleWeight, Axis); break;
            case (true, true): KerasFormulas.BinaryFocalCrossentropyLogitsBalancedGradient(yTrue, yPred, g, ls, a, b, gradient, Reduction, sampleWeight, Axis); break;
        }
    }
}

/// <summary>
/// Keras's <c>tf.keras.losses.CategoricalFocalCrossentropy</c>, exact to tf_keras 2: labels smoothed to
/// <c>y (1 - ls) + ls / C</c> with <c>C</c> the length of the <em>last</em> axis (also when <see cref="Axis"/> is another one,
/// as tf_keras); logits turned into probabilities by TensorFlow's softmax <c>exp(x - max) * (1 / sum exp)</c>; probabilities
/// divided by their sum along <see cref="Axis"/> and clipped to <c>[1e-7, 1 - 1e-7]</c>; then
/// <c>sum((1 - p)^gamma * alpha * (-y log p))</c> along <see cref="Axis"/>.
/// </summary>
/// <remarks>
/// <c>alpha</c> is one number or one weight per class, the classes counted along the last axis (Keras broadcasts the
/// list against the last axis). With a list, each call allocates one array of the size of <c>yPred</c> holding the
/// weights broadcast to its shape (the formula reads them as a tensor); a single alpha allocates nothing.
/// </remarks>
public sealed class CategoricalFocalCrossentropy : KerasLoss
{
    private readonly double[]? _classAlpha;

    /// <summary>Creates the loss with Keras's options and one <paramref name="alpha"/> for every class.</summary>
    /// <param name="alpha">The weight of every class, in [0, 1].</param>
    /// <param name="gamma">The focusing parameter, at least 0.</param>
    /// <param name="fromLogits">Whether <c>yPred</c> holds logits rather than probabilities.</param>
    /// <param name="labelSmoothing">In [0, 1]: labels become <c>y * (1 - ls) + ls / C</c>.</param>
    /// <param name="axis">The class axis (default the last).</param>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>categorical_focal_crossentropy</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> or <paramref name="labelSmoothing"/> is outside [0, 1], or <paramref name="gamma"/> is negative (or any of them NaN).</exception>
    public CategoricalFocalCrossentropy(double alpha = 0.25, double gamma = 2.0, bool fromLogits = false, double labelSmoothing = 0.0,
        int axis = -1, Reduction reduction = Reduction.SumOverBatchSize, string name = "categorical_focal_crossentropy")
        : base(reduction, name)
    {
        Alpha = [KerasOptions.Alpha(alpha)];
        Gamma = KerasOptions.Gamma(gamma);
        FromLogits = fromLogits;
        LabelSmoothing = KerasOptions.LabelSmoothing(labelSmoothing);
        Axis = axis;
    }

    /// <summary>Creates the loss with one weight per class (the classes counted along the last axis).</summary>
    /// <param name="alpha">The weight of each class, each in [0, 1]; its length must be the length of the last axis of the inputs.</param>
    /// <param name="gamma">The focusing parameter, at least 0.</param>
    /// <param name="fromLogits">Whether <c>yPred</c> holds logits rather than probabilities.</param>
    /// <param name="labelSmoothing">In [0, 1]: labels become <c>y * (1 - ls) + ls / C</c>.</param>
    /// <param name="axis">The class axis (default the last).</param>
    /// <param name="reduction">How per-sample losses are reduced; Keras's <c>auto</c> is <see cref="Reduction.SumOverBatchSize"/>.</param>
    /// <param name="name">The loss name (Keras's default <c>categorical_focal_crossentropy</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException">An alpha or <paramref name="labelSmoothing"/> is outside [0, 1], or <paramref name="gamma"/> is negative (or any of them NaN).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="alpha"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="alpha"/> is empty.</exception>
    public CategoricalFocalCrossentropy(IReadOnlyList<double> alpha, double gamma = 2.0, bool fromLogits = false, double labelSmoothing = 0.0,
        int axis = -1, Reduction reduction = Reduction.SumOverBatchSize, string name = "categorical_focal_crossentropy")
        : this(0.25, gamma, fromLogits, labelSmoothing, axis, reduction, name)
    {
        ArgumentNullException.ThrowIfNull(alpha);
        if (alpha.Count == 0)
            throw new ArgumentException("alpha needs one weight per class; it is empty.", nameof(alpha));
        _classAlpha = alpha.Select(KerasOptions.Alpha).ToArray();
        Alpha = _classAlpha;
    }

    /// <summary>The class weights: one value for every class, or one per class along the last axis.</summary>
    public IReadOnlyList<double> Alpha { get; }

    /// <summary>The focusing parameter.</summary>
    public double Gamma { get; }

    /// <summary>Whether <c>yPred</c> holds logits.</summary>
    public bool FromLogits { get; }

    /// <summary>The label smoothing factor in [0, 1].</summary>
    public double LabelSmoothing { get; }

    /// <summary>The class axis.</summary>
    public int Axis { get; }

    /// <summary>The scalar options in <typeparamref name="T"/>: <c>gamma</c>, <c>ls</c> and <c>ls / C</c> with C the last axis of <paramref name="yTrue"/>.</summary>
    private (T Gamma, T Ls, T PerClass) Options<T>(ReadOnlyTensorSpan<T> yTrue)
        where T : unmanaged
        => (Scalar<T>(Gamma), Scalar<T>(LabelSmoothing), Quotient<T>(LabelSmoothing, yTrue.Rank == 0 ? 1 : yTrue.Lengths[^1]));

    /// <summary>The class weights broadcast to the shape of <paramref name="yPred"/> (dense, row-major).</summary>
    private ReadOnlyTensorSpan<T> ClassAlpha<T>(ReadOnlyTensorSpan<T> yPred)
        where T : unmanaged
    {
        double[] alpha = _classAlpha!;
        nint classes = yPred.Rank == 0 ? 1 : yPred.Lengths[^1];
        if (classes != alpha.Length)
        {
            throw new ShapeMismatchException(Name,
                $"{Name}: alpha has {alpha.Length} class weights but the last axis of yPred [{string.Join(", ", yPred.Lengths.ToArray())}] has {classes} classes.",
                "alpha");
        }
        var values = new T[yPred.FlattenedLength];
        for (int i = 0; i < values.Length; i++)
            values[i] = Scalar<T>(alpha[i % alpha.Length]);
        return new ReadOnlyTensorSpan<T>(values, yPred.Lengths, default);
    }

    private protected override T Reduce<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
    {
        var (g, ls, c) = Options(yTrue);
        if (_classAlpha is null)
        {
            T a = Scalar<T>(Alpha[0]);
            return FromLogits
                ? KerasFormulas.CategoricalFocalCrossentropyLogits(yTrue, yPred, a, g, ls, c, Reduction, sampleWeight, Axis)
                : KerasFormulas.CategoricalFocalCrossentropyProbabilities(yTrue, yPred, a, g, ls, c, Reduction, sampleWeight, Axis);
        }
        ReadOnlyTensorSpan<T> w = ClassAlpha(yPred);
        return FromLogits
            ? KerasFormulas.CategoricalFocalCrossentropyLogitsClassAlpha(yTrue, yPred, w, g, ls, c, Reduction, sampleWeight, Axis)
            : KerasFormulas.CategoricalFocalCrossentropyProbabilitiesClassAlpha(yTrue, yPred, w, g, ls, c, Reduction, sampleWeight, Axis);
    }

    private protected override void PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight)
    {
        var (g, ls, c) = Options(yTrue);
        if (_classAlpha is null)
        {
            T a = Scalar<T>(Alpha[0]);
            if (FromLogits)
                KerasFormulas.CategoricalFocalCrossentropyLogits(yTrue, yPred, a, g, ls, c, destination, sampleWeight, Axis);
            else
                KerasFormulas.CategoricalFocalCrossentropyProbabilities(yTrue, yPred, a, g, ls, c, destination, sampleWeight, Axis);
            return;
        }
        ReadOnlyTensorSpan<T> w = ClassAlpha(yPred);
        if (FromLogits)
            KerasFormulas.CategoricalFocalCrossentropyLogitsClassAlpha(yTrue, yPred, w, g, ls, c, destination, sampleWeight, Axis);
        else
            KerasFormulas.CategoricalFocalCrossentropyProbabilitiesClassAlpha(yTrue, yPred, w, g, ls, c, destination, sampleWeight, Axis);
    }

    private protected override Tensor<T> PerSample<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
    {
        var (g, ls, c) = Options(yTrue);
        if (_classAlpha is null)
        {
            T a = Scalar<T>(Alpha[0]);
            return FromLogits
                ? KerasFormulas.CategoricalFocalCrossentropyLogitsPerSample(yTrue, yPred, a, g, ls, c, sampleWeight, Axis)
                : KerasFormulas.CategoricalFocalCrossentropyProbabilitiesPerSample(yTrue, yPred, a, g, ls, c, sampleWeight, Axis);
        }
        ReadOnlyTensorSpan<T> w = ClassAlpha(yPred);
        return FromLogits
            ? KerasFormulas.CategoricalFocalCrossentropyLogitsClassAlphaPerSample(yTrue, yPred, w, g, ls, c, sampleWeight, Axis)
            : KerasFormulas.CategoricalFocalCrossentropyProbabilitiesClassAlphaPerSample(yTrue, yPred, w, g, ls, c, sampleWeight, Axis);
    }

    private protected override T WithGradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
    {
        var (g, ls, c) = Options(yTrue);
        if (_classAlpha is null)
        {
            T a = Scalar<T>(Alpha[0]);
            return FromLogits
                ? KerasFormulas.CategoricalFocalCrossentropyLogitsWithGradient(yTrue, yPred, a, g, ls, c, gradient, Reduction, sampleWeight, Axis)
                : KerasFormulas.CategoricalFocalCrossentropyProbabilitiesWithGradient(yTrue, yPred, a, g, ls, c, gradient, Reduction, sampleWeight, Axis);
        }
        ReadOnlyTensorSpan<T> w = ClassAlpha(yPred);
        return FromLogits
            ? KerasFormulas.CategoricalFocalCrossentropyLogitsClassAlphaWithGradient(yTrue, yPred, w, g, ls, c, gradient, Reduction, sampleWeight, Axis)
            : KerasFormulas.CategoricalFocalCrossentropyProbabilitiesClassAlphaWithGradient(yTrue, yPred, w, g, ls, c, gradient, Reduction, sampleWeight, Axis);
    }

    private protected override void GradientCore<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, TensorSpan<T> gradient, ReadOnlyTensorSpan<T> sampleWeight)
    {
        var (g, ls, c) = Options(yTrue);
        if (_classAlpha is null)
        {
            T a = Scalar<T>(Alpha[0]);
            if (FromLogits)
                KerasFormulas.CategoricalFocalCrossentropyLogitsGradient(yTrue, yPred, a, g, ls, c, gradient, Reduction, sampleWeight, Axis);
            else
                KerasFormulas.CategoricalFocalCrossentropyProbabilitiesGradient(yTrue, yPred, a, g, ls, c, gradient, Reduction, sampleWeight, Axis);
            return;
        }
        ReadOnlyTensorSpan<T> w = ClassAlpha(yPred);
        if (FromLogits)
            KerasFormulas.CategoricalFocalCrossentropyLogitsClassAlphaGradient(yTrue, yPred, w, g, ls, c, gradient, Reduction, sampleWeight, Axis);
        else
            KerasFormulas.CategoricalFocalCrossentropyProbabilitiesClassAlphaGradient(yTrue, yPred, w, g, ls, c, gradient, Reduction, sampleWeight, Axis);
    }
}
