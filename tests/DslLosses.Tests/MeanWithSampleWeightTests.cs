using System;
using System.Linq;
using System.Numerics.Tensors;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// <see cref="Reduction.MeanWithSampleWeight"/> (Keras 3's <c>mean_with_sample_weight</c>): the weighted sum over the
/// sum of the weights as given, or without weights the mean over the loss elements. References are float64 loops here.
/// </summary>
[Trait("Category", "Kernels")]
public class MeanWithSampleWeightTests
{
    private const int B = 4, C = 3;
    private static readonly nint[] Shape = { B, C };
    private static readonly double[] YTrue = { 0.1, 0.9, 0.4, 0.7, 0.2, 0.5, 0.0, 1.0, 0.3, 0.6, 0.8, 0.05 };
    private static readonly double[] YPred = { 0.3, 0.6, 0.45, 0.9, 0.1, 0.35, 0.2, 0.75, 0.5, 0.4, 0.95, 0.15 };
    private static readonly double[] RowWeights = { 0.5, 2.0, 1.0, 0.25 };

    private static ReadOnlyTensorSpan<double> T(double[] v, nint[] shape) => new(v, shape, default);

    private static ReadOnlyTensorSpan<double> W(double[]? w) => w is null ? default : new ReadOnlyTensorSpan<double>(w);

    /// <summary>Σ w_i l_i / Σ w (divide_no_nan), the weights of the rows as given.</summary>
    private static double Reference(double[] perSample, double[]? rowWeights)
    {
        if (rowWeights is null)
            return perSample.Length == 0 ? 0.0 : perSample.Sum() / perSample.Length;
        double total = 0, divisor = rowWeights.Sum();
        int repeat = perSample.Length / rowWeights.Length;
        for (int i = 0; i < perSample.Length; i++)
            total += rowWeights[i / repeat] * perSample[i];
        return divisor == 0 ? 0.0 : total / divisor;
    }

    private static double[] MsePerSample()
        => Enumerable.Range(0, B).Select(b => Enumerable.Range(0, C).Select(c => Math.Pow(YTrue[b * C + c] - YPred[b * C + c], 2)).Sum() / C).ToArray();

    private static double[] BcePerSample()
    {
        const double eps = 1e-7;
        return Enumerable.Range(0, B).Select(b => Enumerable.Range(0, C).Select(c =>
        {
            double y = YTrue[b * C + c], p = Math.Clamp(YPred[b * C + c], eps, 1 - eps);
            return -(y * Math.Log(p + eps) + (1 - y) * Math.Log(1 - p + eps));
        }).Sum() / C).ToArray();
    }

    private static void Close(double expected, double actual, double tolerance = 1e-12)
        => Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void Built_in_losses_divide_by_the_sum_of_the_row_weights()
    {
        var mse = new MeanSquaredError(Reduction.MeanWithSampleWeight);
        var bce = new BinaryCrossentropy(reduction: Reduction.MeanWithSampleWeight);
        Close(Reference(MsePerSample(), RowWeights), mse.Compute(T(YTrue, Shape), T(YPred, Shape), W(RowWeights)));
        Close(Reference(BcePerSample(), RowWeights), bce.Compute(T(YTrue, Shape), T(YPred, Shape), W(RowWeights)), 1e-6);
        // float: the same value within float rounding
        float got = mse.Compute(new ReadOnlyTensorSpan<float>(Array.ConvertAll(YTrue, v => (float)v), Shape, default), new ReadOnlyTensorSpan<float>(Array.ConvertAll(YPred, v => (float)v), Shape, default), new ReadOnlyTensorSpan<float>(Array.ConvertAll(RowWeights, v => (float)v)));
        Close(Reference(MsePerSample(), RowWeights), got, 1e-6);
        // not SumOverBatchSize: that divides by B
        double sobs = new MeanSquaredError(Reduction.SumOverBatchSize).Compute(T(YTrue, Shape), T(YPred, Shape), W(RowWeights));
        Close(Reference(MsePerSample(), RowWeights) * RowWeights.Sum() / B, sobs);
    }

