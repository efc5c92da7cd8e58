using System;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace DslLosses;

/// <summary>
/// DslLosses losses on TorchSharp tensors, inside TorchSharp's autograd: <c>loss.Call(yTrue, yPred)</c> returns a
/// tensor whose <c>backward()</c> runs the generated gradient kernel.
/// </summary>
/// <remarks>
/// <para>
/// The kernels run directly on the tensors' CPU storage. When the loss is reduced and the prediction requires grad
/// (with grad mode on), forward runs the fused loss+gradient kernel and keeps the gradient, a tensor of the
/// prediction's shape, until backward, which only scales it by the upstream gradient: a training step makes one kernel
/// call instead of two. Otherwise forward runs the loss kernel, and backward (per-sample losses) the gradient kernel.
/// Tensors must be on the CPU, <c>float32</c> or <c>float64</c> (labels and weights of the prediction's type). A
/// non-contiguous input is made contiguous once (TorchSharp's <c>contiguous()</c>, a copy the autograd graph tracks);
/// contiguous inputs are read in place. Class-index labels are read in place when they are <c>int32</c>; <c>int64</c>
/// ones (TorchSharp's default) are narrowed to <c>int32</c> per call into a buffer the calling thread reuses (into an
/// <c>int32</c> tensor for <see cref="Reduction.None"/> with grad, whose backward reads them), other types converted once.
/// </para>
/// <para>
/// Labels, sample weights and a formula's constant extra tensors are not differentiated and must not require grad. Double backward is not supported:
/// the kernels have no second derivative (see the README's TorchSharp section).
/// </para>
/// </remarks>
public static class TorchSharpLosses
{
    private static readonly ConditionalWeakTable<object, TorchLossKernels> Kernels = new();

    /// <summary>The loss on TorchSharp tensors, connected to autograd.</summary>
    /// <param name="loss">A built-in Keras loss (<see cref="BinaryCrossentropy"/>, <see cref="CategoricalCrossentropy"/>, <see cref="Poisson"/>, <see cref="KLDivergence"/>) with its options.</param>
    /// <param name="yTrue">Labels: the prediction's shape and dtype.</param>
    /// <param name="yPred">Predictions (probabilities or logits, as the loss was created): a CPU <c>float32</c> or <c>float64</c> tensor.</param>
    /// <param name="sampleWeight">Optional weights: a scalar, <c>[B]</c>, <c>[B, 1]</c> or the per-sample loss shape, of the prediction's dtype.</param>
    /// <returns>A 0-dimensional tensor (the loss reduced by the loss's reduction), or the per-sample losses for <see cref="Reduction.None"/>.</returns>
    /// <exception cref="ShapeMismatchException">The shapes do not fit; the message names both.</exception>
    /// <exception cref="ArgumentException">A tensor is not on the CPU, has an unsupported dtype, or is a label or weight that requires grad.</exception>
    public static torch.Tensor Call(this KerasLoss loss, torch.Tensor yTrue, torch.Tensor yPred, torch.Tensor? sampleWeight = null)
        => Call(Kernels.GetValue(loss ?? throw new ArgumentNullException(nameof(loss)), static l => new KerasLossKernels((KerasLoss)l)), yTrue, yPred, sampleWeight);

    /// <summary>The sparse categorical cross-entropy on TorchSharp tensors, connected to autograd.</summary>
    /// <param name="loss">The loss with its options (<c>fromLogits</c>, <c>ignoreClass</c>, reduction).</param>
    /// <param name="yTrue">Class indices: the prediction's shape without the class axis, or with a trailing 1; <c>int32</c> is read in place, <c>int64</c> narrowed per call into a reused buffer, other types converted once.</param>
    /// <param name="yPred">Probabilities or logits, classes along the last axis: a CPU <c>float32</c> or <c>float64</c> tensor.</param>
    /// <param name="sampleWeight">Optional weights, of the prediction's dtype.</param>
    /// <returns>A 0-dimensional tensor, or the per-sample losses for <see cref="Reduction.None"/>.</returns>
    /// <exception cref="ShapeMismatchException">The shapes do not fit; the message names both.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside <c>[0, C)</c> and not the ignored class.</exception>
    /// <exception cref="ArgumentException">A tensor is not on the CPU, has an unsupported dtype, or is a label or weight that requires grad.</exception>
    public static torch.Tensor Call(this SparseCategoricalCrossentropy loss, torch.Tensor yTrue, torch.Tensor yPred, torch.Tensor? sampleWeight = null)
        => Call(Kernels.GetValue(loss ?? throw new ArgumentNullException(nameof(loss)), static l => new SparseKernels((SparseCategoricalCrossentropy)l)), yTrue, yPred, sampleWeight);

