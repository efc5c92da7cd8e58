using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using DslLosses.Testing;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DslLosses.TorchBridge.Tests;

/// <summary>No copies on the hot path: the kernels read the tensors' own storage, and a step allocates no managed memory of its own.</summary>
public class TorchStorageTests(ITestOutputHelper output)
{
    /// <summary>The bridge's kernels for a Keras loss, recording where the spans they are given point and which kernels ran.</summary>
    private sealed unsafe class Recording(TorchLossKernels inner)
        : TorchLossKernels(inner.Name, inner.Reduction, inner.Axis, inner.ClassIndexLabels)
    {
        public nint YTrue, YPred, Weight, GradientAddress;
        public int Losses, PerSamples, Gradients, Fused;

        private void Record(in TorchLossInputs<float> x)
        {
            YTrue = Address(x.YTrue);
            YPred = Address(x.YPred);
            Weight = Address(x.SampleWeight);
        }

        public override float Loss(in TorchLossInputs<float> x)
        {
            Record(x);
            Losses++;
            return inner.Loss(x);
        }

        public override double Loss(in TorchLossInputs<double> x) => throw new NotSupportedException();

        public override void PerSample(in TorchLossInputs<float> x, TensorSpan<float> destination)
        {
            Record(x);
            PerSamples++;
            inner.PerSample(x, destination);
        }

        public override void PerSample(in TorchLossInputs<double> x, TensorSpan<double> destination) => throw new NotSupportedException();

        public override void Gradient(in TorchLossInputs<float> x, TensorSpan<float> gradient)
        {
            Record(x);
            Gradients++;
            GradientAddress = (nint)Unsafe.AsPointer(ref gradient.GetPinnableReference());
            inner.Gradient(x, gradient);
        }

        public override void Gradient(in TorchLossInputs<double> x, TensorSpan<double> gradient) => throw new NotSupportedException();

        public override float LossWithGradient(in TorchLossInputs<float> x, TensorSpan<float> gradient)
        {
            Record(x);
            Fused++;
            GradientAddress = (nint)Unsafe.AsPointer(ref gradient.GetPinnableReference());
            return inner.LossWithGradient(x, gradient);
        }

        private static nint Address(ReadOnlyTensorSpan<float> span) => (nint)Unsafe.AsPointer(ref Unsafe.AsRef(in span.GetPinnableReference()));
    }

    private static unsafe nint Storage(torch.Tensor t) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    [Fact]
    public void A_training_step_reads_the_storage_once_in_forward_and_runs_no_kernel_in_backward()
    {
        var kernels = new Recording(new KerasLossKernels(new BinaryCrossentropy(fromLogits: true)));
        using var y = (rand(8, 5) > 0.5).to(ScalarType.Float32);
        using var logits = randn(8, 5).requires_grad_(true);
        using var w = rand(8);
        using var loss = kernels.Call(y, logits, w);
        Assert.Equal(Storage(y), kernels.YTrue);
        Assert.Equal(Storage(logits), kernels.YPred);
        Assert.Equal(Storage(w), kernels.Weight);
        Assert.NotEqual(0, kernels.GradientAddress);
        Assert.Equal((1, 0, 0), (kernels.Fused, kernels.Losses, kernels.Gradients));
        loss.backward();
        Assert.Equal((1, 0, 0), (kernels.Fused, kernels.Losses, kernels.Gradients));
        Assert.NotNull(logits.grad);
    }

    [Fact]
    public void Without_grad_forward_runs_the_loss_kernel_only()
    {
        var kernels = new Recording(new KerasLossKernels(new BinaryCrossentropy(fromLogits: true)));
        using var y = zeros(4, 5);
        using var logits = randn(4, 5).requires_grad_(true);
        using (var frozen = randn(4, 5))
        using (kernels.Call(y, frozen)) { }
        using (no_grad())
        using (kernels.Call(y, logits)) { }
        Assert.Equal((0, 2, 0), (kernels.Fused, kernels.Losses, kernels.Gradients));
    }

    [Fact]
    public void Per_sample_losses_read_the_storage_forward_and_backward()
    {
        var kernels = new Recording(new KerasLossKernels(new BinaryCrossentropy(fromLogits: true, reduction: Reduction.None)));
        using var y = (rand(8, 5) > 0.5).to(ScalarType.Float32);
        using var logits = randn(8, 5).requires_grad_(true);
        using var losses = kernels.Call(y, logits);
        Assert.Equal(Storage(y), kernels.YTrue);
        Assert.Equal(Storage(logits), kernels.YPred);
        kernels.YPred = 0;
        losses.sum().backward();
        Assert.Equal(Storage(logits), kernels.YPred);
        Assert.Equal((0, 1, 1), (kernels.Fused, kernels.PerSamples, kernels.Gradients));
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

    [Theory]
    [InlineData("bce")]
    [InlineData("sparse")]
    [InlineData("sparse-int64")]
    public void A_step_allocates_no_more_managed_memory_than_torchsharps_own_calls(string loss)
    {
        var bce = new BinaryCrossentropy(fromLogits: true);
        var scce = new SparseCategoricalCrossentropy(fromLogits: true);
        using var y = (rand(32, 10) > 0.5).to(ScalarType.Float32);
        using var classes64 = randint(0, 10, new long[] { 32 });
        using var classes = loss == "sparse-int64" ? classes64.alias() : classes64.to(ScalarType.Int32);
        using var w = rand(32);
        using var logits = randn(32, 10).requires_grad_(true);
        void Bridge()
        {
            using var value = loss == "bce" ? bce.Call(y, logits, w) : scce.Call(classes, logits, w);
            value.backward();
        }
        void Baseline() => KernelFreeStep.Run(bce, loss == "bce" ? y : classes, logits, w);
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
    internal static long Allocated(Action step)
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
