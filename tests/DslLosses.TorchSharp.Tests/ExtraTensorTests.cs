using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using Xunit;
using static DslLosses.TorchBridge.Tests.Helpers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DslLosses.TorchBridge.Tests;

/// <summary>
/// Formulas that read tensors besides labels and prediction (a per-class <c>posWeight</c>, a row weight): passed as
/// TorchSharp tensors, constants to autograd, checked like the labels and read in place.
/// </summary>
public class ExtraTensorTests
{
    [Fact]
    public void Bce_with_a_per_class_pos_weight_matches_binary_cross_entropy_with_logits()
    {
        var (layer, x) = Linear(21, batch: 12, inputs: 5, outputs: 4);
        using var y = (rand(12, 4, dtype: ScalarType.Float64) > 0.5).to(ScalarType.Float64);
        using var posWeight = tensor(new[] { 0.5, 1.0, 2.5, 4.0 });
        var ours = Gradients(layer, x, z => BridgeFormulas.PosWeightedBce(y, z, posWeight));
        var torchs = Gradients(layer, x, z => F.binary_cross_entropy_with_logits(z, y, null, nn.Reduction.Mean, posWeight));
        SameAsTorch(torchs, ours);
    }

    [Fact]
    public void A_row_weighted_squared_error_with_the_prediction_first_matches_torch_ops()
    {
        var (layer, x) = Linear(22, batch: 10, inputs: 3, outputs: 6);
        using var target = randn(10, 6, dtype: ScalarType.Float64);
        using var rowWeight = rand(10, dtype: ScalarType.Float64) * 3;
        var ours = Gradients(layer, x, z => BridgeFormulas.RowWeightedSe(z, target, rowWeight));
        var torchs = Gradients(layer, x, z => ((z - target).square().mean(new long[] { -1 }) * rowWeight).mean());
        SameAsTorch(torchs, ours);
    }

    [Fact]
    public void Class_index_labels_with_a_row_weight_match_cross_entropy_times_the_weight()
    {
        var (layer, x) = Linear(23, batch: 9, inputs: 3, outputs: 5);
        using var labels = tensor(new long[] { 1, 4, 0, 2, 3, 3, 0, 1, 4 });
        using var rowWeight = rand(9, dtype: ScalarType.Float64) + 0.5;
        var ours = Gradients(layer, x, z => BridgeFormulas.RowWeightedNll(z, labels, rowWeight));
        var torchs = Gradients(layer, x, z => (F.cross_entropy(z, labels, reduction: nn.Reduction.None) * rowWeight).mean());
        SameAsTorch(torchs, ours);
    }

    [Fact]
    public void Per_sample_losses_with_an_extra_tensor_take_the_upstream_gradient_in_backward()
    {
        // Reduction.None runs the gradient kernel in backward, which reads the saved extra tensor again
        using var y = (rand(6, 3, dtype: ScalarType.Float64) > 0.5).to(ScalarType.Float64);
        using var posWeight = tensor(new[] { 3.0, 0.25, 1.5 });
        using var logits = randn(6, 3, dtype: ScalarType.Float64).requires_grad_(true);
        using var reference = logits.detach().clone().requires_grad_(true);
        using var upstream = rand(6, dtype: ScalarType.Float64);
        using var losses = BridgeFormulas.PosWeightedBce(y, logits, posWeight, Reduction.None);
        using var expected = F.binary_cross_entropy_with_logits(reference, y, null, nn.Reduction.None, posWeight).mean(new long[] { -1 });
        Close(expected, losses, what: "per-sample losses");
        losses.backward([upstream]);
        expected.backward([upstream]);
        Close(reference.grad!, logits.grad!, what: "gradient");
    }

