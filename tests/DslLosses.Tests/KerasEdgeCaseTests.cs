using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using DslLosses.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace DslLosses.Tests;

/// <summary>The edge cases README lists, each worked by hand from tf_keras's operation order.</summary>
[Trait("Category", "Kernels")]
public class KerasEdgeCaseTests
{
    private readonly ITestOutputHelper _output;

    public KerasEdgeCaseTests(ITestOutputHelper output) => _output = output;

    private const float Eps = 1e-7f;

    [Fact]
    public void Cce_probability_zero_on_the_true_class_is_minus_log_eps()
    {
        float[,] y = { { 1, 0, 0 } };
        float[,] p = { { 0, 0.5f, 0.5f } };
        // renormalised (sum 1), clipped to eps: -log(eps32)
        Assert.Equal(-Math.Log(Eps), new CategoricalCrossentropy().Compute(y, p), 4);
    }

    [Fact]
    public void Cce_all_zero_row_is_nan_and_scce_all_zero_row_is_log_c()
    {
        float[,] zero = { { 0, 0, 0 } };
        Assert.True(float.IsNaN(new CategoricalCrossentropy().Compute(new float[,] { { 1, 0, 0 } }, zero)));
        Assert.Equal(Math.Log(3), new SparseCategoricalCrossentropy().Compute(new[] { 1 }, zero), 5);
    }

    [Fact]
    public void Probabilities_outside_unit_interval_are_clipped_as_keras_does()
    {
        // BCE: 1.5 is clipped to 1 - 2^-23 before the log; with label 1: -log(1 - 2^-23 + eps)
        float p = 1f - 1e-7f; // folds to 1 - 2^-23 in float, as TensorFlow's float32 constant
        double expected = -Math.Log((double)(p + Eps));
        Assert.Equal(expected, new BinaryCrossentropy().Compute(new float[,] { { 1 } }, new float[,] { { 1.5f } }), 6);
    }

    [Fact]
    public void Huge_logits_stay_finite_in_every_logits_path()
    {
        float[,] logits = { { 1e4f, -1e4f, 0 } };
        float cce = new CategoricalCrossentropy(fromLogits: true).Compute(new float[,] { { 0, 1, 0 } }, logits);
        float scce = new SparseCategoricalCrossentropy(fromLogits: true).Compute(new[] { 1 }, logits);
        Assert.Equal(2e4f, cce);
        Assert.Equal(2e4f, scce);
        Tensor<float> raw = Nn.softmax_cross_entropy_with_logits(new float[] { 1, 0, 0 }, new float[] { 1e4f, -1e4f, 0 });
        Assert.Equal(0f, raw[0]);
    }

    [Fact]
    public void NaN_propagates_through_every_loss()
    {
        float[,] y = { { 1, 0 } };
        float[,] p = { { float.NaN, 0.5f } };
        Assert.True(float.IsNaN(new CategoricalCrossentropy().Compute(y, p)));
        Assert.True(float.IsNaN(new CategoricalCrossentropy(fromLogits: true).Compute(y, p)));
        Assert.True(float.IsNaN(new SparseCategoricalCrossentropy().Compute(new[] { 1 }, p)));
        Assert.True(float.IsNaN(new SparseCategoricalCrossentropy(fromLogits: true).Compute(new[] { 1 }, p)));
        Assert.True(float.IsNaN(new Poisson().Compute(y, p)));
        Assert.True(float.IsNaN(new KLDivergence().Compute(y, p)));
    }

    [Fact]
    public void Empty_batch_reduces_to_zero_and_gives_an_empty_per_sample_tensor()
    {
        nint[] shape = { 0, 3 };
        var empty = new ReadOnlyTensorSpan<float>(Array.Empty<float>(), shape, default);
        foreach (KerasLoss loss in new KerasLoss[] { new BinaryCrossentropy(), new CategoricalCrossentropy(), new Poisson(), new KLDivergence() })
        {
            Assert.Equal(0f, loss.Compute(empty, empty));
            Assert.Equal(new nint[] { 0 }, loss.ComputePerSample(empty, empty).Lengths.ToArray());
        }
        var labels = new ReadOnlyTensorSpan<int>(Array.Empty<int>(), new nint[] { 0 }, default);
        Assert.Equal(0f, new SparseCategoricalCrossentropy().Compute(labels, empty));
    }

