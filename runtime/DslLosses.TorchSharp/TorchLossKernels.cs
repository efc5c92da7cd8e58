using System;
using System.Collections.Generic;
using System.Numerics.Tensors;

namespace DslLosses;

/// <summary>
/// The kernels of one loss, as the TorchSharp bridge calls them: the reduced loss, the per-sample losses and the
/// gradient by the prediction, for <c>float</c> and <c>double</c>, on spans over the tensors' own CPU storage.
/// </summary>
/// <remarks>
/// The bridge makes one for each built-in Keras loss object; a <c>[Loss]</c> formula gets one from the generator
/// when its project references DslLosses.TorchSharp. <see cref="TorchSharpLosses.Call(TorchLossKernels, TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, TorchSharp.torch.Tensor?)"/>
/// checks the tensors, views their storage and calls these methods; they check the shapes (a
/// <see cref="ShapeMismatchException"/> names both) and allocate nothing.
/// </remarks>
public abstract class TorchLossKernels
{
    /// <summary>Creates the kernel set.</summary>
    /// <param name="name">The loss name used in error messages.</param>
    /// <param name="reduction">The reduction of the value <c>Call</c> returns (<see cref="Reduction.None"/>: per-sample losses).</param>
    /// <param name="axis">The axis the per-sample loss reduces (negative counts from the end), or null when the per-sample losses have the prediction's shape.</param>
    /// <param name="classIndexLabels">Whether the labels are class indices (the prediction's shape without <paramref name="axis"/>) rather than tensors of the prediction's shape and type.</param>
    protected TorchLossKernels(string name, Reduction reduction, int? axis, bool classIndexLabels)
        : this(name, reduction, axis, classIndexLabels, [])
    {
    }

    /// <summary>Creates the kernel set of a loss that reads constant tensors besides the labels and the prediction.</summary>
    /// <param name="name">The loss name used in error messages.</param>
    /// <param name="reduction">The reduction of the value <c>Call</c> returns (<see cref="Reduction.None"/>: per-sample losses).</param>
    /// <param name="axis">The axis the per-sample loss reduces (negative counts from the end), or null when the per-sample losses have the prediction's shape.</param>
    /// <param name="classIndexLabels">Whether the labels are class indices (the prediction's shape without <paramref name="axis"/>) rather than tensors of the prediction's shape and type.</param>
    /// <param name="extraNames">
    /// The names of the extra tensors (at most <see cref="MaxExtraTensors"/>), in the order <c>Call</c> takes them and
    /// <see cref="TorchLossInputs{T}.Extra0"/>... hold them; used in error messages. The array is kept, not copied.
    /// </param>
    /// <exception cref="ArgumentException">More than <see cref="MaxExtraTensors"/> names.</exception>
    protected TorchLossKernels(string name, Reduction reduction, int? axis, bool classIndexLabels, string[] extraNames)
        : this(name, reduction, axis, classIndexLabels, extraNames, differentiableExtras: 0)
    {
    }

