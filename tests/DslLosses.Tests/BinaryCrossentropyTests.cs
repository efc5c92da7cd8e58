using System;
using System.Numerics.Tensors;
using Xunit;

namespace DslLosses.Tests;

/// <summary>Options, errors and edge cases of the built-in BinaryCrossentropy beyond the oracle vectors.</summary>
[Trait("Category", "Kernels")]
public class BinaryCrossentropyTests
{
    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Label_smoothing_outside_unit_interval_is_refused_naming_the_value(double ls)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryCrossentropy(labelSmoothing: ls));
        Assert.Equal("labelSmoothing", ex.ParamName);
        Assert.Contains(ls.ToString(System.Globalization.CultureInfo.CurrentCulture), ex.Message);
    }

    [Fact]
    public void Rank_mismatch_that_keras_broadcasts_is_an_error_naming_both_shapes()
    {
        // tf_keras broadcasts y_true [B] against y_pred [B, 1] to [B, B] for arrays; DslLosses refuses.
        float[] yTrue = { 0, 1, 1 };
        float[,] yPred = { { 0.2f }, { 0.7f }, { 0.9f } };
        var ex = Assert.Throws<ShapeMismatchException>(() => new BinaryCrossentropy().Compute(yTrue, new ReadOnlyTensorSpan<float>(yPred)));
        Assert.Equal("binary_crossentropy", ex.LossName);
        Assert.Contains("yPred", ex.Message);
        Assert.Contains("[3, 1]", ex.Message);
    }

    [Fact]
    public void Different_shapes_name_both()
    {
        var ex = Assert.Throws<ShapeMismatchException>(() => new BinaryCrossentropy().Compute(new float[2, 3], new float[2, 4]));
        Assert.Contains("yTrue has shape [2, 3]", ex.Message);
        Assert.Contains("yPred has shape [2, 4]", ex.Message);
    }

    [Fact]
    public void Weights_that_do_not_broadcast_name_both_shapes()
    {
        var ex = Assert.Throws<ShapeMismatchException>(() => new BinaryCrossentropy().Compute(new float[2, 3], new float[2, 3], new float[] { 1, 2, 3 }));
        Assert.Contains("[3]", ex.Message);
        Assert.Contains("[2]", ex.Message);
    }

    [Fact]
    public void Destination_too_small_is_an_error()
    {
        var bce = new BinaryCrossentropy();
        float[] small = new float[1];
        var ex = Assert.Throws<ShapeMismatchException>(() =>
            bce.Compute(new ReadOnlyTensorSpan<float>(new float[2, 3]), new ReadOnlyTensorSpan<float>(new float[2, 3]), new TensorSpan<float>(small)));
        Assert.Contains("destination has shape [1]", ex.Message);
        Assert.Contains("[2]", ex.Message);
    }

    [Fact]
    public void Reduction_none_on_the_scalar_method_points_to_the_destination_overload()
    {
        var ex = Assert.Throws<ArgumentException>(() => new BinaryCrossentropy(reduction: Reduction.None).Compute(new float[1, 2], new float[1, 2]));
        Assert.Contains("destination", ex.Message);
    }

    [Fact]
    public void NaN_propagates_even_under_a_zero_label()
    {
        float[,] y = { { 0, 1 } };
        float[,] p = { { float.NaN, 0.5f } };
        Assert.True(float.IsNaN(new BinaryCrossentropy().Compute(y, p)));
        Assert.True(float.IsNaN(new BinaryCrossentropy(fromLogits: true).Compute(y, p)));
    }

    [Fact]
    public void Huge_logits_stay_finite()
    {
        float[,] y = { { 0, 1, 1, 0 } };
        float[,] x = { { 1e4f, -1e4f, 1e4f, -1e4f } };
        // per element: 1e4, 1e4, 0, 0 -> mean 5000
        Assert.Equal(5000f, new BinaryCrossentropy(fromLogits: true).Compute(y, x));
    }

    [Fact]
    public void Span_entry_points_allocate_nothing()
    {
        var bce = new BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1);
        float[] y = new float[64 * 10], p = new float[64 * 10], w = new float[64], dest = new float[64], elementwise = new float[64 * 10];
        nint[] shape = { 64, 10 };
        var yt = new ReadOnlyTensorSpan<float>(y, shape, default);
        var yp = new ReadOnlyTensorSpan<float>(p, shape, default);
        var sw = new ReadOnlyTensorSpan<float>(w);
        var d = new TensorSpan<float>(dest);
        bce.Compute(yt, yp, sw);
        bce.Compute(yt, yp, d, sw);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            bce.Compute(yt, yp, sw);
            bce.Compute(yt, yp, d, sw);
            Nn.sigmoid_cross_entropy_with_logits(yt, yp, new TensorSpan<float>(elementwise, shape, default));
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Half_inputs_compute_in_float_and_round_once()
    {
        Half[] y = { (Half)0f, (Half)1f, (Half)0f, (Half)0f };
        Half[] x = { (Half)(-18.6f), (Half)0.51f, (Half)2.94f, (Half)(-12.8f) };
        nint[] shape = { 2, 2 };
        Half loss = new BinaryCrossentropy(fromLogits: true).Compute(new ReadOnlyTensorSpan<Half>(y, shape, default), new ReadOnlyTensorSpan<Half>(x, shape, default));
        float reference = new BinaryCrossentropy(fromLogits: true).Compute(
            new ReadOnlyTensorSpan<float>(Array.ConvertAll(y, v => (float)v), shape, default),
            new ReadOnlyTensorSpan<float>(Array.ConvertAll(x, v => (float)v), shape, default));
        Assert.Equal((Half)reference, loss);
    }
}
