using System;
using TorchSharp;
using Xunit;
using static DslLosses.TorchBridge.Tests.Helpers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DslLosses.TorchBridge.Tests;

/// <summary>What the bridge refuses, and how it says so.</summary>
public class TorchErrorTests
{
    private static readonly BinaryCrossentropy Bce = new(fromLogits: true);

    [Fact]
    public void A_tensor_not_on_the_cpu_is_refused_by_name()
    {
        using var y = zeros(4, 3);
        using var p = empty(4, 3, device: META);
        var e = Assert.Throws<ArgumentException>(() => Bce.Call(y, p));
        Assert.Equal("yPred", e.ParamName);
        Assert.Contains("not on the CPU", e.Message);
        Assert.Contains("binary_crossentropy", e.Message);
    }

    [Theory]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void A_prediction_dtype_without_kernels_is_refused(ScalarType dtype)
    {
        using var y = zeros(4, 3, dtype: dtype);
        using var p = zeros(4, 3, dtype: dtype);
        var e = Assert.Throws<ArgumentException>(() => Bce.Call(y, p));
        Assert.Contains($"dtype {dtype}", e.Message);
        Assert.Contains("Float32 or Float64", e.Message);
    }

    [Fact]
    public void Labels_of_another_dtype_than_the_prediction_are_refused()
    {
        using var y = zeros(4, 3, dtype: ScalarType.Float32);
        using var p = zeros(4, 3, dtype: ScalarType.Float64);
        var e = Assert.Throws<ArgumentException>(() => Bce.Call(y, p));
        Assert.Equal("yTrue", e.ParamName);
        Assert.Contains("Float32 but yPred has dtype Float64", e.Message);
    }

    [Fact]
    public void Labels_or_weights_that_require_grad_are_refused()
    {
        using var y = zeros(4, 3).requires_grad_(true);
        using var p = zeros(4, 3).requires_grad_(true);
        var e = Assert.Throws<ArgumentException>(() => Bce.Call(y, p));
        Assert.Equal("yTrue", e.ParamName);
        Assert.Contains("requires grad", e.Message);
        using var labels = zeros(4, 3);
        using var w = ones(4).requires_grad_(true);
        e = Assert.Throws<ArgumentException>(() => Bce.Call(labels, p, w));
        Assert.Equal("sampleWeight", e.ParamName);
    }

    [Fact]
    public void A_shape_mismatch_names_the_loss_and_both_shapes()
    {
        using var y = zeros(4, 3);
        using var p = zeros(4, 2);
        var e = Assert.Throws<ShapeMismatchException>(() => new CategoricalCrossentropy(fromLogits: true).Call(y, p));
        Assert.Contains("[4, 3]", e.Message);
        Assert.Contains("[4, 2]", e.Message);
        Assert.Equal("categorical_crossentropy", e.LossName);
        using var perSample = zeros(4, 2);
        e = Assert.Throws<ShapeMismatchException>(() => new Poisson(reduction: Reduction.None).Call(y, perSample));
        Assert.Contains("[4, 3]", e.Message);
        Assert.Contains("[4, 2]", e.Message);
    }

    [Fact]
    public void An_out_of_range_class_index_is_refused()
    {
        using var labels = tensor(new long[] { 0, 5 });
        using var p = zeros(2, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SparseCategoricalCrossentropy(fromLogits: true).Call(labels, p));
    }

    [Theory]
    [InlineData(1L << 32, true)]        // would narrow to 0, a valid class
    [InlineData((1L << 32) + 2, false)] // would narrow to 2
    [InlineData(-(1L << 33), true)]
    public void An_int64_label_outside_the_int_range_is_refused_not_wrapped(long label, bool requiresGrad)
    {
        using var labels = tensor(new long[] { 0, 1, label, 2 });
        using var p = zeros(4, 3).requires_grad_(requiresGrad);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SparseCategoricalCrossentropy(fromLogits: true).Call(labels, p));
        Assert.Contains($"yTrue holds {label} at flat position 2", e.Message);
    }

    [Fact]
    public void Double_backward_keeps_the_first_derivative_and_makes_the_second_NaN()
    {
        manual_seed(7);
        using var y = (rand(5, 4, dtype: ScalarType.Float64) > 0.5).to(ScalarType.Float64);
        using var p = randn(5, 4, dtype: ScalarType.Float64).requires_grad_(true);
        using var loss = Bce.Call(y, p);
        var first = autograd.grad([loss], [p], create_graph: true);
        using var reference = p.detach().clone().requires_grad_(true);
        using (var expected = F.binary_cross_entropy_with_logits(reference, y))
            expected.backward();
        Close(reference.grad!, first[0], what: "first derivative");
        using var second = first[0].square().sum();
        second.backward();
        Assert.True(p.grad!.isnan().all().item<bool>(), "second derivatives through the bridged loss are NaN");
    }
}