    [Fact]
    public void Every_label_ignored_gives_nan_for_the_mean_zero_for_the_sum_and_zeros_per_sample()
    {
        float[,] logits = { { 1, 2 }, { 3, 4 } };
        int[] ignored = { 5, 5 };
        Assert.True(float.IsNaN(new SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 5).Compute(ignored, logits)));
        Assert.Equal(0f, new SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 5, reduction: Reduction.Sum).Compute(ignored, logits));
        Tensor<float> none = new SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 5).ComputePerSample(ignored, new ReadOnlyTensorSpan<float>(logits));
        Assert.Equal(new float[] { 0, 0 }, none.ToArray());
    }

    [Fact]
    public void Out_of_range_label_is_an_error_naming_the_label()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new SparseCategoricalCrossentropy().Compute(new[] { 0, 3 }, new float[2, 3]));
        Assert.Contains("holds 3", ex.Message);
        Assert.Contains("[0, 3)", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SparseCategoricalCrossentropy().Compute(new[] { -1, 0 }, new float[2, 3]));
    }

    [Fact]
    public void Float_labels_truncate_toward_zero_like_keras()
    {
        float[,] logits = { { 1, 2, 3 }, { 3, 2, 1 } };
        float fromInts = new SparseCategoricalCrossentropy(fromLogits: true).Compute(new[] { 1, 2 }, new ReadOnlyTensorSpan<float>(logits));
        float fromFloats = new SparseCategoricalCrossentropy(fromLogits: true).Compute(new float[] { 1.9f, 2.2f }, new ReadOnlyTensorSpan<float>(logits));
        Assert.Equal(fromInts, fromFloats);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SparseCategoricalCrossentropy().Compute(new float[] { float.NaN, 0 }, new ReadOnlyTensorSpan<float>(logits)));
    }

    [Fact]
    public void Sparse_label_shape_mismatch_names_both_shapes()
    {
        var ex = Assert.Throws<ShapeMismatchException>(() => new SparseCategoricalCrossentropy().Compute(new[] { 0, 1, 2 }, new float[2, 3]));
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[3]", ex.Message);
        Assert.Equal("sparse_categorical_crossentropy", ex.LossName);
    }

    [Fact]
    public void Destination_too_small_is_refused_for_sparse_labels()
    {
        var ex = Assert.Throws<ShapeMismatchException>(() =>
            new SparseCategoricalCrossentropy().Compute(new[] { 0, 1 }, new ReadOnlyTensorSpan<float>(new float[2, 3]), new TensorSpan<float>(new float[1])));
        Assert.Contains("destination", ex.Message);
    }

    [Fact]
    public void Poisson_negative_prediction_is_nan_and_zero_prediction_is_finite()
    {
        Assert.True(float.IsNaN(new Poisson().Compute(new float[,] { { 1 } }, new float[,] { { -0.5f } })));
        // p = 0, y = 2: 0 - 2 log(1e-7)
        Assert.Equal(-2 * Math.Log(Eps), new Poisson().Compute(new float[,] { { 2 } }, new float[,] { { 0 } }), 4);
    }

    [Fact]
    public void Span_entry_points_of_every_loss_allocate_nothing()
    {
        float[] y = new float[32 * 10], p = new float[32 * 10], dest = new float[32];
        int[] labels = new int[32];
        float[] floatLabels = new float[32];
        nint[] shape = { 32, 10 };
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = 0.1f;
            y[i] = i % 10 == 3 ? 1 : 0;
        }
        var yt = new ReadOnlyTensorSpan<float>(y, shape, default);
        var yp = new ReadOnlyTensorSpan<float>(p, shape, default);
        var d = new TensorSpan<float>(dest);
        KerasLoss[] losses =
        {
            new BinaryCrossentropy(), new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1), new Poisson(), new KLDivergence(),
            new MeanSquaredError(), new MeanAbsoluteError(), new MeanAbsolutePercentageError(), new MeanSquaredLogarithmicError(),
            new CosineSimilarity(), new Huber(0.5), new LogCosh(), new Hinge(), new SquaredHinge(), new CategoricalHinge(),
            new BinaryFocalCrossentropy(applyClassBalancing: true), new BinaryFocalCrossentropy(fromLogits: true),
            new CategoricalFocalCrossentropy(labelSmoothing: 0.1), new CategoricalFocalCrossentropy(fromLogits: true),
        };
        var scce = new SparseCategoricalCrossentropy(ignoreClass: 0);

        static void Once(KerasLoss[] losses, SparseCategoricalCrossentropy scce, ReadOnlyTensorSpan<float> yt, ReadOnlyTensorSpan<float> yp, TensorSpan<float> d, int[] labels, float[] floatLabels)
        {
            foreach (KerasLoss loss in losses)
            {
                loss.Compute(yt, yp);
                loss.Compute(yt, yp, d);
                loss.Compute(yt, yp, 0.5f);
            }
            scce.Compute(labels, yp);
            scce.Compute(labels, yp, d);
            scce.Compute(floatLabels, yp);
        }

        // past tiered compilation's call counting; then the least of five rounds, so that a one-off allocation by the
        // runtime itself (a method promoted mid-round) is not charged to the calls: an allocation per call shows in all
        for (int i = 0; i < 100; i++)
            Once(losses, scce, yt, yp, d, labels, floatLabels);
        long least = long.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++)
                Once(losses, scce, yt, yp, d, labels, floatLabels);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, least);
    }

    /// <summary>The figures for the closing note and README: pass count per loss and the worst relative error.</summary>
    [Fact]
    public void Oracle_summary_per_loss()
    {
        var rows = new List<string>();
        foreach (IGrouping<string, OracleCase> group in Oracle.Cases.Value.GroupBy(c => c.Loss))
        {
            int passed = 0;
            double worst = 0;
            foreach (OracleCase c in group)
            {
                (double[] values, nint[] shape) = OracleTests.Run(c);
                OracleTests.AssertClose(c, values, shape);
                passed++;
                for (int i = 0; i < values.Length; i++)
                {
                    double e = c.Expected.Values[i];
                    if (c.Source().StartsWith("computed", StringComparison.Ordinal) && double.IsFinite(e) && e != 0)
                        worst = Math.Max(worst, Math.Abs(values[i] - e) / Math.Abs(e));
                }
            }
            rows.Add($"{group.Key}: {passed}/{group.Count()} pass, worst relative error on computed cases {worst:E2}");
        }
        foreach (string row in rows)
            _output.WriteLine(row);
        Assert.Equal(19, rows.Count);
    }

    [Theory]
    [InlineData(4)]   // scalar loop
    [InlineData(40)]  // vector loop and tail
    public void Confident_correct_logits_keep_their_relative_precision_in_float32(int n)
    {
        // TensorFlow computes (max(x, 0) - x z) + log1p(exp(-|x|)): for x = 12, z = 1 the first part is exactly 0 and
        // the loss, 6.1442e-6, keeps float precision; softplus(x) - x z would lose it to cancellation (7% off).
        var x = new float[n];
        var z = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = i % 2 == 0 ? 12f - i * 0.25f : -12f + i * 0.25f;
            z[i] = i % 2 == 0 ? 1f : 0f;
        }
        float[] raw = Nn.sigmoid_cross_entropy_with_logits(z, x).ToArray();
        float[] bce = new BinaryCrossentropy(fromLogits: true, axis: 0).ComputePerSample(
            new ReadOnlyTensorSpan<float>(z, new nint[] { n, 1 }, default), new ReadOnlyTensorSpan<float>(x, new nint[] { n, 1 }, default)).ToArray();
        for (int i = 0; i < n; i++)
        {
            double expected = Math.Log(1 + Math.Exp(-Math.Abs((double)x[i]))); // the first part is 0 for every element here
            Assert.True(Math.Abs(raw[i] - expected) <= 1e-6 * expected, $"sigmoid CE [{i}] x={x[i]}: {raw[i]:R}, float64 {expected:R}");
        }
        double mean = Enumerable.Range(0, n).Average(i => Math.Log(1 + Math.Exp(-Math.Abs((double)x[i]))));
        Assert.True(Math.Abs(bce[0] - mean) <= 1e-6 * mean, $"BCE over axis 0: {bce[0]:R}, float64 {mean:R}");
    }
}
