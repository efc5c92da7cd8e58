using System;
using System.Numerics.Tensors;
using Xunit;

namespace DslLosses.Tests;

/// <summary>Formulas declared in this project compile through the generator and compute what their math says.</summary>
[Trait("Category", "Kernels")]
public class ConsumerFormulaTests
{
    private static readonly float[,] Labels = { { 0f, 1f }, { 1f, 0f } };
    private static readonly float[,] Probs = { { 0.2f, 0.7f }, { 0.9f, 0.4f } };

    private static double FocalReference(double y, double p, double gamma)
    {
        p = Math.Min(Math.Max(p, 1e-7), 1 - 1e-7);
        double pt = y * p + (1 - y) * (1 - p);
        return -Math.Pow(1 - pt, gamma) * Math.Log(pt);
    }

    [Fact]
    public void FocalBce_matches_its_formula_for_every_reduction()
    {
        double row0 = (FocalReference(0, 0.2, 2) + FocalReference(1, 0.7, 2)) / 2;
        double row1 = (FocalReference(1, 0.9, 2) + FocalReference(0, 0.4, 2)) / 2;

        Assert.Equal(row0 + row1, TestFormulas.FocalBce(Labels, Probs, 2f, Reduction.Sum), 5);
        Assert.Equal((row0 + row1) / 2, TestFormulas.FocalBce(Labels, Probs, 2f), 5);
        Tensor<float> perSample = TestFormulas.FocalBcePerSample(Labels, Probs, 2f);
        Assert.Equal(new nint[] { 2 }, perSample.Lengths.ToArray());
        Assert.Equal(row0, perSample[0], 5);
        Assert.Equal(row1, perSample[1], 5);

        // weights [B]: SumOverBatchSize divides by the number of losses, not the weights
        float[] w = { 0.25f, 2f };
        Assert.Equal((0.25 * row0 + 2 * row1) / 2, TestFormulas.FocalBce(Labels, Probs, 2f, Reduction.SumOverBatchSize, w), 5);
    }

    [Fact]
    public void FocalBce_double_and_half_and_generic_agree_with_float()
    {
        double[,] labels = { { 0, 1 }, { 1, 0 } };
        double[,] probs = { { 0.2, 0.7 }, { 0.9, 0.4 } };
        double expected = ((FocalReference(0, 0.2, 2) + FocalReference(1, 0.7, 2)) / 2 + (FocalReference(1, 0.9, 2) + FocalReference(0, 0.4, 2)) / 2) / 2;
        Assert.Equal(expected, TestFormulas.FocalBce(labels, probs, 2.0), 12);

        Half[] hl = { (Half)0f, (Half)1f, (Half)1f, (Half)0f };
        Half[] hp = { (Half)0.2f, (Half)0.7f, (Half)0.9f, (Half)0.4f };
        nint[] shape = { 2, 2 };
        Half half = TestFormulas.FocalBce(new ReadOnlyTensorSpan<Half>(hl, shape, default), new ReadOnlyTensorSpan<Half>(hp, shape, default), (Half)2f);
        Assert.Equal(expected, (double)half, 2);

        var l = new ReadOnlyTensorSpan<float>(new[] { 0f, 1f, 1f, 0f }, shape, default);
        var p = new ReadOnlyTensorSpan<float>(new[] { 0.2f, 0.7f, 0.9f, 0.4f }, shape, default);
        Assert.Equal(TestFormulas.FocalBce(l, p, 2f), Generic(l, p, 2f));

        static T Generic<T>(ReadOnlyTensorSpan<T> a, ReadOnlyTensorSpan<T> b, T gamma)
            where T : unmanaged
            => TestFormulas.FocalBce<T>(a, b, gamma);
    }

    [Fact]
    public void Unrolled_softmax_ce_matches_hand_worked_values()
    {
        // row 0: logits [1, 2, 3], label class 2: -log(e^3 / (e + e^2 + e^3)) = log(1 + e^-1 + e^-2)
        // row 1: logits [0, 0, 0], labels [0.5, 0.5, 0]: log 3
        float[,] labels = { { 0, 0, 1 }, { 0.5f, 0.5f, 0 } };
        float[,] logits = { { 1, 2, 3 }, { 0, 0, 0 } };
        Tensor<float> loss = TestFormulas.SoftmaxCe3PerSample(labels, logits);
        Assert.Equal(Math.Log(1 + Math.Exp(-1) + Math.Exp(-2)), loss[0], 6);
        Assert.Equal(Math.Log(3), loss[1], 6);

        // large logits stay finite: the max is subtracted before exp
        float[,] big = { { 1000, 0, -1000 }, { 0, 0, 0 } };
        Tensor<float> stable = TestFormulas.SoftmaxCe3PerSample(labels, big);
        Assert.Equal(2000.0, stable[0], 3);
    }

