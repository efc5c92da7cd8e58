using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DslLosses.TorchBridge.Tests;

/// <summary>No copies on the hot path: the kernels read the tensors' own storage, and a step allocates no managed memory of its own.</summary>
public class TorchStorageTests(ITestOutputHelper output)
{
    /// <summary>The bridge's kernels for a Keras loss, recording where the spans they are given point.</summary>
    private sealed unsafe class Recording(TorchLossKernels inner)
        : TorchLossKernels(inner.Name, inner.Reduction, inner.Axis, inner.ClassIndexLabels)
    {
        public nint YTrue, YPred, Weight, GradientAddress;

        private void Record(in TorchLossInputs<float> x)
        {
            YTrue = Address(x.YTrue);
            YPred = Address(x.YPred);
            Weight = Address(x.SampleWeight);
        }

        public override float Loss(in TorchLossInputs<float> x)
        {
            Record(x);
            return inner.Loss(x);
        }

        public override double Loss(in TorchLossInputs<double> x) => throw new NotSupportedException();

        public override void PerSample(in TorchLossInputs<float> x, TensorSpan<float> destination) => throw new NotSupportedException();

        public override void PerSample(in TorchLossInputs<double> x, TensorSpan<double> destination) => throw new NotSupportedException();

        public override void Gradient(in TorchLossInputs<float> x, TensorSpan<float> gradient)
        {
            Record(x);
            GradientAddress = (nint)Unsafe.AsPointer(ref gradient.GetPinnableReference());
            inner.Gradient(x, gradient);
        }

        public override void Gradient(in TorchLossInputs<double> x, TensorSpan<double> gradient) => throw new NotSupportedException();

        private static nint Address(ReadOnlyTensorSpan<float> span) => (nint)Unsafe.AsPointer(ref Unsafe.AsRef(in span.GetPinnableReference()));
    }

    private static unsafe nint Storage(torch.Tensor t) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    [Fact]
    public void The_kernels_read_the_tensors_own_storage_forward_and_backward()
    {
        var kernels = new Recording(new KerasLossKernels(new BinaryCrossentropy(fromLogits: true)));
        using var y = (rand(8, 5) > 0.5).to(ScalarType.Float32);
        using var logits = randn(8, 5).requires_grad_(true);
        using var w = rand(8);
        using var loss = kernels.Call(y, logits, w);
        Assert.Equal(Storage(y), kernels.YTrue);
        Assert.Equal(Storage(logits), kernels.YPred);
        Assert.Equal(Storage(w), kernels.Weight);
        kernels.YPred = 0;
        loss.backward();
        Assert.Equal(Storage(logits), kernels.YPred);
        Assert.NotEqual(0, kernels.GradientAddress);
    }

    [Fact]
    public void A_view_with_an_offset_is_read_at_its_offset()
    {
        var kernels = new Recording(new KerasLossKernels(new BinaryCrossentropy(fromLogits: true)));
        using var y = zeros(4, 5);
        using var stored = randn(10, 5);
        using var rows = stored.narrow(0, 3, 4); // contiguous rows 3..6 of the same storage
        Assert.True(rows.is_contiguous());
        using var loss = kernels.Call(y, rows);
        Assert.Equal(Storage(stored) + 3 * 5 * sizeof(float), kernels.YPred);
    }

    [Fact]
    public void A_non_contiguous_prediction_is_copied_once_and_the_copy_is_read()
    {
        var kernels = new Recording(new KerasLossKernels(new BinaryCrossentropy(fromLogits: true)));
        using var y = zeros(5, 8);
        using var stored = randn(8, 5);
        using var logits = stored.t();
        using var loss = kernels.Call(y, logits);
        Assert.NotEqual(0, kernels.YPred);
        Assert.NotEqual(Storage(stored), kernels.YPred);
    }

    /// <summary>The same TorchSharp calls a bridged loss makes (apply, a 0-d result, saved tensors and data, empty_like in backward), without the kernels.</summary>
    private sealed class SameCallsWithoutKernels : autograd.SingleTensorFunction<SameCallsWithoutKernels>
    {
        public override string Name => "Baseline";

        public override torch.Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var p = (torch.Tensor)vars[2];
            ctx.save_for_backward([(torch.Tensor)vars[1], p, (vars[3] as torch.Tensor)!]);
            ctx.save_data("kernels", vars[0]);
            return empty(ReadOnlySpan<long>.Empty, p.dtype);
        }

        public override List<torch.Tensor> backward(autograd.AutogradContext ctx, torch.Tensor gradOutput)
        {
            _ = ctx.get_data("kernels");
            List<torch.Tensor> saved = ctx.get_saved_variables();
            torch.Tensor gradient = empty_like(saved[1]);
            foreach (torch.Tensor t in saved)
                t?.Dispose();
            return [null!, null!, gradient, null!];
        }
    }

    [Theory]
    [InlineData("bce")]
    [InlineData("sparse")]
    public void A_step_allocates_no_more_managed_memory_than_torchsharps_own_calls(string loss)
    {
        var bce = new BinaryCrossentropy(fromLogits: true);
        var scce = new SparseCategoricalCrossentropy(fromLogits: true);
        using var y = (rand(32, 10) > 0.5).to(ScalarType.Float32);
        using var classes = randint(0, 10, new long[] { 32 }, dtype: ScalarType.Int32);
        using var w = rand(32);
        using var logits = randn(32, 10).requires_grad_(true);
        void Bridge()
        {
            using var value = loss == "bce" ? bce.Call(y, logits, w) : scce.Call(classes, logits, w);
            value.backward();
        }
        void Baseline()
        {
            using var value = SameCallsWithoutKernels.apply(bce, loss == "bce" ? y : classes, logits, w);
            value.backward();
        }
        for (int i = 0; i < 5; i++)
        {
            Bridge();
            Baseline();
        }
        long bridge = Allocated(Bridge), baseline = Allocated(Baseline);
        output.WriteLine($"managed bytes per step: bridge {bridge}, TorchSharp's own calls {baseline}");
        Assert.True(bridge <= baseline, $"the bridge allocated {bridge} bytes per step, TorchSharp's own calls {baseline}");
    }

    /// <summary>The fewest managed bytes one step allocated over 50 steps (TorchSharp's static node list grows now and then).</summary>
    private static long Allocated(Action step)
    {
        long fewest = long.MaxValue;
        for (int i = 0; i < 50; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            step();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