    [Fact]
    public void Float32_tensors_and_a_non_contiguous_extra_give_torchs_values()
    {
        using var y = (rand(8, 4) > 0.5).to(ScalarType.Float32);
        using var logits = randn(8, 4).requires_grad_(true);
        using var reference = logits.detach().clone().requires_grad_(true);
        // every other element of a longer vector: not contiguous, made contiguous once
        using var strided = tensor(new[] { 2f, -1f, 0.5f, -1f, 1f, -1f, 3f, -1f }).slice(0, 0, 8, 2);
        Assert.False(strided.is_contiguous());
        using var loss = BridgeFormulas.PosWeightedBce(y, logits, strided);
        using var expected = F.binary_cross_entropy_with_logits(reference, y, null, nn.Reduction.Mean, strided);
        Assert.Equal(expected.item<float>(), loss.item<float>(), 5e-6);
        loss.backward();
        expected.backward();
        Close(reference.grad!, logits.grad!, relative: 1e-5, what: "gradient");
    }

    [Fact]
    public void An_extra_tensor_that_requires_grad_is_refused_by_name()
    {
        using var y = zeros(4, 3);
        using var logits = zeros(4, 3).requires_grad_(true);
        using var posWeight = ones(3).requires_grad_(true);
        var e = Assert.Throws<ArgumentException>(() => BridgeFormulas.PosWeightedBce(y, logits, posWeight));
        Assert.Equal("posWeight", e.ParamName);
        Assert.Contains("PosWeightedBce: posWeight requires grad", e.Message);
    }

    [Fact]
    public void An_extra_tensor_of_another_dtype_or_device_is_refused_by_name()
    {
        using var y = zeros(4, 3, dtype: ScalarType.Float64);
        using var logits = zeros(4, 3, dtype: ScalarType.Float64);
        using var single = ones(3);
        var e = Assert.Throws<ArgumentException>(() => BridgeFormulas.PosWeightedBce(y, logits, single));
        Assert.Equal("posWeight", e.ParamName);
        Assert.Contains("posWeight has dtype Float32 but yPred has dtype Float64", e.Message);
        using var meta = empty(3, dtype: ScalarType.Float64, device: META);
        e = Assert.Throws<ArgumentException>(() => BridgeFormulas.PosWeightedBce(y, logits, meta));
        Assert.Equal("posWeight", e.ParamName);
        Assert.Contains("not on the CPU", e.Message);
    }

    [Fact]
    public void An_extra_tensor_of_the_wrong_shape_names_both_shapes()
    {
        using var y = zeros(4, 3);
        using var logits = zeros(4, 3);
        using var posWeight = ones(5);
        var e = Assert.Throws<ShapeMismatchException>(() => BridgeFormulas.PosWeightedBce(y, logits, posWeight));
        Assert.Equal("PosWeightedBce", e.LossName);
        Assert.Contains("posWeight", e.Message);
        Assert.Contains("[5]", e.Message);
        Assert.Contains("[4, 3]", e.Message);
        using var rowWeight = ones(3);
        e = Assert.Throws<ShapeMismatchException>(() => BridgeFormulas.RowWeightedSe(logits, y, rowWeight));
        Assert.Contains("rowWeight", e.Message);
        Assert.Contains("[3]", e.Message);
        Assert.Contains("[4, 3]", e.Message);
    }

    [Fact]
    public void Kernels_called_with_another_number_of_extra_tensors_are_refused()
    {
        var kernels = new Recording();
        using var y = zeros(4, 3, dtype: ScalarType.Float64);
        using var logits = zeros(4, 3, dtype: ScalarType.Float64);
        using var posWeight = ones(3, dtype: ScalarType.Float64);
        var e = Assert.Throws<ArgumentException>(() => kernels.Call(y, logits));
        Assert.Contains("reads 1 extra tensor(s) (posWeight), given 0", e.Message);
        e = Assert.Throws<ArgumentException>(() => kernels.Call(y, logits, null, posWeight, posWeight));
        Assert.Contains("given 2", e.Message);
        Assert.Equal(0, kernels.Calls);
    }