    /// <summary>Creates the kernel set of a loss differentiated by extra tensors too (besides the prediction).</summary>
    /// <param name="name">The loss name used in error messages.</param>
    /// <param name="reduction">The reduction of the value <c>Call</c> returns (<see cref="Reduction.None"/>: per-sample losses).</param>
    /// <param name="axis">The axis the per-sample loss reduces (negative counts from the end), or null when the per-sample losses have the prediction's shape.</param>
    /// <param name="classIndexLabels">Whether the labels are class indices rather than tensors of the prediction's shape and type.</param>
    /// <param name="extraNames">The names of the extra tensors, the differentiable ones first (see the other constructor).</param>
    /// <param name="differentiableExtras">
    /// How many of the extra tensors, the first ones, the loss is differentiated by too: the bridge calls the overloads
    /// of <c>Gradient</c> and <c>LossWithGradient</c> that take a <see cref="TorchExtraGradients{T}"/>, which the kernels override.
    /// </param>
    /// <exception cref="ArgumentException">More than <see cref="MaxExtraTensors"/> names, or more differentiable ones than names.</exception>
    protected TorchLossKernels(string name, Reduction reduction, int? axis, bool classIndexLabels, string[] extraNames, int differentiableExtras)
    {
        ArgumentNullException.ThrowIfNull(extraNames);
        if (extraNames.Length > MaxExtraTensors)
            throw new ArgumentException($"{name}: {extraNames.Length} extra tensors; the bridge takes at most {MaxExtraTensors}.", nameof(extraNames));
        if (differentiableExtras < 0 || differentiableExtras > extraNames.Length)
            throw new ArgumentOutOfRangeException(nameof(differentiableExtras), differentiableExtras, $"{name}: {differentiableExtras} differentiable extra tensors of {extraNames.Length}.");
        Name = name;
        Reduction = reduction;
        Axis = axis;
        ClassIndexLabels = classIndexLabels;
        ExtraNames = extraNames;
        DifferentiableExtraCount = differentiableExtras;
    }

    /// <summary>
    /// How many of the extra tensors, the first <see cref="ExtraNames"/>, the loss is differentiated by besides the
    /// prediction (they may require grad, and get a gradient in backward); the others are constants to autograd.
    /// </summary>
    public int DifferentiableExtraCount { get; }

    /// <summary>The most extra tensors (besides labels, prediction and sample weights) a loss can read: <see cref="TorchLossInputs{T}.Extra0"/> to <see cref="TorchLossInputs{T}.Extra3"/>.</summary>
    public const int MaxExtraTensors = 4;

    /// <summary>
    /// The names of the extra tensors the loss reads (a per-class weight vector, row weights, another tensor of the
    /// prediction's shape...), of the prediction's dtype, passed to <c>Call</c> in this order: constants to autograd,
    /// except the first <see cref="DifferentiableExtraCount"/>. Empty for losses of labels and prediction only.
    /// </summary>
    public IReadOnlyList<string> ExtraNames { get; }

    /// <summary>The loss name used in error messages.</summary>
    public string Name { get; }

    /// <summary>The reduction of the value <c>Call</c> returns; <see cref="Reduction.None"/> returns the per-sample losses.</summary>
    public Reduction Reduction { get; }

    /// <summary>The axis the per-sample loss reduces (the per-sample losses have the prediction's shape without it), or null when they have the prediction's shape.</summary>
    public int? Axis { get; }

    /// <summary>Whether the labels are class indices (read as <c>int</c>) rather than tensors of the prediction's shape and type.</summary>
    public bool ClassIndexLabels { get; }

    /// <summary>The loss reduced by <see cref="Reduction"/> (never <see cref="Reduction.None"/> here).</summary>
    public abstract float Loss(in TorchLossInputs<float> inputs);

    /// <inheritdoc cref="Loss(in TorchLossInputs{float})"/>
    public abstract double Loss(in TorchLossInputs<double> inputs);

    /// <summary>The weighted per-sample losses into <paramref name="destination"/> (flat).</summary>
    public abstract void PerSample(in TorchLossInputs<float> inputs, TensorSpan<float> destination);

    /// <inheritdoc cref="PerSample(in TorchLossInputs{float}, TensorSpan{float})"/>
    public abstract void PerSample(in TorchLossInputs<double> inputs, TensorSpan<double> destination);

    /// <summary>
    /// The gradient by the prediction into <paramref name="gradient"/> (the prediction's shape): of the loss reduced by
    /// <see cref="Reduction"/>, or with <see cref="Reduction.None"/> of the sum of the per-sample losses weighted by the
    /// sample weights (the bridge passes the upstream gradient, times the sample weights, as those weights).
    /// </summary>
    public abstract void Gradient(in TorchLossInputs<float> inputs, TensorSpan<float> gradient);