    [Fact]
    public void Unrolled_softmax_ce_rejects_another_class_count_naming_the_shapes()
    {
        float[,] four = new float[2, 4];
        var ex = Assert.Throws<ShapeMismatchException>(() => TestFormulas.SoftmaxCe3(four, four));
        Assert.Equal("SoftmaxCe3", ex.LossName);
        Assert.Contains("[2, 4]", ex.Message);
        Assert.Contains("(B, 3)", ex.Message);
    }

    [Fact]
    public void Gather_with_ignored_class_masks_rows_and_counts_only_kept_rows()
    {
        float[,] logits = { { 1, 2, 3 }, { 5, 5, 5 }, { 0, 0, 0 } };
        int[] labels = { 0, -1, 2 };
        double l0 = Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)) - 1;
        double l2 = Math.Log(3);

        Assert.Equal(l0 + l2, TestFormulas.SparseNll(logits, labels, -1, Reduction.Sum), 5);
        Assert.Equal((l0 + l2) / 2, TestFormulas.SparseNll(logits, labels, -1), 5); // 2 rows kept
        Tensor<float> perSample = TestFormulas.SparseNllPerSample(logits, labels, -1);
        Assert.Equal(0f, perSample[1]);

        // every row ignored: SumOverBatchSize is NaN (tf_keras), Sum is 0
        int[] none = { -1, -1, -1 };
        Assert.True(float.IsNaN(TestFormulas.SparseNll(logits, none, -1)));
        Assert.Equal(0f, TestFormulas.SparseNll(logits, none, -1, Reduction.Sum));
    }

    [Fact]
    public void Gather_rejects_a_label_out_of_range()
    {
        float[,] logits = { { 1, 2, 3 } };
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => TestFormulas.SparseNll(logits, new[] { 3 }, -1));
        Assert.Contains("labels", ex.Message);
        Assert.Contains("[0, 3)", ex.Message);
    }

    [Fact]
    public void Elementwise_formula_keeps_the_input_shape()
    {
        float[,] a = { { 1, 2, 3 }, { 4, 5, 6 } };
        float[,] b = { { 1, 0, 3 }, { 0, 5, 4 } };
        Tensor<float> loss = TestFormulas.SquaredErrorPerSample(a, b);
        Assert.Equal(new nint[] { 2, 3 }, loss.Lengths.ToArray());
        Assert.Equal(new float[] { 0, 4, 0, 16, 0, 4 }, System.Linq.Enumerable.ToArray(loss));
        Assert.Equal(24f / 6f, TestFormulas.SquaredError(a, b));
    }

    [Fact]
    public void Axis_zero_reduces_columns()
    {
        float[,] x = { { 1, 2, 3 }, { 3, 4, 8 } };
        Tensor<float> loss = TestFormulas.ColumnMeanPerSample(x);
        Assert.Equal(new float[] { 2, 3, 5.5f }, System.Linq.Enumerable.ToArray(loss));
    }

    [Fact]
    public void Log_of_sigmoid_is_rewritten_to_the_stable_form()
    {
        float[] x = { -200f, 0f, 200f };
        Tensor<float> loss = TestFormulas.LogSigmoidLossPerSample(x);
        Assert.Equal(200f, loss[0]);          // naive -log(sigmoid(-200)) = -log(0) = inf
        Assert.Equal(Math.Log(2), loss[1], 6);
        Assert.Equal(0f, loss[2]);
    }

    [Fact]
    public void Row_level_tensor_broadcasts_along_the_loss_axis_and_missing_reductions_refuse()
    {
        float[,] x = { { 1, 7, 3 }, { -2, -1, -5 } };
        float[] scale = { 2, 10 };
        Assert.Equal(7 * 2 + (-1) * 10, TestFormulas.WeightedRowMax(x, scale, Reduction.Sum));
        Assert.Throws<NotSupportedException>(() => TestFormulas.WeightedRowMax(x, scale, Reduction.SumOverBatchSize));
        // the gradient entry points refuse the reductions the formula was generated without too, by default as well
        float[] flat = { 1, 7, 3, -2, -1, -5 }, gradient = new float[6];
        var refused = Assert.Throws<NotSupportedException>(() => TestFormulas.WeightedRowMaxGradient(new ReadOnlyTensorSpan<float>(flat, [2, 3]), scale, new TensorSpan<float>(gradient, [2, 3]), Reduction.SumOverBatchSize));
        Assert.Contains("WeightedRowMax was generated without Reduction.SumOverBatchSize", refused.Message);
        Assert.Throws<NotSupportedException>(() => TestFormulas.WeightedRowMaxGradient(new ReadOnlyTensorSpan<float>(flat, [2, 3]), scale, new TensorSpan<float>(gradient, [2, 3])));
        Assert.Throws<NotSupportedException>(() => TestFormulas.WeightedRowMaxWithGradient(new ReadOnlyTensorSpan<float>(flat, [2, 3]), scale, new TensorSpan<float>(gradient, [2, 3]), Reduction.MeanWithSampleWeight));
        var ex = Assert.Throws<ShapeMismatchException>(() => TestFormulas.WeightedRowMax(x, new float[] { 1, 2, 3 }, Reduction.Sum));
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[3]", ex.Message);
    }
}
