using System;
using System.Linq;
using System.Numerics.Tensors;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// The API a Keras porter reaches for: scalar sample weights, one call returning what Keras returns, sparse labels of
/// every Keras type through the common base, generic entry points, rank-1 inputs.
/// </summary>
[Trait("Category", "Kernels")]
public class PorterApiTests
{
    private static readonly nint[] Shape = [2, 3];
    private static readonly double[] Y = [0, 1, 0.5, 2, -1, 0.25];
    private static readonly double[] P = [0.5, 0.5, 0.5, 1, 1, 1];

    private static ReadOnlyTensorSpan<double> D(double[] values, params nint[] shape) => new(values, shape, default);

    [Fact]
    public void A_scalar_sample_weight_scales_every_per_sample_loss()
    {
        // MSE rows by hand: (0.25 + 0.25 + 0) / 3 and (1 + 4 + 0.5625) / 3
        double row0 = 0.5 / 3, row1 = 5.5625 / 3;
        var sum = new MeanSquaredError(Reduction.Sum);
        Assert.Equal(0.5 * (row0 + row1), sum.Compute(D(Y, Shape), D(P, Shape), 0.5), 1e-15);
        Assert.Equal(0.5 * (row0 + row1) / 2, new MeanSquaredError().Compute(D(Y, Shape), D(P, Shape), 0.5), 1e-15);
        Assert.Equal([2 * row0, 2 * row1], new MeanSquaredError().ComputePerSample(D(Y, Shape), D(P, Shape), 2.0).ToArray());
        float f = new MeanSquaredError(Reduction.Sum).Compute(
            new ReadOnlyTensorSpan<float>(Y.Select(v => (float)v).ToArray(), Shape, default),
            new ReadOnlyTensorSpan<float>(P.Select(v => (float)v).ToArray(), Shape, default), 3f);
        Assert.Equal(3 * (row0 + row1), f, 1e-5);
    }

    [Fact]
    public void Call_returns_per_sample_losses_for_none_and_a_one_element_tensor_otherwise()
    {
        Tensor<double> none = new MeanAbsoluteError(Reduction.None).Call(D(Y, Shape), D(P, Shape));
        Assert.Equal([2], none.Lengths.ToArray());
        Assert.Equal([1.0 / 3, 3.75 / 3], none.ToArray()); // (0.5 + 0.5 + 0) / 3, (1 + 2 + 0.75) / 3

        Tensor<double> reduced = new MeanAbsoluteError(Reduction.Sum).Call(D(Y, Shape), D(P, Shape));
        Assert.Equal([1], reduced.Lengths.ToArray()); // Keras's scalar tensor: Tensor<T> has no rank 0
        Assert.Equal(1.0 / 3 + 3.75 / 3, reduced.Single(), 1e-15);

        Tensor<double> weighted = new MeanAbsoluteError(Reduction.None).Call(D(Y, Shape), D(P, Shape), D([2.0, 0.0], 2));
        Assert.Equal([2.0 / 3, 0.0], weighted.ToArray());
    }