    /// <summary>A loss given by its kernels (a <c>[Loss]</c> formula's, made by the generator) on TorchSharp tensors, connected to autograd.</summary>
    /// <param name="kernels">The loss's kernels and options.</param>
    /// <param name="yTrue">Labels: the prediction's shape and dtype, or class indices when <see cref="TorchLossKernels.ClassIndexLabels"/>.</param>
    /// <param name="yPred">Predictions: a CPU <c>float32</c> or <c>float64</c> tensor.</param>
    /// <param name="sampleWeight">Optional weights, of the prediction's dtype.</param>
    /// <returns>A 0-dimensional tensor, or the per-sample losses for <see cref="Reduction.None"/>.</returns>
    /// <exception cref="ShapeMismatchException">The shapes do not fit; the message names both.</exception>
    /// <exception cref="ArgumentException">A tensor is not on the CPU, has an unsupported dtype, or is a label or weight that requires grad.</exception>
    public static torch.Tensor Call(this TorchLossKernels kernels, torch.Tensor yTrue, torch.Tensor yPred, torch.Tensor? sampleWeight = null)
        => CallWithExtras(kernels, yTrue, yPred, sampleWeight, null, null, null, null);

    /// <summary>
    /// A loss that reads extra tensors besides labels and prediction (a per-class weight vector, row weights, another
    /// tensor...), given by its kernels, on TorchSharp tensors, connected to autograd. The extra tensors are constants
    /// to autograd (no gradient flows to them), checked like the labels and read in place.
    /// </summary>
    /// <param name="kernels">The loss's kernels and options; <see cref="TorchLossKernels.ExtraNames"/> names the extra tensors.</param>
    /// <param name="yTrue">Labels: the prediction's shape and dtype, or class indices when <see cref="TorchLossKernels.ClassIndexLabels"/>.</param>
    /// <param name="yPred">Predictions: a CPU <c>float32</c> or <c>float64</c> tensor.</param>
    /// <param name="sampleWeight">Optional weights, of the prediction's dtype.</param>
    /// <param name="extra0">The first extra tensor: on the CPU, of the prediction's dtype, not requiring grad unless the loss is differentiated by it (<see cref="TorchLossKernels.DifferentiableExtraCount"/>); its shape is checked by the kernels.</param>
    /// <param name="extra1">The second extra tensor, when the loss has one (else null).</param>
    /// <param name="extra2">The third extra tensor, when the loss has one (else null).</param>
    /// <param name="extra3">The fourth extra tensor, when the loss has one (else null).</param>
    /// <returns>A 0-dimensional tensor, or the per-sample losses for <see cref="Reduction.None"/>.</returns>
    /// <exception cref="ShapeMismatchException">The shapes do not fit; the message names both.</exception>
    /// <exception cref="ArgumentException">A tensor is not on the CPU, has an unsupported dtype, or is a label, weight or extra tensor that requires grad; or the number of extra tensors is not the loss's.</exception>
    public static torch.Tensor Call(this TorchLossKernels kernels, torch.Tensor yTrue, torch.Tensor yPred, torch.Tensor? sampleWeight,
        torch.Tensor extra0, torch.Tensor? extra1 = null, torch.Tensor? extra2 = null, torch.Tensor? extra3 = null)
    {
        ArgumentNullException.ThrowIfNull(extra0);
        return CallWithExtras(kernels, yTrue, yPred, sampleWeight, extra0, extra1, extra2, extra3);
    }

    private static torch.Tensor CallWithExtras(TorchLossKernels kernels, torch.Tensor yTrue, torch.Tensor yPred, torch.Tensor? sampleWeight,
        torch.Tensor? extra0, torch.Tensor? extra1, torch.Tensor? extra2, torch.Tensor? extra3)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        TensorViews.CheckPrediction(kernels.Name, yPred);
        TensorViews.CheckInput(kernels.Name, nameof(yTrue), yTrue, yPred.dtype, kernels.ClassIndexLabels);
        if (sampleWeight is not null)
            TensorViews.CheckInput(kernels.Name, nameof(sampleWeight), sampleWeight, yPred.dtype, classIndices: false);
        int given = extra0 is null ? 0 : extra1 is null ? 1 : extra2 is null ? 2 : extra3 is null ? 3 : 4;
        if (given != kernels.ExtraNames.Count || (given < 3 && (extra2 ?? extra3) is not null) || (given < 2 && extra1 is not null))
            throw new ArgumentException($"{kernels.Name}: the loss reads {kernels.ExtraNames.Count} extra tensor(s) ({string.Join(", ", kernels.ExtraNames)}), given {given}, in order and without gaps.", nameof(kernels));
        int differentiable = kernels.DifferentiableExtraCount;
        bool extraGrad = false;
        for (int i = 0; i < given; i++)
        {
            torch.Tensor extra = Extra(i, extra0, extra1, extra2, extra3)!;
            TensorViews.CheckInput(kernels.Name, kernels.ExtraNames[i], extra, yPred.dtype, classIndices: false, differentiable: i < differentiable);
            extraGrad |= i < differentiable && extra.requires_grad;
        }

