using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using Xunit;

namespace DslLosses.Tests;

/// <summary>Generated gradients against central finite differences in float64, and closed forms worked by hand.</summary>
[Trait("Category", "Kernels")]
public class GradientTests
{
    private const int B = 4, C = 5;
    private static readonly nint[] Shape = { B, C };

    internal delegate double LossOf(double[] yPred, Reduction reduction, double[]? weights);

    internal delegate void GradientOf(double[] yPred, double[] gradient, Reduction reduction, double[]? weights);

    internal static ReadOnlyTensorSpan<double> T(double[] values, nint[] shape) => new(values, shape, default);

    internal static double[] Uniform(Random random, int n, double lo, double hi) => Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * random.NextDouble()).ToArray();

    /// <summary>
    /// Checks the gradient for Sum, SumOverBatchSize, MeanWithSampleWeight and None (weighted-sum VJP), or the
    /// <paramref name="reductions"/> the formula was generated with, with and without [B] weights.
    /// </summary>
    internal static void Check(string name, double[] x0, LossOf loss, GradientOf gradient, int batch = B, Reduction[]? reductions = null)
    {
        var weights = new double[] { 0.5, 2.0, 1.0, 0.25, 3.0, 1.5 }.Take(batch).ToArray();
        foreach (Reduction reduction in reductions ?? new[] { Reduction.Sum, Reduction.SumOverBatchSize, Reduction.MeanWithSampleWeight, Reduction.None })
        {
            foreach (double[]? w in new[] { null, weights })
            {
                var g = new double[x0.Length];
                gradient(x0, g, reduction, w);
                Reduction asScalar = reduction == Reduction.None ? Reduction.Sum : reduction;
                var numeric = new double[x0.Length];
                for (int i = 0; i < x0.Length; i++)
                {
                    double h = 1e-6 * Math.Max(1, Math.Abs(x0[i]));
                    double[] up = (double[])x0.Clone(), down = (double[])x0.Clone();
                    up[i] += h;
                    down[i] -= h;
                    numeric[i] = (loss(up, asScalar, w) - loss(down, asScalar, w)) / (2 * h);
                }
                double diff = Math.Sqrt(g.Zip(numeric, (a, b) => (a - b) * (a - b)).Sum());
                double norm = Math.Sqrt(numeric.Sum(v => v * v));
                Assert.True(norm > 0, $"{name}: the finite-difference gradient is zero; pick another point");
                Assert.True(diff <= 1e-6 * norm, $"{name} {reduction} weights={(w is null ? "no" : "yes")}: relative error {diff / norm:E2}\n generated [{string.Join(", ", g.Select(v => v.ToString("G6")))}]\n numeric   [{string.Join(", ", numeric.Select(v => v.ToString("G6")))}]");
            }
        }
    }

    internal static void CheckKeras(string name, Func<Reduction, KerasLoss> make, double[] yTrue, double[] yPred)
        => Check(name, yPred,
            (p, r, w) => make(r).Compute(T(yTrue, Shape), T(p, Shape), w is null ? default : new ReadOnlyTensorSpan<double>(w)),
            (p, g, r, w) => make(r).Gradient(T(yTrue, Shape), T(p, Shape), new TensorSpan<double>(g), w is null ? default : new ReadOnlyTensorSpan<double>(w)));

    public static IEnumerable<object[]> Seeds() => new[] { new object[] { 1 }, new object[] { 2 } };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Binary_crossentropy_both_paths_with_smoothing(int seed)
    {
        var random = new Random(seed);
        double[] y = Uniform(random, B * C, 0, 1);
        CheckKeras("bce probs", r => new BinaryCrossentropy(labelSmoothing: 0.1, reduction: r), y, Uniform(random, B * C, 0.05, 0.95));
        CheckKeras("bce logits", r => new BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.2, reduction: r), y, Uniform(random, B * C, -3, 3));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Categorical_crossentropy_both_paths_with_smoothing(int seed)
    {
        var random = new Random(seed);
        double[] y = Uniform(random, B * C, 0, 1);
        CheckKeras("cce probs", r => new CategoricalCrossentropy(labelSmoothing: 0.1, reduction: r), y, Uniform(random, B * C, 0.05, 0.3));
        CheckKeras("cce logits", r => new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1, reduction: r), y, Uniform(random, B * C, -3, 3));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Poisson_and_kl_divergence(int seed)
    {
        var random = new Random(seed);
        CheckKeras("poisson", r => new Poisson(r), Uniform(random, B * C, 0, 3), Uniform(random, B * C, 0.5, 3));
        CheckKeras("kld", r => new KLDivergence(r), Uniform(random, B * C, 0.05, 0.95), Uniform(random, B * C, 0.05, 0.95));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Sparse_categorical_crossentropy_with_and_without_ignored_class(int seed)
    {
        var random = new Random(seed);
        int[] labels = { 1, 4, 0, 2 };
        int[] withIgnored = { 1, -1, 0, 2 };
        foreach ((bool logits, int? ignore, int[] l) in new[] { (true, (int?)null, labels), (false, null, labels), (true, -1, withIgnored), (false, -1, withIgnored) })
        {
            double[] p = logits ? Uniform(random, B * C, -3, 3) : Uniform(random, B * C, 0.05, 0.95);
            Check($"scce logits={logits} ignore={ignore}", p,
                (x, r, w) => new SparseCategoricalCrossentropy(logits, ignore, r).Compute(l, T(x, Shape), w is null ? default : new ReadOnlyTensorSpan<double>(w)),
                (x, g, r, w) => new SparseCategoricalCrossentropy(logits, ignore, r).Gradient(l, T(x, Shape), new TensorSpan<double>(g), w is null ? default : new ReadOnlyTensorSpan<double>(w)));
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Test_project_formulas(int seed)
    {
        var random = new Random(seed);
        double[] y = Uniform(random, B * C, 0, 1);
        ReadOnlyTensorSpan<double> W(double[]? w) => w is null ? default : new ReadOnlyTensorSpan<double>(w);

        Check("FocalBce", Uniform(random, B * C, 0.05, 0.95),
            (x, r, w) => TestFormulas.FocalBce(T(y, Shape), T(x, Shape), 2.0, r, W(w)),
            (x, g, r, w) => TestFormulas.FocalBceGradient(T(y, Shape), T(x, Shape), 2.0, new TensorSpan<double>(g), r, W(w)));

        nint[] three = { B, 3 };
        double[] y3 = Uniform(random, B * 3, 0, 1);
        Check("SoftmaxCe3 (unrolled)", Uniform(random, B * 3, -3, 3),
            (x, r, w) => TestFormulas.SoftmaxCe3(T(y3, three), T(x, three), r, W(w)),
            (x, g, r, w) => TestFormulas.SoftmaxCe3Gradient(T(y3, three), T(x, three), new TensorSpan<double>(g), r, W(w)));

        int[] labels = { 2, 0, 4, 2 };
        Check("SparseNll (masked)", Uniform(random, B * C, -3, 3),
            (x, r, w) => TestFormulas.SparseNll(T(x, Shape), labels, 4, r, W(w)),
            (x, g, r, w) => TestFormulas.SparseNllGradient(T(x, Shape), labels, 4, new TensorSpan<double>(g), r, W(w)));

        double[] a = Uniform(random, B * C, -2, 2);
        Check("SquaredError (elementwise, weights per element row)", Uniform(random, B * C, -2, 2),
            (x, r, w) => TestFormulas.SquaredError(T(a, Shape), T(x, Shape), r, W(w)),
            (x, g, r, w) => TestFormulas.SquaredErrorGradient(T(a, Shape), T(x, Shape), new TensorSpan<double>(g), r, W(w)));

        Check("ColumnMean (axis 0)", Uniform(random, B * C, -2, 2),
            (x, r, w) => TestFormulas.ColumnMean(T(x, Shape), r, W(w)),
            (x, g, r, w) => TestFormulas.ColumnMeanGradient(T(x, Shape), new TensorSpan<double>(g), r, W(w)), batch: C);

        Check("LogSigmoidLoss (variadic)", Uniform(random, B * C, -4, 4),
            (x, r, w) => TestFormulas.LogSigmoidLoss(T(x, Shape), r, W(w)),
            (x, g, r, w) => TestFormulas.LogSigmoidLossGradient(T(x, Shape), new TensorSpan<double>(g), r, W(w)));

        double[] scale = { 1.5, -0.5, 2, 1 };
        // generated with Sum only: its gradient is checked for Sum and None (the weighted sum), the others refused
        Check("WeightedRowMax (max reduction)", Uniform(random, B * C, -2, 2),
            (x, r, w) => TestFormulas.WeightedRowMax(T(x, Shape), scale, r, W(w)),
            (x, g, r, w) => TestFormulas.WeightedRowMaxGradient(T(x, Shape), scale, new TensorSpan<double>(g), r, W(w)), reductions: new[] { Reduction.Sum, Reduction.None });
    }

    // ---- closed forms --------------------------------------------------------------------------------------

    [Fact]
    public void Bce_on_logits_is_sigmoid_minus_label_over_the_element_count()
    {
        double[] y = { 0, 1, 1, 0 }, x = { -1.5, 0.3, 2.0, 0.0 };
        var g = new double[4];
        new BinaryCrossentropy(fromLogits: true).Gradient(T(y, new nint[] { 2, 2 }), T(x, new nint[] { 2, 2 }), new TensorSpan<double>(g));
        for (int i = 0; i < 4; i++)
            Assert.Equal((1 / (1 + Math.Exp(-x[i])) - y[i]) / 4, g[i], 14); // mean over 2 columns, then over 2 rows
    }

    [Fact]
    public void Bce_on_probabilities_has_the_eps_inside_the_logs_and_zero_outside_the_clip()
    {
        double[] y = { 1, 0, 1 }, p = { 0.3, 0.6, 1.5 };
        var g = new double[3];
        new BinaryCrossentropy(reduction: Reduction.Sum).Gradient(T(y, new nint[] { 1, 3 }), T(p, new nint[] { 1, 3 }), new TensorSpan<double>(g));
        const double eps = 1e-7;
        Assert.Equal(-1 / (0.3 + eps) / 3, g[0], 12);
        Assert.Equal(1 / (1 - 0.6 + eps) / 3, g[1], 12);
        Assert.Equal(0, g[2]); // clipped: the gradient of the clipped function
    }

    [Fact]
    public void Cce_and_scce_on_logits_are_softmax_minus_one_hot_over_the_batch()
    {
        double[] x = { 1, 2, 3, 0.5, 0.5, -1 };
        double[] oneHot = { 0, 0, 1, 1, 0, 0 };
        nint[] shape = { 2, 3 };
        var g = new double[6];
        var gs = new double[6];
        double loss = new CategoricalCrossentropy(fromLogits: true).ComputeWithGradient(T(oneHot, shape), T(x, shape), new TensorSpan<double>(g));
        new SparseCategoricalCrossentropy(fromLogits: true).Gradient(new[] { 2, 0 }, T(x, shape), new TensorSpan<double>(gs));
        for (int r = 0; r < 2; r++)
        {
            double z = Enumerable.Range(0, 3).Sum(c => Math.Exp(x[r * 3 + c]));
            for (int c = 0; c < 3; c++)
            {
                double expected = (Math.Exp(x[r * 3 + c]) / z - oneHot[r * 3 + c]) / 2;
                Assert.Equal(expected, g[r * 3 + c], 14);
                Assert.Equal(expected, gs[r * 3 + c], 14);
            }
        }
        Assert.Equal(new CategoricalCrossentropy(fromLogits: true).Compute(T(oneHot, shape), T(x, shape)), loss, 15);
    }

    [Fact]
    public void Scce_on_probabilities_is_the_derivative_of_the_renormalised_log()
    {
        // -log(p_k / Σp): d/dp_j = -[j == k] / p_k + 1 / Σp
        double[] p = { 0.2, 0.5, 0.1 };
        var g = new double[3];
        new SparseCategoricalCrossentropy(reduction: Reduction.Sum).Gradient(new[] { 1 }, T(p, new nint[] { 1, 3 }), new TensorSpan<double>(g));
        double sum = p.Sum();
        Assert.Equal(1 / sum, g[0], 12);
        Assert.Equal(-1 / 0.5 + 1 / sum, g[1], 12);
        Assert.Equal(1 / sum, g[2], 12);
    }

    [Fact]
    public void Ignored_entries_get_zero_gradient_and_the_mean_divides_by_the_kept_count()
    {
        double[] x = { 1, 2, 3, 4, 5, 6 };
        nint[] shape = { 2, 3 };
        var g = Enumerable.Repeat(99.0, 6).ToArray();
        new SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 7).Gradient(new[] { 7, 1 }, T(x, shape), new TensorSpan<double>(g));
        Assert.Equal(new double[] { 0, 0, 0 }, g.Take(3));
        double z = Math.Exp(4) + Math.Exp(5) + Math.Exp(6);
        Assert.Equal(Math.Exp(5) / z - 1, g[4], 14); // one kept row: divided by 1, not 2
    }

    [Fact]
    public void Float_gradients_match_the_double_ones_and_allocate_nothing()
    {
        var random = new Random(3);
        double[] yd = Uniform(random, B * C, 0, 1), xd = Uniform(random, B * C, -3, 3);
        float[] yf = yd.Select(v => (float)v).ToArray(), xf = xd.Select(v => (float)v).ToArray();
        var gd = new double[B * C];
        var gf = new float[B * C];
        var loss = new CategoricalCrossentropy(fromLogits: true);
        loss.Gradient(T(yd, Shape), T(xd, Shape), new TensorSpan<double>(gd));
        var yt = new ReadOnlyTensorSpan<float>(yf, Shape, default);
        var xt = new ReadOnlyTensorSpan<float>(xf, Shape, default);
        var gt = new TensorSpan<float>(gf, Shape, default);
        loss.ComputeWithGradient(yt, xt, gt);
        for (int i = 0; i < gd.Length; i++)
            Assert.True(Math.Abs(gd[i] - gf[i]) <= 1e-6, $"grad[{i}]: float {gf[i]:R}, double {gd[i]:R}");

        // past tiered compilation's call counting, so only the calls themselves are measured
        for (int i = 0; i < 100; i++)
        {
            loss.ComputeWithGradient(yt, xt, gt);
            loss.Gradient(yt, xt, gt);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            loss.ComputeWithGradient(yt, xt, gt);
            loss.Gradient(yt, xt, gt);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Gradient_of_the_wrong_shape_is_refused()
    {
        var ex = Assert.Throws<ShapeMismatchException>(() => new Poisson().Gradient(T(new double[6], new nint[] { 2, 3 }), T(new double[6], new nint[] { 2, 3 }), new TensorSpan<double>(new double[5])));
        Assert.Contains("gradient has shape [5]", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
    }
}
