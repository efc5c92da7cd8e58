using System;
using System.Linq;
using System.Numerics.Tensors;
using Xunit;
using static DslLosses.Dsl;

namespace DslLosses.Tests;

/// <summary>Formulas written with the newer vocabulary, as a user would first write them.</summary>
public static partial class VocabularyFormulas
{
    /// <summary><c>Max(x, 0)</c>: the elementwise maximum with a constant (no axis).</summary>
    [Loss]
    static TensorExpr Hinge([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred) => Mean(Max(1 - yTrue * yPred, 0), axis: -1);

    /// <summary>Constant bounds in <c>Clip</c>, <c>Min</c> and <c>Max</c>, either side.</summary>
    [Loss]
    static TensorExpr ConstantBounds([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => Mean(Square(yTrue - Clip(yPred, 0, 1)) + Min(yPred, -1) + Max(-2, yPred) * Min(0.5, yPred), axis: -1);

    /// <summary>The hyperbolic functions: log-cosh, tanh and sinh terms.</summary>
    [Loss]
    static TensorExpr Hyperbolic([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => Mean(Log(Cosh(yPred - yTrue)) + Tanh(yPred) * yTrue + 0.25 * Sinh(yPred), axis: -1);

    /// <summary><c>Sign</c> times the difference: the absolute error, whose gradient is the sign (Sign's own is 0).</summary>
    [Loss]
    static TensorExpr SignedError([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => Mean(Sign(yPred - yTrue) * (yPred - yTrue) + 0 * Sign(yPred), axis: -1);

    /// <summary><c>StopGradient</c>: the value of p², the gradient of p·c with c = p held fixed.</summary>
    [Loss]
    static TensorExpr HalfStopped([Shape("B", "N")] TensorExpr yPred) => Sum(yPred * StopGradient(yPred), axis: -1);

    /// <summary>TensorExpr equality, and comparisons on a Scalar.</summary>
    [Loss]
    static TensorExpr Equalities([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, Scalar gamma)
        => Mean(Where(yTrue == 1, -Log(yPred), Where(yTrue != 0, Square(yPred), -Log(1 - yPred)))
                * Where(gamma > 1, gamma, Where(gamma == 0, 0.5, 1)), axis: -1);

    /// <summary>Constants from Math and MathF: fields and calls on constants, folded at compile time.</summary>
    [Loss]
    static TensorExpr GaussianNll([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => Mean(0.5 * Square(yTrue - yPred) + 0.5 * Math.Log(2 * Math.PI) + MathF.E * 0 + Math.Sqrt(2 * Math.PI) * 0.01 * yPred, axis: -1);

    /// <summary>A helper method, written once and inlined twice: cosine similarity of L2-normalised rows.</summary>
    static TensorExpr L2Normalize(TensorExpr x) => x / Sqrt(Max(Sum(Square(x), axis: -1), 1e-12));

    /// <summary>Keras's <c>cosine_similarity</c> loss with a helper.</summary>
    [Loss]
    static TensorExpr CosineSimilarity([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => -Sum(L2Normalize(yTrue) * L2Normalize(yPred), axis: -1);
}

/// <summary>The newer vocabulary: values against float64 references computed here, gradients against central differences.</summary>
[Trait("Category", "Kernels")]
public class VocabularyTests
{
    private const int B = 4, C = 5;
    private static readonly nint[] Shape = { B, C };

    private static ReadOnlyTensorSpan<double> W(double[]? w) => w is null ? default : new ReadOnlyTensorSpan<double>(w);

    /// <summary>The mean over the loss axis of <paramref name="term"/>(y, p) per element, per row (float64 loops).</summary>
    private static double[] RowMeans(double[] y, double[] p, int rows, int cols, Func<double, double, double> term)
    {
        var result = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int c = 0; c < cols; c++)
                sum += term(y[r * cols + c], p[r * cols + c]);
            result[r] = sum / cols;
        }
        return result;
    }

    private delegate Tensor<float> PerSampleF(ReadOnlyTensorSpan<float> y, ReadOnlyTensorSpan<float> p);

    private delegate Tensor<double> PerSampleD(ReadOnlyTensorSpan<double> y, ReadOnlyTensorSpan<double> p);

    private delegate void GradientWith(double[] y, double[] p, double[] gradient, Reduction reduction, double[]? weights);

    private static ReadOnlyTensorSpan<double> T(double[] v) => GradientTests.T(v, Shape);

    [Fact]
    public void Max_with_a_constant_is_elementwise()
    {
        Check("Hinge", (y, p) => Math.Max(1 - y * p, 0),
            (y, p) => VocabularyFormulas.HingePerSample(y, p), (y, p) => VocabularyFormulas.HingePerSample(y, p),
            (y, p, r, w) => VocabularyFormulas.Hinge(T(y), T(p), r, W(w)), (y, p, g, r, w) => VocabularyFormulas.HingeGradient(T(y), T(p), new TensorSpan<double>(g), r, W(w)), -2, 2,
            (random, n) => Enumerable.Range(0, n).Select(_ => random.Next(2) == 0 ? -1.0 : 1.0).ToArray());
    }

    [Fact]
    public void Constant_bounds_in_clip_min_and_max()
        => Check("ConstantBounds", (y, p) => Square(y - Math.Max(Math.Min(p, 1), 0)) + Math.Min(p, -1) + Math.Max(-2, p) * Math.Min(0.5, p),
            (y, p) => VocabularyFormulas.ConstantBoundsPerSample(y, p), (y, p) => VocabularyFormulas.ConstantBoundsPerSample(y, p),
            (y, p, r, w) => VocabularyFormulas.ConstantBounds(T(y), T(p), r, W(w)),
            (y, p, g, r, w) => VocabularyFormulas.ConstantBoundsGradient(T(y), T(p), new TensorSpan<double>(g), r, W(w)), -3, 2);

    [Fact]
    public void Tanh_sinh_and_cosh()
        => Check("Hyperbolic", (y, p) => Math.Log(Math.Cosh(p - y)) + Math.Tanh(p) * y + 0.25 * Math.Sinh(p),
            (y, p) => VocabularyFormulas.HyperbolicPerSample(y, p), (y, p) => VocabularyFormulas.HyperbolicPerSample(y, p),
            (y, p, r, w) => VocabularyFormulas.Hyperbolic(T(y), T(p), r, W(w)),
            (y, p, g, r, w) => VocabularyFormulas.HyperbolicGradient(T(y), T(p), new TensorSpan<double>(g), r, W(w)), -3, 3);

    [Fact]
    public void Sign_gives_the_absolute_error_and_no_gradient_of_its_own()
        => Check("SignedError", (y, p) => Math.Abs(p - y),
            (y, p) => VocabularyFormulas.SignedErrorPerSample(y, p), (y, p) => VocabularyFormulas.SignedErrorPerSample(y, p),
            (y, p, r, w) => VocabularyFormulas.SignedError(T(y), T(p), r, W(w)),
            (y, p, g, r, w) => VocabularyFormulas.SignedErrorGradient(T(y), T(p), new TensorSpan<double>(g), r, W(w)), -2, 2);

    [Fact]
    public void Sign_of_zero_and_nan()
    {
        // sign(0) = 0 (so an exact prediction adds 0), and NaN stays NaN
        double[] y = { 1, 2, 3, 4, 5, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
        double[] p = { 1, 2, 3, 4, 5, 1, 1, 1, 1, double.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5 };
        Tensor<double> loss = VocabularyFormulas.SignedErrorPerSample(T(y), T(p));
        Assert.Equal(0.0, loss[0]);
        Assert.True(double.IsNaN(loss[1]));
        Assert.Equal(0.0, loss[2]);
        Assert.Equal(0.1, loss[3], 15);
    }

    [Fact]
    public void StopGradient_keeps_the_value_and_stops_the_gradient()
    {
        double[] p = { 0.5, -1, 2, 3, 0.25, 1, 1, 1, 1, 1, -2, 0, 4, 1.5, -0.5, 3, 2, 1, 0, -1 };
        Tensor<double> perSample = VocabularyFormulas.HalfStoppedPerSample(T(p));
        for (int r = 0; r < B; r++)
            Assert.Equal(p.Skip(r * C).Take(C).Sum(v => v * v), perSample[r], 12);
        // d/dp of p * stop(p) is stop(p) = p (not 2p); Sum reduction, no weights
        var g = new double[B * C];
        VocabularyFormulas.HalfStoppedGradient(T(p), new TensorSpan<double>(g), Reduction.Sum);
        Assert.Equal(p, g);
    }

    [Theory]
    [InlineData(2.0, 2.0)]
    [InlineData(0.0, 0.5)]
    [InlineData(0.5, 1.0)]
    public void Tensor_equality_and_scalar_comparisons(double gamma, double factor)
    {
        double Term(double y, double p) => factor * (y == 1 ? -Math.Log(p) : y != 0 ? p * p : -Math.Log(1 - p));
        Func<Random, int, double[]> labels = (random, n) => Enumerable.Range(0, n).Select(_ => random.Next(3) * 0.5).ToArray();
        Check("Equalities", Term,
            (y, p) => VocabularyFormulas.EqualitiesPerSample(y, p, gamma), (y, p) => VocabularyFormulas.EqualitiesPerSample(y, p, (float)gamma),
            (y, p, r, w) => VocabularyFormulas.Equalities(T(y), T(p), gamma, r, W(w)),
            (y, p, g, r, w) => VocabularyFormulas.EqualitiesGradient(T(y), T(p), gamma, new TensorSpan<double>(g), r, W(w)), 0.05, 0.95, labels);
    }

    [Fact]
    public void Math_constants_fold_at_compile_time()
        => Check("GaussianNll", (y, p) => 0.5 * (y - p) * (y - p) + 0.5 * Math.Log(2 * Math.PI) + Math.Sqrt(2 * Math.PI) * 0.01 * p,
            (y, p) => VocabularyFormulas.GaussianNllPerSample(y, p), (y, p) => VocabularyFormulas.GaussianNllPerSample(y, p),
            (y, p, r, w) => VocabularyFormulas.GaussianNll(T(y), T(p), r, W(w)),
            (y, p, g, r, w) => VocabularyFormulas.GaussianNllGradient(T(y), T(p), new TensorSpan<double>(g), r, W(w)), -2, 2);

    [Fact]
    public void Helper_methods_are_inlined()
    {
        var random = new Random(11);
        double[] y = GradientTests.Uniform(random, B * C, -1, 1), p = GradientTests.Uniform(random, B * C, -1, 1);
        Tensor<double> loss = VocabularyFormulas.CosineSimilarityPerSample(T(y), T(p));
        for (int r = 0; r < B; r++)
        {
            double dot = 0, ny = 0, np = 0;
            for (int c = 0; c < C; c++)
            {
                dot += y[r * C + c] * p[r * C + c];
                ny += y[r * C + c] * y[r * C + c];
                np += p[r * C + c] * p[r * C + c];
            }
            Assert.Equal(-dot / Math.Sqrt(ny) / Math.Sqrt(np), loss[r], 12);
        }
        GradientTests.Check("CosineSimilarity", p,
            (x, r, w) => VocabularyFormulas.CosineSimilarity(T(y), T(x), r, W(w)),
            (x, g, r, w) => VocabularyFormulas.CosineSimilarityGradient(T(y), T(x), new TensorSpan<double>(g), r, W(w)));
    }

    private static double Square(double v) => v * v;

    /// <summary>
    /// Per-sample losses in double and float (shapes that take the scalar, vector and row-tile paths) against the
    /// reference, then the gradient of every reduction against central differences.
    /// </summary>
    private static void Check(string name, Func<double, double, double> term, PerSampleD perSample, PerSampleF perSampleF,
        Func<double[], double[], Reduction, double[]?, double> loss, GradientWith gradient, double lo, double hi, Func<Random, int, double[]>? labels = null)
    {
        var random = new Random(name.Length);
        foreach ((int rows, int cols) in new[] { (B, C), (3, 37), (20, 6) })
        {
            double[] y = labels?.Invoke(random, rows * cols) ?? GradientTests.Uniform(random, rows * cols, -1, 1);
            double[] p = GradientTests.Uniform(random, rows * cols, lo, hi);
            nint[] shape = { rows, cols };
            Tensor<double> d = perSample(new ReadOnlyTensorSpan<double>(y, shape, default), new ReadOnlyTensorSpan<double>(p, shape, default));
            float[] yf = y.Select(v => (float)v).ToArray(), pf = p.Select(v => (float)v).ToArray();
            Tensor<float> f = perSampleF(new ReadOnlyTensorSpan<float>(yf, shape, default), new ReadOnlyTensorSpan<float>(pf, shape, default));
            double[] expected = RowMeans(y, p, rows, cols, term);
            // the float kernels see the inputs rounded to float: their reference is computed from those
            double[] expectedF = RowMeans(yf.Select(v => (double)v).ToArray(), pf.Select(v => (double)v).ToArray(), rows, cols, term);
            for (int r = 0; r < rows; r++)
            {
                Assert.True(Math.Abs(d[r] - expected[r]) <= 1e-12 * Math.Max(1, Math.Abs(expected[r])), $"{name} double row {r} of {rows}x{cols}: {d[r]} vs {expected[r]}");
                Assert.True(Math.Abs(f[r] - expectedF[r]) <= 2e-6 * Math.Max(1, Math.Abs(expectedF[r])), $"{name} float row {r} of {rows}x{cols}: {f[r]} vs {expectedF[r]}");
            }
        }
        double[] y0 = labels?.Invoke(random, B * C) ?? GradientTests.Uniform(random, B * C, -1, 1);
        GradientTests.Check(name, GradientTests.Uniform(random, B * C, lo, hi), (x, r, w) => loss(y0, x, r, w), (x, g, r, w) => gradient(y0, x, g, r, w));
    }
}

/// <summary>Formulas with a <c>[Differentiable]</c> Scalar: a learnable temperature, a log-variance, a Huber threshold.</summary>
public static partial class ScalarGradientFormulas
{
    /// <summary>Softmax cross-entropy with a learnable temperature (a row reduction of the scalar).</summary>
    [Loss]
    static TensorExpr TemperatureCce([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr logits, [Differentiable] Scalar temperature)
        => -Sum(yTrue * LogSoftmax(logits / temperature, axis: -1), axis: -1);

    /// <summary>Gaussian negative log-likelihood with one learnable log-variance, and the mean as the prediction.</summary>
    [Loss]
    static TensorExpr GaussianNll([Shape("B", "N")] TensorExpr yTrue, [Differentiable, Shape("B", "N")] TensorExpr mean, [Differentiable] Scalar logVar)
        => Mean(0.5 * (logVar + Square(yTrue - mean) / Exp(logVar)), axis: -1);

    /// <summary>Elementwise Huber loss with a learnable threshold.</summary>
    [Loss]
    static TensorExpr Huber([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, [Differentiable] Scalar delta)
        => Where(Abs(yTrue - yPred) <= delta, 0.5 * Square(yTrue - yPred), delta * (Abs(yTrue - yPred) - 0.5 * delta));

    /// <summary>A derivative that is the same constant for every row.</summary>
    [Loss]
    static TensorExpr Offset([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, [Differentiable] Scalar u)
        => Mean(Square(yTrue - yPred), axis: -1) + u;

    /// <summary>A gather and a row max of the scalar's product (the tie-share and gather paths of the derivative).</summary>
    [Loss]
    static TensorExpr ScaledMargin([Shape("B", "C")] TensorExpr logits, [Shape("B")] Indices labels, [Differentiable] Scalar scale)
        => Max(Square(logits * scale), axis: -1) - Gather(Square(logits * scale), labels, axis: -1);
}

/// <summary>The gradient of the reduced loss by a Scalar, against central differences of the loss in float64.</summary>
[Trait("Category", "Kernels")]
public class ScalarGradientTests
{
    private const int B = 4, C = 5;

    private static ReadOnlyTensorSpan<double> T(double[] v) => GradientTests.T(v, new nint[] { B, C });

    private static void Check(string name, double theta, Func<double, Reduction, ReadOnlyTensorSpan<double>, double> loss, Func<double, Reduction, ReadOnlyTensorSpan<double>, double> gradient)
    {
        double[] weights = { 0.5, 2.0, 1.0, 0.25 };
        foreach (Reduction reduction in new[] { Reduction.Sum, Reduction.SumOverBatchSize })
        {
            foreach (double[]? w in new[] { null, weights })
            {
                ReadOnlyTensorSpan<double> sw = w is null ? default : new ReadOnlyTensorSpan<double>(w);
                double h = 1e-6 * Math.Max(1, Math.Abs(theta));
                double numeric = (loss(theta + h, reduction, sw) - loss(theta - h, reduction, sw)) / (2 * h);
                double generated = gradient(theta, reduction, sw);
                Assert.True(Math.Abs(numeric) > 1e-6, $"{name}: the finite difference is zero; pick another point");
                Assert.True(Math.Abs(generated - numeric) <= 1e-6 * Math.Abs(numeric), $"{name} {reduction} weights={(w is null ? "no" : "yes")}: {generated} vs {numeric}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(GradientTests.Seeds), MemberType = typeof(GradientTests))]
    public void Gradients_by_a_scalar_match_central_differences(int seed)
    {
        var random = new Random(seed);
        double[] y = GradientTests.Uniform(random, B * C, 0, 1), x = GradientTests.Uniform(random, B * C, -2, 2);
        Check("TemperatureCce", 1.7,
            (t, r, w) => ScalarGradientFormulas.TemperatureCce(T(y), T(x), t, r, w),
            (t, r, w) => ScalarGradientFormulas.TemperatureCceGradientByTemperature(T(y), T(x), t, r, w));
        Check("GaussianNll", -0.3,
            (t, r, w) => ScalarGradientFormulas.GaussianNll(T(y), T(x), t, r, w),
            (t, r, w) => ScalarGradientFormulas.GaussianNllGradientByLogVar(T(y), T(x), t, r, w));
        Check("Huber", 0.9,
            (t, r, w) => ScalarGradientFormulas.Huber(T(y), T(x), t, r, w),
            (t, r, w) => ScalarGradientFormulas.HuberGradientByDelta(T(y), T(x), t, r, w));
        Check("Offset", 0.2,
            (t, r, w) => ScalarGradientFormulas.Offset(T(y), T(x), t, r, w),
            (t, r, w) => ScalarGradientFormulas.OffsetGradientByU(T(y), T(x), t, r, w));
        int[] labels = { 1, 4, 0, 2 };
        Check("ScaledMargin", 1.3,
            (t, r, w) => ScalarGradientFormulas.ScaledMargin(T(x), labels, t, r, w),
            (t, r, w) => ScalarGradientFormulas.ScaledMarginGradientByScale(T(x), labels, t, r, w));
    }

    [Fact]
    public void The_tensor_gradient_of_a_formula_with_a_differentiable_scalar_is_kept()
    {
        var random = new Random(3);
        double[] y = GradientTests.Uniform(random, B * C, -1, 1);
        GradientTests.Check("GaussianNll by mean", GradientTests.Uniform(random, B * C, -1, 1),
            (m, r, w) => ScalarGradientFormulas.GaussianNll(T(y), T(m), 0.4, r, w is null ? default : new ReadOnlyTensorSpan<double>(w)),
            (m, g, r, w) => ScalarGradientFormulas.GaussianNllGradient(T(y), T(m), 0.4, new TensorSpan<double>(g), r, w is null ? default : new ReadOnlyTensorSpan<double>(w)));
    }

    [Fact]
    public void Float_scalar_gradient_agrees_with_double()
    {
        var random = new Random(5);
        double[] y = GradientTests.Uniform(random, 3 * 37, 0, 1), x = GradientTests.Uniform(random, 3 * 37, -2, 2);
        nint[] shape = { 3, 37 };
        double d = ScalarGradientFormulas.TemperatureCceGradientByTemperature(new ReadOnlyTensorSpan<double>(y, shape, default), new ReadOnlyTensorSpan<double>(x, shape, default), 1.5);
        float f = ScalarGradientFormulas.TemperatureCceGradientByTemperature(
            new ReadOnlyTensorSpan<float>(y.Select(v => (float)v).ToArray(), shape, default), new ReadOnlyTensorSpan<float>(x.Select(v => (float)v).ToArray(), shape, default), 1.5f);
        Assert.True(Math.Abs(f - d) <= 1e-5 * Math.Max(1, Math.Abs(d)), $"{f} vs {d}");
    }
}