        // A reduced loss whose prediction requires grad runs fused: forward computes the gradient too (into a tensor
        // made here) and backward only scales it. Class indices are read in place when int32; int64 ones are narrowed
        // in forward into a reused buffer when backward does not read them (fused, or no grad), else converted to an
        // int32 tensor once, as other types are.
        bool grad = (yPred.requires_grad || extraGrad) && is_grad_enabled();
        bool fused = grad && kernels.Reduction != Reduction.None;
        bool convert = kernels.ClassIndexLabels && yTrue.dtype != ScalarType.Int32 && !(yTrue.dtype == ScalarType.Int64 && (fused || !grad));
        torch.Tensor labels = convert ? yTrue.to(ScalarType.Int32) : yTrue;
        torch.Tensor contiguousLabels = Contiguous(labels);
        torch.Tensor prediction = Contiguous(yPred);
        torch.Tensor? weight = sampleWeight is null ? null : Contiguous(sampleWeight);
        torch.Tensor? e0 = Contiguous(extra0), e1 = Contiguous(extra1), e2 = Contiguous(extra2), e3 = Contiguous(extra3);
        torch.Tensor? gradient = fused ? empty_like(prediction) : null;
        // the gradients by the differentiable extra tensors, in a fused step
        torch.Tensor? g0 = fused && differentiable > 0 ? empty_like(e0!) : null, g1 = fused && differentiable > 1 ? empty_like(e1!) : null;
        torch.Tensor? g2 = fused && differentiable > 2 ? empty_like(e2!) : null, g3 = fused && differentiable > 3 ? empty_like(e3!) : null;
        try
        {
            if (differentiable > 0)
            {
                var vars = new object[5 + given + (fused ? differentiable : 0)];
                vars[0] = kernels;
                vars[1] = contiguousLabels;
                vars[2] = prediction;
                vars[3] = weight!;
                vars[4] = gradient!;
                for (int i = 0; i < given; i++)
                    vars[5 + i] = Extra(i, e0, e1, e2, e3)!;
                for (int i = 0; fused && i < differentiable; i++)
                    vars[5 + given + i] = Extra(i, g0, g1, g2, g3)!;
                return LossFunction.apply(vars);
            }
            // as many arguments as the loss has tensors: TorchSharp's apply allocates per argument
            return given switch
            {
                0 => LossFunction.apply(kernels, contiguousLabels, prediction, weight!, gradient!),
                1 => LossFunction.apply(kernels, contiguousLabels, prediction, weight!, gradient!, e0!),
                2 => LossFunction.apply(kernels, contiguousLabels, prediction, weight!, gradient!, e0!, e1!),
                3 => LossFunction.apply(kernels, contiguousLabels, prediction, weight!, gradient!, e0!, e1!, e2!),
                _ => LossFunction.apply(kernels, contiguousLabels, prediction, weight!, gradient!, e0!, e1!, e2!, e3!),
            };
        }
        finally
        {
            gradient?.Dispose();
            g0?.Dispose();
            g1?.Dispose();
            g2?.Dispose();
            g3?.Dispose();
            // the temporaries this call made; the autograd graph holds its own references to what it saved
            DisposeIfNew(contiguousLabels, labels);
            DisposeIfNew(labels, yTrue);
            DisposeIfNew(prediction, yPred);
            DisposeIfNew(weight, sampleWeight);
            DisposeIfNew(e0, extra0);
            DisposeIfNew(e1, extra1);
            DisposeIfNew(e2, extra2);
            DisposeIfNew(e3, extra3);
        }
    }

    private static torch.Tensor? Extra(int i, torch.Tensor? e0, torch.Tensor? e1, torch.Tensor? e2, torch.Tensor? e3)
        => i switch { 0 => e0, 1 => e1, 2 => e2, _ => e3 };

    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(tensor))]
    private static torch.Tensor? Contiguous(torch.Tensor? tensor) => tensor is null || tensor.is_contiguous() ? tensor : tensor.contiguous();

    private static void DisposeIfNew(torch.Tensor? tensor, torch.Tensor? original)
    {
        if (tensor is not null && !ReferenceEquals(tensor, original))
            tensor.Dispose();
    }
}