    [Fact]
    public void Without_weights_it_is_sum_over_batch_size()
    {
        foreach (KerasLoss loss in new KerasLoss[] { new MeanSquaredError(Reduction.MeanWithSampleWeight), new BinaryCrossentropy(reduction: Reduction.MeanWithSampleWeight) })
        {
            KerasLoss sobs = loss is MeanSquaredError ? new MeanSquaredError() : new BinaryCrossentropy();
            double value = loss.Compute(T(YTrue, Shape), T(YPred, Shape));
            Close(Reference(loss is MeanSquaredError ? MsePerSample() : BcePerSample(), null), value, 1e-6);
            Assert.Equal(sobs.Compute(T(YTrue, Shape), T(YPred, Shape)), value);
        }
    }

    [Fact]
    public void A_scalar_weight_counts_once()
    {
        // Keras 3: Σ (2.5 l_i) / 2.5 = Σ l_i, whatever the batch size
        var mse = new MeanSquaredError(Reduction.MeanWithSampleWeight);
        Close(MsePerSample().Sum(), mse.Compute(T(YTrue, Shape), T(YPred, Shape), 2.5));
        Close(MsePerSample().Sum(), mse.Compute(T(YTrue, Shape), T(YPred, Shape), new ReadOnlyTensorSpan<double>(new[] { 2.5 })));
    }