    /// <inheritdoc cref="Gradient(in TorchLossInputs{float}, TensorSpan{float})"/>
    public abstract void Gradient(in TorchLossInputs<double> inputs, TensorSpan<double> gradient);

    /// <summary>
    /// The loss reduced by <see cref="Reduction"/> (never <see cref="Reduction.None"/> here) and its gradient by the
    /// prediction into <paramref name="gradient"/>, bit for bit what <see cref="Loss(in TorchLossInputs{float})"/> and
    /// <see cref="Gradient(in TorchLossInputs{float}, TensorSpan{float})"/> give. The bridge's forward calls it when the
    /// prediction requires grad, so that a training step makes one kernel call, not two; the generated kernels and the
    /// Keras losses override it with their fused entry point. The default calls the two methods.
    /// </summary>
    public virtual float LossWithGradient(in TorchLossInputs<float> inputs, TensorSpan<float> gradient)
    {
        Gradient(inputs, gradient);
        return Loss(inputs);
    }

    /// <inheritdoc cref="LossWithGradient(in TorchLossInputs{float}, TensorSpan{float})"/>
    public virtual double LossWithGradient(in TorchLossInputs<double> inputs, TensorSpan<double> gradient)
    {
        Gradient(inputs, gradient);
        return Loss(inputs);
    }

    /// <summary>
    /// The gradients by the prediction into <paramref name="gradient"/> and by the differentiable extra tensors into
    /// <paramref name="extraGradients"/> (each of its tensor's shape), as <see cref="Gradient(in TorchLossInputs{float}, TensorSpan{float})"/>
    /// describes. The bridge calls it when <see cref="DifferentiableExtraCount"/> is not 0; kernels of such a loss
    /// override it. The default takes no extra gradients and calls the other overload.
    /// </summary>
    /// <exception cref="NotSupportedException">The default, given extra gradients.</exception>
    public virtual void Gradient(in TorchLossInputs<float> inputs, TensorSpan<float> gradient, in TorchExtraGradients<float> extraGradients)
    {
        if (!extraGradients.IsEmpty)
            throw new NotSupportedException($"{Name}: these kernels compute no gradient by an extra tensor.");
        Gradient(inputs, gradient);
    }

    /// <inheritdoc cref="Gradient(in TorchLossInputs{float}, TensorSpan{float}, in TorchExtraGradients{float})"/>
    public virtual void Gradient(in TorchLossInputs<double> inputs, TensorSpan<double> gradient, in TorchExtraGradients<double> extraGradients)
    {
        if (!extraGradients.IsEmpty)
            throw new NotSupportedException($"{Name}: these kernels compute no gradient by an extra tensor.");
        Gradient(inputs, gradient);
    }

    /// <summary>
    /// The reduced loss and its gradients by the prediction and the differentiable extra tensors, in one call (see
    /// <see cref="LossWithGradient(in TorchLossInputs{float}, TensorSpan{float})"/>). The default takes no extra
    /// gradients and calls the other overload.
    /// </summary>
    /// <exception cref="NotSupportedException">The default, given extra gradients.</exception>
    public virtual float LossWithGradient(in TorchLossInputs<float> inputs, TensorSpan<float> gradient, in TorchExtraGradients<float> extraGradients)
    {
        if (!extraGradients.IsEmpty)
            throw new NotSupportedException($"{Name}: these kernels compute no gradient by an extra tensor.");
        return LossWithGradient(inputs, gradient);
    }

    /// <inheritdoc cref="LossWithGradient(in TorchLossInputs{float}, TensorSpan{float}, in TorchExtraGradients{float})"/>
    public virtual double LossWithGradient(in TorchLossInputs<double> inputs, TensorSpan<double> gradient, in TorchExtraGradients<double> extraGradients)
    {
        if (!extraGradients.IsEmpty)
            throw new NotSupportedException($"{Name}: these kernels compute no gradient by an extra tensor.");
        return LossWithGradient(inputs, gradient);
    }
}

