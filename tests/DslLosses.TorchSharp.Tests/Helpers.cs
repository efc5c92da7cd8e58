using System;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DslLosses.TorchBridge.Tests;

internal static class Helpers
{
    /// <summary>Every element of <paramref name="actual"/> within <paramref name="relative"/> of <paramref name="expected"/> (plus 1e-12 absolute for zeros).</summary>
    public static void Close(torch.Tensor expected, torch.Tensor actual, double relative = 1e-6, string what = "")
    {
        Assert.Equal(expected.shape, actual.shape);
        double[] e = expected.to(ScalarType.Float64).data<double>().ToArray();
        double[] a = actual.to(ScalarType.Float64).data<double>().ToArray();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= relative * Math.Abs(e[i]) + 1e-12,
                $"{what} element {i}: expected {e[i]:R}, got {a[i]:R} (relative {Math.Abs(e[i] - a[i]) / Math.Abs(e[i]):E2})");
    }

    /// <summary>Seeded uniform values in [lo, hi).</summary>
    public static torch.Tensor Uniform(long[] shape, double lo, double hi, ScalarType dtype = ScalarType.Float64, bool requiresGrad = false)
        => (rand(shape, dtype: dtype) * (hi - lo) + lo).detach().requires_grad_(requiresGrad);

    /// <summary>One-hot rows of the given class indices.</summary>
    public static torch.Tensor OneHot(torch.Tensor indices, long classes, ScalarType dtype = ScalarType.Float64)
        => nn.functional.one_hot(indices, classes).to(dtype);

    /// <summary>A linear layer in float64 with seeded weights, and a seeded input batch.</summary>
    public static (TorchSharp.Modules.Linear Layer, torch.Tensor X) Linear(int seed, long batch, long inputs, long outputs)
    {
        manual_seed(seed);
        var layer = nn.Linear(inputs, outputs, dtype: ScalarType.Float64);
        var x = randn(new[] { batch, inputs }, dtype: ScalarType.Float64);
        return (layer, x);
    }

    /// <summary>The layer's weight and bias gradients after <paramref name="loss"/> of its output is back-propagated, the gradients cleared before.</summary>
    public static (torch.Tensor Weight, torch.Tensor Bias, double Loss) Gradients(TorchSharp.Modules.Linear layer, torch.Tensor x, Func<torch.Tensor, torch.Tensor> loss)
    {
        layer.zero_grad();
        using var value = loss(layer.forward(x));
        value.backward();
        return (layer.weight!.grad!.clone(), layer.bias!.grad!.clone(), value.item<double>());
    }

    /// <summary>The same loss value (1e-12) and the same weight and bias gradients (1e-6 relative) as TorchSharp's.</summary>
    public static void SameAsTorch((torch.Tensor Weight, torch.Tensor Bias, double Loss) torchs, (torch.Tensor Weight, torch.Tensor Bias, double Loss) ours)
    {
        Assert.Equal(torchs.Loss, ours.Loss, 1e-12);
        Close(torchs.Weight, ours.Weight, what: "weight");
        Close(torchs.Bias, ours.Bias, what: "bias");
    }
}