    [Fact]
    public void Sparse_categorical_crossentropy_takes_int_long_and_float_labels_through_the_common_base()
    {
        double[] logits = [1, 2, 3, 0.5, -1, 2];
        int[] ints = [2, 0];
        long[] longs = [2, 0];
        double[] floats = [2.7, 0.2]; // truncated toward zero, as Keras casts
        var scce = new SparseCategoricalCrossentropy(fromLogits: true);
        KerasLoss held = scce;

        // by hand: log Σ exp(x) - x_label per row, then the mean
        double Row(int r, int k) => Math.Log(Enumerable.Range(0, 3).Sum(c => Math.Exp(logits[r * 3 + c]))) - logits[r * 3 + k];
        double expected = (Row(0, 2) + Row(1, 0)) / 2;

        Assert.Equal(expected, scce.Compute(new ReadOnlyTensorSpan<int>(ints), D(logits, Shape)), 1e-14);
        Assert.Equal(expected, scce.Compute(new ReadOnlyTensorSpan<long>(longs), D(logits, Shape)), 1e-14);
        Assert.Equal(expected, held.Compute(D(floats, 2), D(logits, Shape)), 1e-14);
        Assert.Equal(expected, held.Call(D(floats, 2), D(logits, Shape)).Single(), 1e-14);

        var fromInts = new double[6];
        var fromLongs = new double[6];
        var fromFloats = new double[6];
        scce.Gradient(new ReadOnlyTensorSpan<int>(ints), D(logits, Shape), new TensorSpan<double>(fromInts));
        scce.Gradient(new ReadOnlyTensorSpan<long>(longs), D(logits, Shape), new TensorSpan<double>(fromLongs));
        held.Gradient(D(floats, 2), D(logits, Shape), new TensorSpan<double>(fromFloats));
        Assert.Equal(fromInts, fromLongs);
        Assert.Equal(fromInts, fromFloats);

        var destination = new double[2];
        scce.Compute(new ReadOnlyTensorSpan<long>(longs), D(logits, Shape), new TensorSpan<double>(destination));
        Assert.Equal(Row(0, 2), destination[0], 1e-14);
        Assert.Equal(Row(1, 0), destination[1], 1e-14);
        Assert.Equal(destination, Losses.sparse_categorical_crossentropy(new ReadOnlyTensorSpan<long>(longs), D(logits, Shape), fromLogits: true).ToArray());
        Assert.Equal(destination, Losses.sparse_categorical_crossentropy(D(floats, 2), D(logits, Shape), fromLogits: true).ToArray());

        Assert.Throws<ArgumentOutOfRangeException>(() => scce.Compute(new ReadOnlyTensorSpan<long>([long.MaxValue, 0]), D(logits, Shape)));
    }

    [Fact]
    public void Generic_entry_points_serve_float_and_double_with_one_path()
    {
        static T[] PerSample<T>(KerasLoss loss, T[] y, T[] p)
            where T : unmanaged
            => loss.ComputePerSample(new ReadOnlyTensorSpan<T>(y, Shape, default), new ReadOnlyTensorSpan<T>(p, Shape, default)).ToArray();

        var huber = new Huber(0.5);
        double[] d = PerSample(huber, Y, P);
        float[] f = PerSample(huber, Y.Select(v => (float)v).ToArray(), P.Select(v => (float)v).ToArray());
        // by hand, delta 0.5: row 0 errors 0.5, -0.5, 0 -> (0.125 + 0.125 + 0) / 3; row 1 errors -1, 2, 0.75 -> (0.375 + 0.875 + 0.25) / 3
        Assert.Equal([0.25 / 3, 1.5 / 3], d);
        Assert.Equal(d.Select(v => (float)v), f.AsEnumerable(), (a, b) => Math.Abs(a - b) <= 1e-6f);

        var gradient = new double[6];
        double total = huber.ComputeWithGradient<double>(D(Y, Shape), D(P, Shape), new TensorSpan<double>(gradient));
        Assert.Equal((0.25 / 3 + 1.5 / 3) / 2, total, 1e-15);
        var again = new double[6];
        huber.Gradient<double>(D(Y, Shape), D(P, Shape), new TensorSpan<double>(again));
        Assert.Equal(gradient, again);
        // d/dp of 0.5 e² is e inside the delta, delta·sign(e) outside; divided by 3 (mean) and 2 (batch)
        double[] expected = [0.5 / 6, -0.5 / 6, 0, -0.5 / 6, 0.5 / 6, 0.5 / 6];
        for (int i = 0; i < 6; i++)
            Assert.Equal(expected[i], gradient[i], 1e-15);
    }

    [Fact]
    public void Rank_one_inputs_give_one_per_sample_loss()
    {
        double[] y = [0, 1, 2], p = [1, 1, 0];
        Tensor<double> perSample = new MeanSquaredError().ComputePerSample(D(y, 3), D(p, 3));
        Assert.Equal([1], perSample.Lengths.ToArray()); // Keras's scalar: Tensor<T> has no rank 0
        Assert.Equal(5.0 / 3, perSample.Single(), 1e-15);
        Assert.Equal(5.0 / 3, new MeanSquaredError().Compute(D(y, 3), D(p, 3)), 1e-15);
        Assert.Equal(5.0 / 3, Losses.mse(D(y, 3), D(p, 3)).Single(), 1e-15);
    }
}