    [Fact]
    public void Weights_summing_to_zero_give_zero()
    {
        var mse = new MeanSquaredError(Reduction.MeanWithSampleWeight);
        Assert.Equal(0.0, mse.Compute(T(YTrue, Shape), T(YPred, Shape), W(new[] { 1.0, -1.0, 0.0, 0.0 })));
        Assert.Equal(0.0, mse.Compute(T(YTrue, Shape), T(YPred, Shape), W(new double[B])));
        Assert.Equal(0.0, mse.Compute(T(YTrue, Shape), T(YPred, Shape), 0.0));
        var g = new double[B * C];
        Array.Fill(g, double.NaN);
        mse.Gradient(T(YTrue, Shape), T(YPred, Shape), new TensorSpan<double>(g), W(new double[B]));
        Assert.All(g, v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Elementwise_formula_weights_as_given_not_broadcast()
    {
        // SquaredError keeps the [B, C] shape: a [B] weight repeats C times in the sum but counts once in the divisor
        double[] perElement = YTrue.Zip(YPred, (a, b) => (a - b) * (a - b)).ToArray();
        double RowWeighted(double[] w) => Reference(perElement, w);
        Close(RowWeighted(RowWeights), TestFormulas.SquaredError(T(YTrue, Shape), T(YPred, Shape), Reduction.MeanWithSampleWeight, W(RowWeights)));
        double expectedRow = Enumerable.Range(0, B * C).Sum(i => RowWeights[i / C] * perElement[i]) / RowWeights.Sum();
        Close(expectedRow, TestFormulas.SquaredError(T(YTrue, Shape), T(YPred, Shape), Reduction.MeanWithSampleWeight, W(RowWeights)));

        double[] elementWeights = Enumerable.Range(0, B * C).Select(i => 0.1 + 0.3 * (i % 5)).ToArray();
        double expected = Enumerable.Range(0, B * C).Sum(i => elementWeights[i] * perElement[i]) / elementWeights.Sum();
        Close(expected, TestFormulas.SquaredError(T(YTrue, Shape), T(YPred, Shape), Reduction.MeanWithSampleWeight, T(elementWeights, Shape)));
        Close(perElement.Sum() / (B * C), TestFormulas.SquaredError(T(YTrue, Shape), T(YPred, Shape), Reduction.MeanWithSampleWeight));
    }

    [Fact]
    public void Ignored_entries_leave_the_unweighted_count_and_stay_in_the_weight_sum()
    {
        double[] logits = YPred.Select(v => 4 * v - 2).ToArray();
        int[] labels = { 2, 4, 0, 4 };
        double[] nll = Enumerable.Range(0, B).Select(b =>
        {
            double[] row = logits.Skip(b * C).Take(C).ToArray();
            double max = row.Max();
            return labels[b] == 4 ? 0.0 : max + Math.Log(row.Sum(v => Math.Exp(v - max))) - row[labels[b]];
        }).ToArray();
        var r = Reduction.MeanWithSampleWeight;
        Close(nll.Sum() / 2, TestFormulas.SparseNll(T(logits, Shape), labels, 4, r));
        Close(Enumerable.Range(0, B).Sum(b => RowWeights[b] * nll[b]) / RowWeights.Sum(), TestFormulas.SparseNll(T(logits, Shape), labels, 4, r, W(RowWeights)));
        // every entry ignored: divide_no_nan gives 0 (SumOverBatchSize gives NaN, as tf_keras)
        Assert.Equal(0.0, TestFormulas.SparseNll(T(logits, Shape), new[] { 4, 4, 4, 4 }, 4, r));
        Assert.True(double.IsNaN(TestFormulas.SparseNll(T(logits, Shape), new[] { 4, 4, 4, 4 }, 4, Reduction.SumOverBatchSize)));
        var scce = new SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 1, reduction: r);
        int[] withIgnored = { 2, 1, 0, 1 };
        double[] expectedPerSample = Enumerable.Range(0, B).Select(b =>
        {
            double[] row = logits.Skip(b * C).Take(C).ToArray();
            double max = row.Max();
            return withIgnored[b] == 1 ? 0.0 : max + Math.Log(row.Sum(v => Math.Exp(v - max))) - row[withIgnored[b]];
        }).ToArray();
        Close(expectedPerSample.Sum() / 2, scce.Compute(withIgnored, T(logits, Shape)), 1e-9);
        Close(Enumerable.Range(0, B).Sum(b => RowWeights[b] * expectedPerSample[b]) / RowWeights.Sum(), scce.Compute(withIgnored, T(logits, Shape), W(RowWeights)), 1e-9);
    }

    [Fact]
    public void Half_weights_are_summed_and_an_empty_batch_gives_zero()
    {
        var mse = new MeanSquaredError(Reduction.MeanWithSampleWeight);
        Half got = mse.Compute(new ReadOnlyTensorSpan<Half>(Array.ConvertAll(YTrue, v => (Half)v), Shape, default),
            new ReadOnlyTensorSpan<Half>(Array.ConvertAll(YPred, v => (Half)v), Shape, default), new ReadOnlyTensorSpan<Half>(Array.ConvertAll(RowWeights, v => (Half)v)));
        Close(Reference(MsePerSample(), RowWeights), (double)got, 2e-3);
        nint[] empty = { 0, C };
        Assert.Equal(0.0, mse.Compute(T(Array.Empty<double>(), empty), T(Array.Empty<double>(), empty)));
        Assert.Equal(0.0, mse.Compute(T(Array.Empty<double>(), empty), T(Array.Empty<double>(), empty), W(Array.Empty<double>())));
    }

    [Fact]
    public void Per_element_weights_scale_the_gradient_by_their_sum()
    {
        // d/dp_i of Σ w_i (a_i - p_i)² / Σ w = -2 w_i (a_i - p_i) / Σ w, worked by hand
        double[] w = Enumerable.Range(0, B * C).Select(i => 0.1 + 0.3 * (i % 5)).ToArray();
        var g = new double[B * C];
        TestFormulas.SquaredErrorGradient(T(YTrue, Shape), T(YPred, Shape), new TensorSpan<double>(g, Shape, default), Reduction.MeanWithSampleWeight, T(w, Shape));
        double sum = w.Sum();
        for (int i = 0; i < g.Length; i++)
            Close(-2 * w[i] * (YTrue[i] - YPred[i]) / sum, g[i]);
    }

    [Fact]
    public void A_formula_generated_without_it_refuses_it()
    {
        var error = Assert.Throws<NotSupportedException>(() => TestFormulas.WeightedRowMax(T(YTrue, Shape), new ReadOnlyTensorSpan<double>(RowWeights), Reduction.MeanWithSampleWeight));
        Assert.Contains("LossReductions.MeanWithSampleWeight", error.Message);
    }
}