/// <summary>
/// Where the gradients by a loss's differentiable extra tensors go (<see cref="TorchLossKernels.DifferentiableExtraCount"/>
/// of them, in the order of <see cref="TorchLossKernels.ExtraNames"/>), each flat with its tensor's elements; empty
/// spans for the others.
/// </summary>
/// <typeparam name="T">The prediction's element type, <c>float</c> or <c>double</c>.</typeparam>
public readonly ref struct TorchExtraGradients<T>
    where T : unmanaged
{
    /// <summary>Creates the destinations.</summary>
    public TorchExtraGradients(TensorSpan<T> g0, TensorSpan<T> g1 = default, TensorSpan<T> g2 = default, TensorSpan<T> g3 = default)
    {
        G0 = g0;
        G1 = g1;
        G2 = g2;
        G3 = g3;
    }

    /// <summary>The gradient by the first extra tensor.</summary>
    public TensorSpan<T> G0 { get; }

    /// <summary>The gradient by the second extra tensor, or empty.</summary>
    public TensorSpan<T> G1 { get; }

    /// <summary>The gradient by the third extra tensor, or empty.</summary>
    public TensorSpan<T> G2 { get; }

    /// <summary>The gradient by the fourth extra tensor, or empty.</summary>
    public TensorSpan<T> G3 { get; }

    /// <summary>Whether no destination is given.</summary>
    public bool IsEmpty => G0.IsEmpty && G1.IsEmpty && G2.IsEmpty && G3.IsEmpty;
}

/// <summary>The inputs of one loss call, as spans over the tensors' CPU storage.</summary>
/// <typeparam name="T">The prediction's element type, <c>float</c> or <c>double</c>.</typeparam>
public readonly ref struct TorchLossInputs<T>
    where T : unmanaged
{
    /// <summary>Creates the inputs.</summary>
    public TorchLossInputs(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<int> classIndices, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight)
    {
        YTrue = yTrue;
        ClassIndices = classIndices;
        YPred = yPred;
        SampleWeight = sampleWeight;
    }

    /// <summary>Creates the inputs of a loss that reads extra tensors (empty spans for the ones it does not have).</summary>
    public TorchLossInputs(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<int> classIndices, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight,
        ReadOnlyTensorSpan<T> extra0, ReadOnlyTensorSpan<T> extra1 = default, ReadOnlyTensorSpan<T> extra2 = default, ReadOnlyTensorSpan<T> extra3 = default)
        : this(yTrue, classIndices, yPred, sampleWeight)
    {
        Extra0 = extra0;
        Extra1 = extra1;
        Extra2 = extra2;
        Extra3 = extra3;
    }

    /// <summary>The labels, when they have the prediction's type (empty for class-index labels).</summary>
    public ReadOnlyTensorSpan<T> YTrue { get; }

    /// <summary>The labels, when they are class indices (empty otherwise).</summary>
    public ReadOnlyTensorSpan<int> ClassIndices { get; }

    /// <summary>The prediction, the input differentiated by.</summary>
    public ReadOnlyTensorSpan<T> YPred { get; }

    /// <summary>The sample weights, or empty.</summary>
    public ReadOnlyTensorSpan<T> SampleWeight { get; }

    /// <summary>The first extra tensor (<see cref="TorchLossKernels.ExtraNames"/>), with its own shape, or empty.</summary>
    public ReadOnlyTensorSpan<T> Extra0 { get; }

    /// <summary>The second extra tensor, or empty.</summary>
    public ReadOnlyTensorSpan<T> Extra1 { get; }

    /// <summary>The third extra tensor, or empty.</summary>
    public ReadOnlyTensorSpan<T> Extra2 { get; }

    /// <summary>The fourth extra tensor, or empty.</summary>
    public ReadOnlyTensorSpan<T> Extra3 { get; }
}
