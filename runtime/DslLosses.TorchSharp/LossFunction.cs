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
        int n = kernels.ExtraNames.Count, d = kernels.DifferentiableExtraCount;
        var extras = Extras.Of(vars, 5, n);
        // a fused step of a loss differentiated by extra tensors too: their gradient tensors follow the extra tensors
        var extraGradients = fusedGradient is null ? default : Extras.Of(vars, 5 + n, d);
        torch.Tensor output = yPred.dtype == ScalarType.Float32
            ? Forward<float>(kernels, yTrue, yPred, weight, extras, fusedGradient, extraGradients)
            : Forward<double>(kernels, yTrue, yPred, weight, extras, fusedGradient, extraGradients);
        // fused (every reduced loss with grad): the gradients, yPred and the differentiable extra tensors (to connect a
        // create_graph result); else the inputs, which backward runs the gradient kernel on
        ctx.save_for_backward(fusedGradient is not null
            ? d == 0 ? [fusedGradient, yPred] : [fusedGradient, yPred, .. vars[(5 + n)..(5 + n + d)].Cast<torch.Tensor>(), .. vars[5..(5 + d)].Cast<torch.Tensor>()]
            : n == 0 ? [yTrue, yPred, weight!]
            : [yTrue, yPred, weight!, .. vars[5..(5 + n)].Cast<torch.Tensor>()]);
        ctx.save_data(KernelsKey, kernels);
        return output;
    }

    public override List<torch.Tensor> backward(autograd.AutogradContext ctx, torch.Tensor gradOutput)
    {
        // Runs inside libtorch's engine, called from native code: an exception here would end the process, so
        // nothing in this method throws on purpose (every input was checked in forward).
        var kernels = (TorchLossKernels)ctx.get_data(KernelsKey);
        List<torch.Tensor> saved = ctx.get_saved_variables();
        int n = kernels.ExtraNames.Count, d = kernels.DifferentiableExtraCount;
        torch.Tensor yPred = saved[1];
        torch.Tensor gradient;
        Extras extraGradients = default, differentiated = default;
        // a reduced loss runs fused whenever backward can be called (the prediction or a differentiable extra requires grad)
        if (kernels.Reduction != Reduction.None)
        {
            gradient = yPred.dtype == ScalarType.Float32 ? Scaled<float>(saved[0], gradOutput) : Scaled<double>(saved[0], gradOutput);
            if (!ReferenceEquals(gradient, saved[0]))
                saved[0].Dispose();
            saved[0] = null!;
            if (d > 0)
            {
                extraGradients = Extras.Of(saved, 2, d);
                differentiated = Extras.Of(saved, 2 + d, d);
                for (int i = 0; i < d; i++)
                {
                    torch.Tensor g = extraGradients[i]!;
                    torch.Tensor scaled = yPred.dtype == ScalarType.Float32 ? Scaled<float>(g, gradOutput) : Scaled<double>(g, gradOutput);
                    if (!ReferenceEquals(scaled, g))
                        g.Dispose();
                    saved[2 + i] = null!;
                    extraGradients = extraGradients.With(i, scaled);
                }
            }
        }
        else
        {
            torch.Tensor yTrue = saved[0];
            torch.Tensor? weight = saved[2];
            var extras = Extras.Of(saved, 3, n);
            differentiated = Extras.Of(saved, 3, d);
            for (int i = 0; i < d; i++)
                extraGradients = extraGradients.With(i, empty_like(extras[i]!));
            gradient = empty_like(yPred);
            if (yPred.dtype == ScalarType.Float32)
                Backward<float>(kernels, yTrue, yPred, weight, extras, extraGradients, gradOutput, gradient);
            else
                Backward<double>(kernels, yTrue, yPred, weight, extras, extraGradients, gradOutput, gradient);
        }
        if (is_grad_enabled())
        {
            // create_graph: the first derivative is right, the kernels have no second one; FirstOrderOnly makes any
            // derivative taken through this gradient NaN (an exception cannot leave a backward callback)
            torch.Tensor guarded = FirstOrderOnly.apply(kernels, gradient, yPred);
            gradient.Dispose();
            gradient = guarded;
            for (int i = 0; i < d; i++)
            {
                torch.Tensor g = extraGradients[i]!;
                extraGradients = extraGradients.With(i, FirstOrderOnly.apply(kernels, g, differentiated[i]!));
                g.Dispose();
            }
        }
        foreach (torch.Tensor t in saved)
            t?.Dispose();
        if (d > 0)
        {
            // one entry per input: yPred's gradient, the differentiable extra tensors', nulls for the rest (the
            // constant extra tensors, and in a fused step the gradient tensors forward was given)
            var gradients = new List<torch.Tensor>(5 + n + d) { null!, null!, gradient, null!, null! };
            for (int i = 0; i < n; i++)
                gradients.Add(i < d ? extraGradients[i]! : null!);
            if (kernels.Reduction != Reduction.None)
            {
                for (int i = 0; i < d; i++)
                    gradients.Add(null!);
            }
            return gradients;
        }
        // one entry per input: only yPred gets a gradient (the extra tensors are constants)
        return n switch
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

    private static torch.Tensor Forward<T>(TorchLossKernels kernels, torch.Tensor yTrue, torch.Tensor yPred, torch.Tensor? weight, in Extras extras, torch.Tensor? fusedGradient, in Extras extraGradients)
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
        if (fusedGradient is not null && kernels.DifferentiableExtraCount > 0)
        {
            value = typeof(T) == typeof(float)
                ? T.CreateTruncating(kernels.LossWithGradient(As<T, float>(inputs), TensorViews.WriteFlat<float>(fusedGradient), extraGradients.Write<float>()))
                : T.CreateTruncating(kernels.LossWithGradient(As<T, double>(inputs), TensorViews.WriteFlat<double>(fusedGradient), extraGradients.Write<double>()));
        }
        else if (fusedGradient is not null)
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

    private static void Backward<T>(TorchLossKernels kernels, torch.Tensor yTrue, torch.Tensor yPred, torch.Tensor? weight, in Extras extras, in Extras extraGradients, torch.Tensor gradOutput, torch.Tensor gradient)
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
            Gradient(kernels, inputs, gradient, extraGradients);
            return;
        }
        var weighted = Inputs<T>(kernels, yTrue, default, yPred, TensorViews.Read<T>(weight, weightLengths), extras, labelLengths, predLengths, extraLengths);
        Gradient(kernels, weighted, gradient, extraGradients);
        T scale = TensorViews.Storage<T>(gradOutput)[0];
        if (scale != T.One)
        {
            Span<T> g = TensorViews.Storage<T>(gradient);
            TensorPrimitives.Multiply(g, scale, g);
            for (int i = 0; i < kernels.DifferentiableExtraCount; i++)
            {
                Span<T> e = TensorViews.Storage<T>(extraGradients[i]!);
                TensorPrimitives.Multiply(e, scale, e);
            }
        }
    }

    private static void Gradient<T>(TorchLossKernels kernels, in TorchLossInputs<T> inputs, torch.Tensor gradient, in Extras extraGradients)
        where T : unmanaged
    {
        if (kernels.DifferentiableExtraCount > 0)
        {
            if (typeof(T) == typeof(float))
                kernels.Gradient(As<T, float>(inputs), TensorViews.WriteFlat<float>(gradient), extraGradients.Write<float>());
            else
                kernels.Gradient(As<T, double>(inputs), TensorViews.WriteFlat<double>(gradient), extraGradients.Write<double>());
        }
        else if (typeof(T) == typeof(float))
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

    /// <summary>Up to four tensors of one call: the extra tensors, or their gradients (null where the loss has fewer).</summary>
    private readonly record struct Extras(torch.Tensor? E0, torch.Tensor? E1, torch.Tensor? E2, torch.Tensor? E3)
    {
        /// <summary><paramref name="count"/> tensors from <paramref name="start"/> on.</summary>
        public static Extras Of(IReadOnlyList<object> items, int start, int count)
            => new(At(items, start, 0, count), At(items, start, 1, count), At(items, start, 2, count), At(items, start, 3, count));

        public torch.Tensor? this[int i] => i switch { 0 => E0, 1 => E1, 2 => E2, _ => E3 };

        public Extras With(int i, torch.Tensor tensor) => i switch
        {
            0 => this with { E0 = tensor },
            1 => this with { E1 = tensor },
            2 => this with { E2 = tensor },
            _ => this with { E3 = tensor },
        };

        /// <summary>Flat writable views (empty for null).</summary>
        public TorchExtraGradients<T> Write<T>()
            where T : unmanaged
            => new(View<T>(E0), View<T>(E1), View<T>(E2), View<T>(E3));

        private static TensorSpan<T> View<T>(torch.Tensor? t)
            where T : unmanaged
            => t is null ? default : TensorViews.WriteFlat<T>(t);

        private static torch.Tensor? At(IReadOnlyList<object> items, int start, int i, int count)
            => i < count && start + i < items.Count ? (torch.Tensor?)items[start + i] : null;
    }

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
