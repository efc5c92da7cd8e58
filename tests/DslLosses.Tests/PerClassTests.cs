using System;
using System.Linq;
using System.Numerics.Tensors;
using Xunit;
using static DslLosses.Dsl;

namespace DslLosses.Tests;

/// <summary>Formulas with a per-class vector: a tensor declared with the loss axis alone, broadcast along every row.</summary>
public static partial class PerClassFormulas
{
    /// <summary>PyTorch's <c>BCEWithLogitsLoss(pos_weight)</c>: <c>pos_weight</c> one value per class, not tiled.</summary>
    [Loss]
    static TensorExpr PosWeightBce([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr logits, [Shape("C")] TensorExpr posWeight)
        => Mean((1 - yTrue) * logits + (1 + (posWeight - 1) * yTrue) * Softplus(-logits), axis: -1);

    /// <summary>Class-weighted softmax cross-entropy.</summary>
    [Loss]
    static TensorExpr ClassWeightedCce([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr logits, [Shape("C")] TensorExpr classWeight)
        => -Sum(classWeight * yTrue * LogSoftmax(logits, axis: -1), axis: -1);

    /// <summary>Sparse labels picking the weight of their class (a gather of a per-class value).</summary>
    [Loss]
    static TensorExpr ClassWeightedNll([Shape("B", "C")] TensorExpr logits, [Shape("B")] Indices labels, [Shape("C")] TensorExpr classWeight)
        => Gather(classWeight * (LogSumExp(logits, axis: -1) - logits), labels, axis: -1);

    /// <summary>Any leading dimensions, a per-class alpha.</summary>
    [Loss]
    static TensorExpr AlphaMse([Shape("...", "C")] TensorExpr yTrue, [Shape("...", "C")] TensorExpr yPred, [Shape("C")] TensorExpr alpha)
        => Mean(alpha * Square(yTrue - yPred), axis: -1);

    /// <summary>The loss axis first (strided in memory): a weight per position along it.</summary>
    [Loss(Axis = 0)]
    static TensorExpr ColumnWeighted([Shape("N", "B")] TensorExpr yTrue, [Shape("N", "B")] TensorExpr yPred, [Shape("N")] TensorExpr w)
        => Sum(w * Square(yTrue - yPred), axis: 0);
}

/// <summary>Per-class vectors: values against float64 references computed here, gradients against central differences, and shape errors.</summary>
[Trait("Category", "Kernels")]
public class PerClassTests
{
    private static ReadOnlyTensorSpan<double> W(double[]? w) => w is null ? default : new ReadOnlyTensorSpan<double>(w);

    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    private static ReadOnlyTensorSpan<T> Span<T>(T[] values, params nint[] shape) => new(values, shape, default);

    private static float[] F(double[] v) => v.Select(x => (float)x).ToArray();

    private static double[] Up(float[] v) => v.Select(x => (double)x).ToArray();

    /// <summary>Per-sample values in double and in float (the float reference on the inputs rounded to float).</summary>
    private static void Values(string name, int rows, Func<double[], double[], double[], double[]> reference,
        Func<double[], double[], double[], Tensor<double>> inDouble, Func<float[], float[], float[], Tensor<float>> inFloat,
        double[] y, double[] p, double[] w)
    {
        double[] expected = reference(y, p, w);
        double[] expectedF = reference(Up(F(y)), Up(F(p)), Up(F(w)));
        Tensor<double> d = inDouble(y, p, w);
        Tensor<float> f = inFloat(F(y), F(p), F(w));
        for (int r = 0; r < rows; r++)
        {
            Assert.True(Math.Abs(d[r] - expected[r]) <= 1e-12 * Math.Max(1, Math.Abs(expected[r])), $"{name} double row {r}: {d[r]} vs {expected[r]}");
            Assert.True(Math.Abs(f[r] - expectedF[r]) <= 2e-6 * Math.Max(1, Math.Abs(expectedF[r])), $"{name} float row {r}: {f[r]} vs {expectedF[r]}");
        }
    }

    /// <summary>log Σ_j exp(x[r, j]), max-subtracted, in float64.</summary>
    private static double LogSumExp(double[] x, int r, int c)
    {
        double max = Enumerable.Range(0, c).Max(j => x[r * c + j]);
        return max + Math.Log(Enumerable.Range(0, c).Sum(j => Math.Exp(x[r * c + j] - max)));
    }

    private static double[] RowMeans(int rows, int c, Func<int, int, double> term)
        => Enumerable.Range(0, rows).Select(r => Enumerable.Range(0, c).Sum(j => term(r, j)) / c).ToArray();

    // (rows, classes): scalar and vector rows, narrow classes in row tiles
    public static TheoryData<int, int> Sizes() => new() { { 4, 5 }, { 3, 37 }, { 20, 6 }, { 17, 3 } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Pos_weight_bce_broadcasts_the_class_vector(int rows, int c)
    {
        var random = new Random(rows * 100 + c);
        double[] y = GradientTests.Uniform(random, rows * c, 0, 1), x = GradientTests.Uniform(random, rows * c, -3, 3), pw = GradientTests.Uniform(random, c, 0.5, 4);
        Values("PosWeightBce", rows,
            (y, x, pw) => RowMeans(rows, c, (r, j) => (1 - y[r * c + j]) * x[r * c + j] + (1 + (pw[j] - 1) * y[r * c + j]) * Softplus(-x[r * c + j])),
            (y, x, pw) => PerClassFormulas.PosWeightBcePerSample(Span(y, rows, c), Span(x, rows, c), pw),
            (y, x, pw) => PerClassFormulas.PosWeightBcePerSample(Span(y, rows, c), Span(x, rows, c), pw),
            y, x, pw);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Class_weighted_cce_broadcasts_the_class_vector(int rows, int c)
    {
        var random = new Random(rows * 100 + c + 1);
        double[] y = GradientTests.Uniform(random, rows * c, 0, 1), x = GradientTests.Uniform(random, rows * c, -3, 3), cw = GradientTests.Uniform(random, c, 0.1, 2);
        Values("ClassWeightedCce", rows,
            (y, x, cw) => Enumerable.Range(0, rows).Select(r => -Enumerable.Range(0, c).Sum(j => cw[j] * y[r * c + j] * (x[r * c + j] - LogSumExp(x, r, c)))).ToArray(),
            (y, x, cw) => PerClassFormulas.ClassWeightedCcePerSample(Span(y, rows, c), Span(x, rows, c), cw),
            (y, x, cw) => PerClassFormulas.ClassWeightedCcePerSample(Span(y, rows, c), Span(x, rows, c), cw),
            y, x, cw);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Sparse_labels_gather_the_weight_of_their_class(int rows, int c)
    {
        var random = new Random(rows * 100 + c + 2);
        int[] labels = Enumerable.Range(0, rows).Select(_ => random.Next(c)).ToArray();
        double[] x = GradientTests.Uniform(random, rows * c, -3, 3), cw = GradientTests.Uniform(random, c, 0.1, 2);
        Values("ClassWeightedNll", rows,
            (_, x, cw) => Enumerable.Range(0, rows).Select(r => cw[labels[r]] * (LogSumExp(x, r, c) - x[r * c + labels[r]])).ToArray(),
            (_, x, cw) => PerClassFormulas.ClassWeightedNllPerSample(Span(x, rows, c), labels, cw),
            (_, x, cw) => PerClassFormulas.ClassWeightedNllPerSample(Span(x, rows, c), labels, cw),
            new double[rows * c], x, cw);
    }

    [Fact]
    public void Any_leading_dimensions_with_a_class_vector()
    {
        var random = new Random(7);
        const int c = 6;
        double[] y = GradientTests.Uniform(random, 2 * 3 * c, -1, 1), p = GradientTests.Uniform(random, 2 * 3 * c, -1, 1), alpha = GradientTests.Uniform(random, c, 0, 2);
        Tensor<double> loss = PerClassFormulas.AlphaMsePerSample(Span(y, 2, 3, c), Span(p, 2, 3, c), alpha);
        Assert.Equal(new nint[] { 2, 3 }, loss.Lengths.ToArray());
        for (int r = 0; r < 6; r++)
        {
            double expected = Enumerable.Range(0, c).Sum(j => alpha[j] * (y[r * c + j] - p[r * c + j]) * (y[r * c + j] - p[r * c + j])) / c;
            Assert.Equal(expected, loss[r / 3, r % 3], 12);
        }
    }

    [Fact]
    public void A_loss_axis_that_is_not_last_takes_the_vector_along_it()
    {
        var random = new Random(8);
        const int n = 5, b = 4;
        double[] y = GradientTests.Uniform(random, n * b, -1, 1), p = GradientTests.Uniform(random, n * b, -1, 1), w = GradientTests.Uniform(random, n, 0, 2);
        Tensor<double> loss = PerClassFormulas.ColumnWeightedPerSample(Span(y, n, b), Span(p, n, b), w);
        for (int col = 0; col < b; col++)
        {
            double expected = Enumerable.Range(0, n).Sum(i => w[i] * (y[i * b + col] - p[i * b + col]) * (y[i * b + col] - p[i * b + col]));
            Assert.Equal(expected, loss[col], 12);
        }
    }

    [Theory]
    [MemberData(nameof(GradientTests.Seeds), MemberType = typeof(GradientTests))]
    public void Gradients_by_the_prediction_with_a_class_vector(int seed)
    {
        const int b = 4, c = 5;
        var random = new Random(seed);
        double[] y = GradientTests.Uniform(random, b * c, 0, 1), weights = GradientTests.Uniform(random, c, 0.5, 3);
        int[] labels = { 1, 4, 0, 2 };
        nint[] shape = { b, c };
        GradientTests.Check("PosWeightBce", GradientTests.Uniform(random, b * c, -3, 3),
            (x, r, w) => PerClassFormulas.PosWeightBce(Span(y, shape), Span(x, shape), weights, r, W(w)),
            (x, g, r, w) => PerClassFormulas.PosWeightBceGradient(Span(y, shape), Span(x, shape), weights, new TensorSpan<double>(g), r, W(w)));
        GradientTests.Check("ClassWeightedCce", GradientTests.Uniform(random, b * c, -3, 3),
            (x, r, w) => PerClassFormulas.ClassWeightedCce(Span(y, shape), Span(x, shape), weights, r, W(w)),
            (x, g, r, w) => PerClassFormulas.ClassWeightedCceGradient(Span(y, shape), Span(x, shape), weights, new TensorSpan<double>(g), r, W(w)));
        GradientTests.Check("ClassWeightedNll", GradientTests.Uniform(random, b * c, -3, 3),
            (x, r, w) => PerClassFormulas.ClassWeightedNll(Span(x, shape), labels, weights, r, W(w)),
            (x, g, r, w) => PerClassFormulas.ClassWeightedNllGradient(Span(x, shape), labels, weights, new TensorSpan<double>(g), r, W(w)));
        GradientTests.Check("ColumnWeighted", GradientTests.Uniform(random, b * c, -1, 1),
            (x, r, w) => PerClassFormulas.ColumnWeighted(Span(y, c, b), Span(x, c, b), weights, r, W(w)),
            (x, g, r, w) => PerClassFormulas.ColumnWeightedGradient(Span(y, c, b), Span(x, c, b), weights, new TensorSpan<double>(g), r, W(w)), batch: b);
    }

    [Fact]
    public void A_class_vector_of_the_wrong_length_names_the_loss_both_arguments_and_both_shapes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => PerClassFormulas.PosWeightBce(Span(new double[12], 3, 4), Span(new double[12], 3, 4), new double[3]));
        Assert.Contains("PosWeightBce", e.Message);
        Assert.Contains("posWeight", e.Message);
        Assert.Contains("[3]", e.Message);
        Assert.Contains("[3, 4]", e.Message);
        Assert.StartsWith("PosWeightBce: yTrue has shape [3, 4] but posWeight has shape [3]; posWeight holds one value per class: its length must be that of the loss axis 1 of yTrue.", e.Message);
        var v = Assert.Throws<ShapeMismatchException>(() => PerClassFormulas.AlphaMse(Span(new double[12], 3, 4), Span(new double[12], 3, 4), new double[5]));
        Assert.Contains("alpha", v.Message);
        Assert.Contains("[5]", v.Message);
    }
}
