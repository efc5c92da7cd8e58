using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace DslLosses.Testing;

/// <summary>
/// The TorchSharp calls a fused step of the DslLosses bridge makes, without the kernels: a custom autograd function
/// applied to five arguments (kernels, labels, prediction, weights, a gradient tensor made before), or six with a
/// formula's extra tensor, returning a 0-d tensor, saving two tensors and the kernels as data; backward returns the
/// saved gradient. What TorchSharp's
/// custom-function machinery costs (the allocation test compares the bridge's managed bytes with it, the benchmarks its time).
/// </summary>
public sealed class KernelFreeStep : autograd.SingleTensorFunction<KernelFreeStep>
{
    /// <inheritdoc/>
    public override string Name => "KernelFreeStep";

    /// <summary>One step: the gradient tensor, apply, backward.</summary>
    public static void Run(object kernels, torch.Tensor labels, torch.Tensor prediction, torch.Tensor? weight, torch.Tensor? extra = null)
    {
        using var gradient = empty_like(prediction);
        using var value = extra is null ? apply(kernels, labels, prediction, weight!, gradient) : apply(kernels, labels, prediction, weight!, gradient, extra);
        value.backward();
    }

    /// <inheritdoc/>
    public override torch.Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var p = (torch.Tensor)vars[2];
        ctx.save_for_backward([(torch.Tensor)vars[4], p]);
        ctx.save_data("kernels", vars[0]);
        return empty(ReadOnlySpan<long>.Empty, p.dtype);
    }

    /// <inheritdoc/>
    public override List<torch.Tensor> backward(autograd.AutogradContext ctx, torch.Tensor gradOutput)
    {
        // the bridge's kernels say how many extra tensors were passed (a Keras loss object: none)
        bool extra = ctx.get_data("kernels") is DslLosses.TorchLossKernels { ExtraNames.Count: > 0 };
        List<torch.Tensor> saved = ctx.get_saved_variables();
        torch.Tensor gradient = saved[0];
        saved.RemoveAt(0);
        foreach (torch.Tensor t in saved)
            t?.Dispose();
        return extra ? [null!, null!, gradient, null!, null!, null!] : [null!, null!, gradient, null!, null!];
    }
}
