using System;
using DslLosses.Kernels;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// How a sample weight lines up with a per-sample loss (Keras's rank fix-up, then numpy broadcasting), and what the
/// refusal says. Expected indices are worked out by hand from the shapes.
/// </summary>
public class SampleWeightShapeTests
{
    private static WeightMap Bind(nint[] weight, nint[] loss)
    {
        var strides = new nint[weight.Length];
        nint stride = 1;
        for (int i = weight.Length - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= weight[i];
        }
        return WeightMap.Bind("SomeLoss", weight, strides, loss);
    }

    [Fact]
    public void A_weight_with_one_axis_fewer_gets_a_trailing_one()
    {
        // loss [4, 5], weight [4]: element (b, t) at flat index 5b + t takes weight b
        WeightMap map = Bind(new nint[] { 4 }, new nint[] { 4, 5 });
        for (nint i = 0; i < 20; i++)
            Assert.Equal(i / 5, map.Index(i));
    }

    [Fact]
    public void A_trailing_one_beyond_the_loss_rank_is_dropped()
    {
        WeightMap map = Bind(new nint[] { 6, 1 }, new nint[] { 6 });
        for (nint i = 0; i < 6; i++)
            Assert.Equal(i, map.Index(i));
    }

    [Fact]
    public void A_weight_two_axes_short_lines_up_with_the_last_axis_as_in_numpy()
    {
        // loss [4, 5, 4], weight [4]: no trailing 1 (Keras adds one only for one axis fewer); broadcasting pads on the
        // left to [1, 1, 4], so element (b, t, u) at 20b + 4t + u takes weight u
        WeightMap map = Bind(new nint[] { 4 }, new nint[] { 4, 5, 4 });
        for (nint i = 0; i < 80; i++)
            Assert.Equal(i % 4, map.Index(i));
    }

    [Fact]
    public void A_refused_weight_is_named_with_both_shapes_and_the_shapes_that_would_do()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Bind(new nint[] { 4 }, new nint[] { 4, 5, 6 }));
        Assert.Equal("sampleWeight", e.ParamName);
        Assert.Contains("SomeLoss", e.Message);
        Assert.Contains("shape [4]", e.Message);
        Assert.Contains("loss shape [4, 5, 6]", e.Message);
        Assert.Contains("pass a scalar, [4, 5, 6], [4, 5], [4, 5, 6, 1], or", e.Message);
    }

    [Fact]
    public void A_refused_weight_of_a_one_axis_loss_lists_the_loss_shape_and_its_trailing_one()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Bind(new nint[] { 3 }, new nint[] { 8 }));
        Assert.Contains("pass a scalar, [8], [8, 1], or", e.Message);
    }
}