    [Fact]
    public void The_kernels_read_the_extra_tensor_in_place_in_forward_and_backward()
    {
        var kernels = new Recording(Reduction.None);
        using var y = (rand(5, 3, dtype: ScalarType.Float64) > 0.5).to(ScalarType.Float64);
        using var logits = randn(5, 3, dtype: ScalarType.Float64).requires_grad_(true);
        using var posWeight = tensor(new[] { 1.0, 2.0, 3.0 });
        using var losses = kernels.Call(y, logits, null, posWeight);
        Assert.Equal(Storage(posWeight), kernels.Extra);
        Assert.Equal(Storage(logits), kernels.Prediction);
        kernels.Extra = 0;
        losses.sum().backward();
        Assert.Equal(Storage(posWeight), kernels.Extra);
        Assert.Equal(2, kernels.Calls);
        Assert.Null(posWeight.grad);
    }

    [Fact]
    public void A_step_with_an_extra_tensor_allocates_no_more_than_torchsharps_own_calls()
    {
        var kernels = new Recording();
        using var y = (rand(32, 10, dtype: ScalarType.Float64) > 0.5).to(ScalarType.Float64);
        using var logits = randn(32, 10, dtype: ScalarType.Float64).requires_grad_(true);
        using var w = rand(32, dtype: ScalarType.Float64);
        using var posWeight = rand(10, dtype: ScalarType.Float64) + 0.5;
        void Bridge()
        {
            using var value = kernels.Call(y, logits, w, posWeight);
            value.backward();
        }
        void Baseline() => DslLosses.Testing.KernelFreeStep.Run(kernels, y, logits, w, posWeight);
        for (int i = 0; i < 5; i++)
        {
            Bridge();
            Baseline();
        }
        long bridge = TorchStorageTests.Allocated(Bridge), baseline = TorchStorageTests.Allocated(Baseline);
        Assert.True(kernels.Calls > 0);
        Assert.True(bridge <= baseline, $"the bridge allocated {bridge} bytes per step, TorchSharp's own calls {baseline}");
    }

    private static unsafe nint Storage(torch.Tensor t) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    /// <summary>The float64 kernels of <c>PosWeightedBce</c> (its span entry points), recording where the spans they are given point.</summary>
    private sealed unsafe class Recording(Reduction reduction = Reduction.SumOverBatchSize)
        : TorchLossKernels("PosWeightedBce", reduction, -1, classIndexLabels: false, extraNames: ["posWeight"])
    {
        public nint Extra, Prediction;
        public int Calls;

        private void Record(in TorchLossInputs<double> x)
        {
            Calls++;
            Extra = (nint)Unsafe.AsPointer(ref Unsafe.AsRef(in x.Extra0.GetPinnableReference()));
            Prediction = (nint)Unsafe.AsPointer(ref Unsafe.AsRef(in x.YPred.GetPinnableReference()));
        }

        public override float Loss(in TorchLossInputs<float> x) => throw new NotSupportedException();

        public override double Loss(in TorchLossInputs<double> x)
        {
            Record(x);
            return BridgeFormulas.PosWeightedBce(x.YTrue, x.YPred, x.Extra0, Reduction, x.SampleWeight);
        }

        public override void PerSample(in TorchLossInputs<float> x, TensorSpan<float> destination) => throw new NotSupportedException();

        public override void PerSample(in TorchLossInputs<double> x, TensorSpan<double> destination)
        {
            Record(x);
            BridgeFormulas.PosWeightedBce(x.YTrue, x.YPred, x.Extra0, destination, x.SampleWeight);
        }

        public override void Gradient(in TorchLossInputs<float> x, TensorSpan<float> gradient) => throw new NotSupportedException();

        public override void Gradient(in TorchLossInputs<double> x, TensorSpan<double> gradient)
        {
            Record(x);
            BridgeFormulas.PosWeightedBceGradient(x.YTrue, x.YPred, x.Extra0, gradient, Reduction, x.SampleWeight);
        }
    }
}
