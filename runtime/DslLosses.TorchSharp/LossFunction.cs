using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace DslLosses;

/// <summary>
/// The autograd node of every bridged loss. Inputs: the kernels, yTrue, yPred, the sample weights (or null), when
/// the step is fused a tensor of yPred's shape for the gradient (or null), then the loss's extra tensors, as many as
/// <see cref="TorchLossKernels.ExtraNames"/> (none for most losses, so that their calls pass and allocate no more;
/// constants, no gradient); all checked and contiguous (<see cref="TorchSharpLosses"/>).
/// </summary>
/// <remarks>
/// Fused (a reduced loss whose prediction requires grad, with grad mode on): forward runs the fused loss+gradient
/// kernel, writes the gradient into the tensor it was given and saves it; backward runs no kernel, it returns that
/// gradient scaled by the upstream gradient (the saved tensor itself when the upstream gradient is 1). Otherwise
/// forward runs the loss (or per-sample) kernel and saves the inputs, and backward runs the gradient kernel.
/// </remarks>
internal sealed class LossFunction : autograd.SingleTensorFunction<LossFunction>
{
    private const string KernelsKey = "kernels";

    public override string Name => "DslLossesLoss";

    public override torch.Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var kernels = (TorchLossKernels)vars[0];
        var yTrue = (torch.Tensor)vars[1];
        var yPred = (torch.Tensor)vars[2];
        var weight = vars[3] as torch.Tensor;
        var fusedGradient = vars[4] as torch.Tensor;
        var extras = new Extras(Extra(vars, 5), Extra(vars, 6), Extra(vars, 7), Extra(vars, 8));
        torch.Tensor output = yPred.dtype == ScalarType.Float32
            ? Forward<float>(kernels, yTrue, yPred, weight, extras, fusedGradient)
            : Forward<double>(kernels, yTrue, yPred, weight, extras, fusedGradient);
        // two saved tensors mark a fused step for backward: the gradient, and yPred to connect a create_graph result
        ctx.save_for_backward(fusedGradient is not null ? [fusedGradient, yPred]
            : kernels.ExtraNames.Count == 0 ? [yTrue, yPred, weight!]
            : [yTrue, yPred, weight!, .. vars[5..].Cast<torch.Tensor>()]);
        ctx.save_data(KernelsKey, kernels);
        return output;
    }

    public override List<torch.Tensor> backward(autograd.AutogradContext ctx, torch.Tensor gradOutput)
    {
        // Runs inside libtorch's engine, called from native code: an exception here would end the process, so
        // nothing in this method throws on purpose (every input was checked in forward).
        var kernels = (TorchLossKernels)ctx.get_data(KernelsKey);
        List<torch.Tensor> saved = ctx.get_saved_variables();
        torch.Tensor yPred = saved[1];
        torch.Tensor gradient;
        if (saved.Count == 2)
        {
            gradient = yPred.dtype == ScalarType.Float32 ? Scaled<float>(saved[0], gradOutput) : Scaled<double>(saved[0], gradOutput);
            if (!ReferenceEquals(gradient, saved[0]))
                saved[0].Dispose();
            saved.RemoveAt(0);
        }
        else
        {
            torch.Tensor yTrue = saved[0];
            torch.Tensor? weight = saved[2];
            var extras = new Extras(Extra(saved, 3), Extra(saved, 4), Extra(saved, 5), Extra(saved, 6));
            gradient = empty_like(yPred);
            if (yPred.dtype == ScalarType.Float32)
                Backward<float>(kernels, yTrue, yPred, weight, extras, gradOutput, gradient);
            else
                Backward<double>(kernels, yTrue, yPred, weight, extras, gradOutput, gradient);
        }
        if (is_grad_enabled())
        {
            // create_graph: the first derivative is right, the kernels have no second one; FirstOrderOnly makes any
            // derivative taken through this gradient NaN (an exception cannot leave a backward callback)
            torch.Tensor guarded = FirstOrderOnly.apply(kernels, gradient, yPred);
            gradient.Dispose();
            gradient = guarded;
        }
        foreach (torch.Tensor t in saved)
            t?.Dispose();
        // one entry per input: only yPred gets a gradient (the extra tensors are constants)
        return kernels.ExtraNames.Count switch
        {
            0 => [null!, null!, gradient, null!, null!],
            1 => [null!, null!, gradient, null!, null!, null!],
            2 => [null!, null!, gradient, null!, null!, null!, null!],
            3 => [null!, null!, gradient, null!, null!, null!, null!, null!],
            _ => [null!, null!, gradient, null!, null!, null!, null!, null!, null!],
        };
    }

    /// <summary>
    /// The fused step's gradient times the upstream gradient (a 0-d tensor): the saved gradient itself when that is 1,
    /// else a new tensor, so that the saved one is never changed (a graph kept by <c>retain_graph</c> runs backward again).
    /// </summary>
    private static torch.Tensor Scaled<T>(torch.Tensor saved, torch.Tensor gradOutput)
        where T : unmanaged, INumber<T>
    {
        T scale = TensorViews.Storage<T>(gradOutput)[0];
        if (scale == T.One)
            return saved;
        torch.Tensor gradient = empty_like(saved);
        TensorPrimitives.Multiply(TensorViews.Storage<T>(saved), scale, TensorViews.Storage<T>(gradient));
        return gradient;
    }

    private static torch.Tensor Forward<T>(TorchLossKernels kernels, torch.Tensor yTrue, torch.Tensor yPred, torch.Tensor? weight, in Extras extras, torch.Tensor? fusedGradient)
        where T : unmanaged, INumber<T>
    {
        Span<nint> labelLengths = stackalloc nint[TensorViews.MaxRank];
        Span<nint> predLengths = stackalloc nint[TensorViews.MaxRank];
        Span<nint> weightLengths = stackalloc nint[TensorViews.MaxRank];
        Span<nint> extraLengths = stackalloc nint[4 * TensorViews.MaxRank];
        var labels = new ClassIndexLabels(kernels, yTrue);
        var inputs = Inputs<T>(kernels, yTrue, labels, yPred, TensorViews.Read<T>(weight, weightLengths), extras, labelLengths, predLengths, extraLengths);
        if (kernels.Reduction == Reduction.None)
        {
            Span<long> shape = stackalloc long[TensorViews.MaxRank];
            torch.Tensor perSample = empty(shape[..PerSampleShape(kernels, yPred, shape)], yPred.dtype);
            try
            {
                if (typeof(T) == typeof(float))
                    kernels.PerSample(As<T, float>(inputs), TensorViews.WriteFlat<float>(perSample));
                else
                    kernels.PerSample(As<T, double>(inputs), TensorViews.WriteFlat<double>(perSample));
            }
            catch
            {
                perSample.Dispose();
                throw;
            }
            return perSample;
        }
        T value;
        if (fusedGradient is not null)
        {
            value = typeof(T) == typeof(float)
                ? T.CreateTruncating(kernels.LossWithGradient(As<T, float>(inputs), TensorViews.WriteFlat<float>(fusedGradient)))
                : T.CreateTruncating(kernels.LossWithGradient(As<T, double>(inputs), TensorViews.WriteFlat<double>(fusedGradient)));
        }
        else
        {
            value = typeof(T) == typeof(float)
                ? T.CreateTruncating(kernels.Loss(As<T, float>(inputs)))
                : T.CreateTruncating(kernels.Loss(As<T, double>(inputs)));
        }
        torch.Tensor scalar = empty(ReadOnlySpan<long>.Empty, yPred.dtype);
        TensorViews.Storage<T>(scalar)[0] = value;
        return scalar;
    }

    private static void Backward<T>(TorchLossKernels kernels, torch.Tensor yTrue, torch.Tensor yPred, torch.Tensor? weight, in Extras extras, torch.Tensor gradOutput, torch.Tensor gradient)
        where T : unmanaged, INumber<T>
    {
        Span<nint> labelLengths = stackalloc nint[TensorViews.MaxRank];
        Span<nint> predLengths = stackalloc nint[TensorViews.MaxRank];
        Span<nint> weightLengths = stackalloc nint[TensorViews.MaxRank];
        Span<nint> extraLengths = stackalloc nint[4 * TensorViews.MaxRank];
        // labels that backward reads are int32 (Call converts others when the step is not fused)
        if (kernels.Reduction == Reduction.None)
        {
            // the gradient of Σ upstream·w·loss: the upstream gradient times the weights are the kernel's weights
            using torch.Tensor upstream = UpstreamWeights(gradOutput, weight);
            var inputs = Inputs<T>(kernels, yTrue, default, yPred, TensorViews.Read<T>(upstream, weightLengths), extras, labelLengths, predLengths, extraLengths);
            Gradient(kernels, inputs, gradient);
            return;
        }
        var weighted = Inputs<T>(kernels, yTrue, default, yPred, TensorViews.Read<T>(weight, weightLengths), extras, labelLengths, predLengths, extraLengths);
        Gradient(kernels, weighted, gradient);
        T scale = TensorViews.Storage<T>(gradOutput)[0];
        if (scale != T.One)
        {
            Span<T> g = TensorViews.Storage<T>(gradient);
            TensorPrimitives.Multiply(g, scale, g);
        }
    }

    private static void Gradient<T>(TorchLossKernels kernels, in TorchLossInputs<T> inputs, torch.Tensor gradient)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            kernels.Gradient(As<T, float>(inputs), TensorViews.WriteFlat<float>(gradient));
        else
            kernels.Gradient(As<T, double>(inputs), TensorViews.WriteFlat<double>(gradient));
    }

    private static TorchLossInputs<T> Inputs<T>(TorchLossKernels kernels, torch.Tensor yTrue, in ClassIndexLabels labels, torch.Tensor yPred, ReadOnlyTensorSpan<T> weight, in Extras extras,
        Span<nint> labelLengths, Span<nint> predLengths, Span<nint> extraLengths)
        where T : unmanaged
    {
        const int R = TensorViews.MaxRank;
        return new(
            kernels.ClassIndexLabels ? default : TensorViews.Read<T>(yTrue, labelLengths),
            !kernels.ClassIndexLabels ? default : labels.IsNarrowed ? labels.View(yTrue, labelLengths) : TensorViews.Read<int>(yTrue, labelLengths),
            TensorViews.Read<T>(yPred, predLengths), weight,
            TensorViews.Read<T>(extras.E0, extraLengths[..R]), TensorViews.Read<T>(extras.E1, extraLengths[R..(2 * R)]),
            TensorViews.Read<T>(extras.E2, extraLengths[(2 * R)..(3 * R)]), TensorViews.Read<T>(extras.E3, extraLengths[(3 * R)..]));
    }

    private static torch.Tensor? Extra(IReadOnlyList<object> items, int index) => index < items.Count ? (torch.Tensor?)items[index] : null;

    /// <summary>The extra tensors of one call (null where the loss has fewer), read-only constants.</summary>
    private readonly record struct Extras(torch.Tensor? E0, torch.Tensor? E1, torch.Tensor? E2, torch.Tensor? E3);

    private static ref readonly TorchLossInputs<TTo> As<TFrom, TTo>(in TorchLossInputs<TFrom> inputs)
        where TFrom : unmanaged
        where TTo : unmanaged
        => ref Unsafe.As<TorchLossInputs<TFrom>, TorchLossInputs<TTo>>(ref Unsafe.AsRef(in inputs));

    /// <summary>The per-sample losses' shape: the prediction's without the loss axis (with it when the loss has none).</summary>
    private static int PerSampleShape(TorchLossKernels kernels, torch.Tensor yPred, Span<long> shape)
    {
        int rank = (int)yPred.dim();
        int axis = -1;
        if (kernels.Axis is int declared)
        {
            axis = declared < 0 ? declared + rank : declared;
            if (axis < 0 || axis >= rank)
                throw new ArgumentOutOfRangeException("axis", declared, $"{kernels.Name}: axis {declared} is out of range for yPred of rank {rank}.");
        }
        int n = 0;
        for (int i = 0; i < rank; i++)
            if (i != axis)
                shape[n++] = yPred.size(i);
        return n;
    }

    /// <summary>
    /// The upstream gradient of the per-sample losses (contiguous) times the sample weights, broadcast as Keras does:
    /// weights of lower rank than the losses get trailing axes of 1, trailing axes of 1 beyond the losses' rank are dropped.
    /// </summary>
    private static torch.Tensor UpstreamWeights(torch.Tensor gradOutput, torch.Tensor? weight)
    {
        if (weight is null)
            return gradOutput.contiguous();
        int rank = (int)gradOutput.dim();
        Span<long> shape = stackalloc long[TensorViews.MaxRank + 1];
        int w = (int)weight.dim();
        for (int i = 0; i < Math.Min(w, rank); i++)
            shape[i] = weight.size(i);
        for (int i = w; i < rank; i++)
            shape[i] = 1;
        using torch.Tensor aligned = weight.numel() == 1 ? weight.reshape(1) : weight.reshape(shape[..rank].ToArray());
        using torch.Tensor product = gradOutput * aligned;
        return product.contiguous();
    }
}

/// <summary>
/// The gradient of a bridged loss when the backward pass builds a graph (<c>create_graph: true</c>): the same values,
/// connected to the prediction by a node whose own backward gives NaN, since the kernels have no second derivative. A
/// backward callback of TorchSharp 0.107 cannot throw (an exception there ends the process), so double backward is
/// reported by NaN gradients and a message on the standard error stream, once per process.
/// </summary>
internal sealed class FirstOrderOnly : autograd.SingleTensorFunction<FirstOrderOnly>
{
    private static int _reported;

    public override string Name => "DslLossesFirstOrderOnly";

    public override torch.Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        ctx.save_data("kernels", vars[0]);
        return ((torch.Tensor)vars[1]).clone();
    }

    public override List<torch.Tensor> backward(autograd.AutogradContext ctx, torch.Tensor gradOutput)
    {
        if (System.Threading.Interlocked.Exchange(ref _reported, 1) == 0)
            Console.Error.WriteLine($"DslLosses.TorchSharp: double backward through {((TorchLossKernels)ctx.get_data("kernels")).Name} is not supported (the kernels have no second derivative); its second derivatives are NaN.");
        return [null!, null!, full_like(gradOutput, double.NaN)];
    }
}
