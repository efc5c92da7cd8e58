using System;
using System.Linq;
using System.Numerics.Tensors;
using Xunit;
using static DslLosses.Dsl;

namespace DslLosses.Tests;

/// <summary>Formulas with several <c>[Differentiable]</c> inputs: every gradient in one pass.</summary>
public static partial class MultiDiffFormulas
{
    /// <summary>Gaussian negative log-likelihood with a learnable mean and variance, both per element.</summary>
    [Loss]
    static TensorExpr GaussianNll([Shape("B", "N")] TensorExpr y, [Differentiable, Shape("B", "N")] TensorExpr mean, [Differentiable, Shape("B", "N")] TensorExpr variance)
        => Mean(0.5 * (Log(variance) + Square(y - mean) / variance), axis: -1);

    /// <summary>The same formula differentiated by the mean alone.</summary>
    [Loss]
    static TensorExpr GaussianNllByMean([Shape("B", "N")] TensorExpr y, [Differentiable, Shape("B", "N")] TensorExpr mean, [Shape("B", "N")] TensorExpr variance)
        => Mean(0.5 * (Log(variance) + Square(y - mean) / variance), axis: -1);

    /// <summary>The same formula differentiated by the variance alone.</summary>
    [Loss]
    static TensorExpr GaussianNllByVariance([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr mean, [Differentiable, Shape("B", "N")] TensorExpr variance)
        => Mean(0.5 * (Log(variance) + Square(y - mean) / variance), axis: -1);

    /// <summary>Contrastive loss over two embeddings, both learnt: squared distance for pairs alike, squared hinge on the margin otherwise.</summary>
    [Loss]
    static TensorExpr Contrastive([Differentiable, Shape("B", "D")] TensorExpr left, [Differentiable, Shape("B", "D")] TensorExpr right, [Shape("B")] TensorExpr same, Scalar margin)
    {
        var d2 = Sum(Square(left - right), axis: -1);
        var d = Sqrt(d2 + 1e-6);
        return same * d2 + (1 - same) * Square(Max(margin - d, 0));
    }

    /// <summary>Distillation with a learnable temperature: teacher and student logits and the temperature all differentiated by.</summary>
    [Loss]
    static TensorExpr Distillation([Differentiable, Shape("B", "C")] TensorExpr teacher, [Differentiable, Shape("B", "C")] TensorExpr student, [Differentiable] Scalar temperature)
        => -Sum(Softmax(teacher / temperature, axis: -1) * LogSoftmax(student / temperature, axis: -1), axis: -1);

    /// <summary>PyTorch's <c>BCEWithLogitsLoss(pos_weight)</c> with the per-class weight learnt beside the logits.</summary>
    [Loss]
    static TensorExpr LearntPosWeightBce([Shape("B", "C")] TensorExpr yTrue, [Differentiable, Shape("B", "C")] TensorExpr logits, [Differentiable, Shape("C")] TensorExpr posWeight)
        => Mean((1 - yTrue) * logits + (1 + (posWeight - 1) * yTrue) * Softplus(-logits), axis: -1);

    /// <summary>The same weight, differentiated by alone (its gradient is the destination <c>gradient</c>, of shape [C]).</summary>
    [Loss]
    static TensorExpr PosWeightBceByWeight([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr logits, [Differentiable, Shape("C")] TensorExpr posWeight)
        => Mean((1 - yTrue) * logits + (1 + (posWeight - 1) * yTrue) * Softplus(-logits), axis: -1);

    /// <summary>The loss axis first (strided in memory): a learnt weight per position along it, beside the prediction.</summary>
    [Loss(Axis = 0)]
    static TensorExpr ColumnWeighted([Shape("N", "B")] TensorExpr yTrue, [Differentiable, Shape("N", "B")] TensorExpr yPred, [Differentiable, Shape("N")] TensorExpr w)
        => Sum(w * Square(yTrue - yPred), axis: 0);

    /// <summary>Rows left out by a keep mask: both inputs' gradients are 0 there.</summary>
    [Loss]
    static TensorExpr MaskedPair([Differentiable, Shape("B", "C")] TensorExpr a, [Differentiable, Shape("B", "C")] TensorExpr b, [Shape("B")] Indices labels, int ignore)
        => Masked(Mean(Square(a - b), axis: -1), labels != ignore);

    /// <summary>A per-element loss (the loss axis kept) of two tensors and a learnable scale.</summary>
    [Loss]
    static TensorExpr ScaledError([Differentiable, Shape("B", "N")] TensorExpr a, [Differentiable, Shape("B", "N")] TensorExpr b, [Differentiable] Scalar scale)
        => 0.5 * Square(scale * a - b);
}

/// <summary>
/// Several differentiable inputs: values against float64 references written here, every gradient (tensors and scalars)
/// against central differences of those references, for every reduction, with and without sample weights, in double and
/// float on the scalar, vector and row-tile paths; the fused gradients against the single-input entry points.
/// </summary>
[Trait("Category", "Kernels")]
public class MultiDiffTests
{
    /// <summary>A formula under test: its float64 reference and its generated entry points, generic over the element type.</summary>
    private interface IFormula
    {
        int[] Differentiable { get; }

        /// <summary>Positions in <see cref="Scalars"/> of the differentiable scalars.</summary>
        int[] DifferentiableScalars { get; }

        double[] Scalars { get; }

        nint[] ShapeOf(int tensor, int rows, int cols);

        (double Lo, double Hi) RangeOf(int tensor);

        /// <summary>The per-sample losses, row-major.</summary>
        double[] Reference(double[][] t, double[] s, int rows, int cols);

        T Loss<T>(T[][] t, T[] s, nint[][] shapes, Reduction r, T[]? w) where T : unmanaged;

        /// <summary>The fused entry point: <c>FWithGradient</c> with <paramref name="withLoss"/>, else <c>FGradient</c> (returns default).</summary>
        T Gradient<T>(T[][] t, T[] s, nint[][] shapes, T[][] g, T[] sg, Reduction r, T[]? w, bool withLoss) where T : unmanaged;
    }

    private static ReadOnlyTensorSpan<T> R<T>(T[] v, nint[] shape) => new(v, shape, default);

    private static TensorSpan<T> G<T>(T[] v, nint[] shape) => new(v, shape, default);

    private static ReadOnlyTensorSpan<T> W<T>(T[]? w) => w is null ? default : new ReadOnlyTensorSpan<T>(w);

    private static double[] Row(int rows, int cols, Func<int, int, double> term)
        => Enumerable.Range(0, rows).Select(r => Enumerable.Range(0, cols).Sum(j => term(r, j))).ToArray();

    private sealed class Gaussian : IFormula
    {
        public int[] Differentiable => new[] { 1, 2 };
        public int[] DifferentiableScalars => Array.Empty<int>();
        public double[] Scalars => Array.Empty<double>();
        public nint[] ShapeOf(int tensor, int rows, int cols) => new nint[] { rows, cols };
        public (double Lo, double Hi) RangeOf(int tensor) => tensor == 2 ? (0.3, 2.0) : (-1.0, 1.0);

        public double[] Reference(double[][] t, double[] s, int rows, int cols)
            => Row(rows, cols, (r, j) =>
            {
                int i = r * cols + j;
                double e = t[0][i] - t[1][i];
                return 0.5 * (Math.Log(t[2][i]) + e * e / t[2][i]) / cols;
            });

        public T Loss<T>(T[][] t, T[] s, nint[][] sh, Reduction r, T[]? w) where T : unmanaged
            => MultiDiffFormulas.GaussianNll(R(t[0], sh[0]), R(t[1], sh[1]), R(t[2], sh[2]), r, W(w));

        public T Gradient<T>(T[][] t, T[] s, nint[][] sh, T[][] g, T[] sg, Reduction r, T[]? w, bool withLoss) where T : unmanaged
        {
            if (withLoss)
                return MultiDiffFormulas.GaussianNllWithGradient(R(t[0], sh[0]), R(t[1], sh[1]), R(t[2], sh[2]), G(g[0], sh[1]), G(g[1], sh[2]), r, W(w));
            MultiDiffFormulas.GaussianNllGradient(R(t[0], sh[0]), R(t[1], sh[1]), R(t[2], sh[2]), G(g[0], sh[1]), G(g[1], sh[2]), r, W(w));
            return default;
        }
    }

    private sealed class Contrastive : IFormula
    {
        public int[] Differentiable => new[] { 0, 1 };
        public int[] DifferentiableScalars => Array.Empty<int>();
        public double[] Scalars => new[] { 1.6 };
        public nint[] ShapeOf(int tensor, int rows, int cols) => tensor == 2 ? new nint[] { rows } : new nint[] { rows, cols };
        public (double Lo, double Hi) RangeOf(int tensor) => tensor == 2 ? (0.0, 1.0) : (-0.6, 0.6);

        public double[] Reference(double[][] t, double[] s, int rows, int cols)
            => Enumerable.Range(0, rows).Select(r =>
            {
                double d2 = Enumerable.Range(0, cols).Sum(j => (t[0][r * cols + j] - t[1][r * cols + j]) * (t[0][r * cols + j] - t[1][r * cols + j]));
                double hinge = Math.Max(s[0] - Math.Sqrt(d2 + 1e-6), 0);
                return t[2][r] * d2 + (1 - t[2][r]) * hinge * hinge;
            }).ToArray();

        public T Loss<T>(T[][] t, T[] s, nint[][] sh, Reduction r, T[]? w) where T : unmanaged
            => MultiDiffFormulas.Contrastive(R(t[0], sh[0]), R(t[1], sh[1]), R(t[2], sh[2]), s[0], r, W(w));

        public T Gradient<T>(T[][] t, T[] s, nint[][] sh, T[][] g, T[] sg, Reduction r, T[]? w, bool withLoss) where T : unmanaged
        {
            if (withLoss)
                return MultiDiffFormulas.ContrastiveWithGradient(R(t[0], sh[0]), R(t[1], sh[1]), R(t[2], sh[2]), s[0], G(g[0], sh[0]), G(g[1], sh[1]), r, W(w));
            MultiDiffFormulas.ContrastiveGradient(R(t[0], sh[0]), R(t[1], sh[1]), R(t[2], sh[2]), s[0], G(g[0], sh[0]), G(g[1], sh[1]), r, W(w));
            return default;
        }
    }

    private sealed class Distillation : IFormula
    {
        public int[] Differentiable => new[] { 0, 1 };
        public int[] DifferentiableScalars => new[] { 0 };
        public double[] Scalars => new[] { 1.7 };
        public nint[] ShapeOf(int tensor, int rows, int cols) => new nint[] { rows, cols };
        public (double Lo, double Hi) RangeOf(int tensor) => (-3.0, 3.0);

        public double[] Reference(double[][] t, double[] s, int rows, int cols)
            => Enumerable.Range(0, rows).Select(r =>
            {
                double[] a = Enumerable.Range(0, cols).Select(j => t[0][r * cols + j] / s[0]).ToArray();
                double[] b = Enumerable.Range(0, cols).Select(j => t[1][r * cols + j] / s[0]).ToArray();
                double ma = a.Max(), mb = b.Max();
                double za = a.Sum(v => Math.Exp(v - ma)), lb = Math.Log(b.Sum(v => Math.Exp(v - mb)));
                return -Enumerable.Range(0, cols).Sum(j => Math.Exp(a[j] - ma) / za * (b[j] - mb - lb));
            }).ToArray();

        public T Loss<T>(T[][] t, T[] s, nint[][] sh, Reduction r, T[]? w) where T : unmanaged
            => MultiDiffFormulas.Distillation(R(t[0], sh[0]), R(t[1], sh[1]), s[0], r, W(w));

        public T Gradient<T>(T[][] t, T[] s, nint[][] sh, T[][] g, T[] sg, Reduction r, T[]? w, bool withLoss) where T : unmanaged
        {
            T result = default;
            if (withLoss)
                result = MultiDiffFormulas.DistillationWithGradient(R(t[0], sh[0]), R(t[1], sh[1]), s[0], G(g[0], sh[0]), G(g[1], sh[1]), out sg[0], r, W(w));
            else
                MultiDiffFormulas.DistillationGradient(R(t[0], sh[0]), R(t[1], sh[1]), s[0], G(g[0], sh[0]), G(g[1], sh[1]), out sg[0], r, W(w));
            return result;
        }
    }

    private sealed class ScaledError : IFormula
    {
        public int[] Differentiable => new[] { 0, 1 };
        public int[] DifferentiableScalars => new[] { 0 };
        public double[] Scalars => new[] { 0.8 };
        public nint[] ShapeOf(int tensor, int rows, int cols) => new nint[] { rows, cols };
        public (double Lo, double Hi) RangeOf(int tensor) => (-2.0, 2.0);

        public double[] Reference(double[][] t, double[] s, int rows, int cols)
            => Enumerable.Range(0, rows * cols).Select(i => 0.5 * (s[0] * t[0][i] - t[1][i]) * (s[0] * t[0][i] - t[1][i])).ToArray();

        public T Loss<T>(T[][] t, T[] s, nint[][] sh, Reduction r, T[]? w) where T : unmanaged
            => MultiDiffFormulas.ScaledError(R(t[0], sh[0]), R(t[1], sh[1]), s[0], r, W(w));

        public T Gradient<T>(T[][] t, T[] s, nint[][] sh, T[][] g, T[] sg, Reduction r, T[]? w, bool withLoss) where T : unmanaged
        {
            T result = default;
            if (withLoss)
                result = MultiDiffFormulas.ScaledErrorWithGradient(R(t[0], sh[0]), R(t[1], sh[1]), s[0], G(g[0], sh[0]), G(g[1], sh[1]), out sg[0], r, W(w));
            else
                MultiDiffFormulas.ScaledErrorGradient(R(t[0], sh[0]), R(t[1], sh[1]), s[0], G(g[0], sh[0]), G(g[1], sh[1]), out sg[0], r, W(w));
            return result;
        }
    }

    private sealed class PosWeight : IFormula
    {
        public int[] Differentiable => new[] { 1, 2 };
        public int[] DifferentiableScalars => Array.Empty<int>();
        public double[] Scalars => Array.Empty<double>();
        public nint[] ShapeOf(int tensor, int rows, int cols) => tensor == 2 ? new nint[] { cols } : new nint[] { rows, cols };
        public (double Lo, double Hi) RangeOf(int tensor) => tensor switch { 0 => (0.0, 1.0), 1 => (-3.0, 3.0), _ => (0.5, 3.0) };

        public double[] Reference(double[][] t, double[] s, int rows, int cols)
            => Row(rows, cols, (r, j) =>
            {
                int i = r * cols + j;
                double x = t[1][i], y = t[0][i];
                double softplus = Math.Max(-x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
                return ((1 - y) * x + (1 + (t[2][j] - 1) * y) * softplus) / cols;
            });

        public T Loss<T>(T[][] t, T[] s, nint[][] sh, Reduction r, T[]? w) where T : unmanaged
            => MultiDiffFormulas.LearntPosWeightBce(R(t[0], sh[0]), R(t[1], sh[1]), R(t[2], sh[2]), r, W(w));

        public T Gradient<T>(T[][] t, T[] s, nint[][] sh, T[][] g, T[] sg, Reduction r, T[]? w, bool withLoss) where T : unmanaged
        {
            if (withLoss)
                return MultiDiffFormulas.LearntPosWeightBceWithGradient(R(t[0], sh[0]), R(t[1], sh[1]), R(t[2], sh[2]), G(g[0], sh[1]), G(g[1], sh[2]), r, W(w));
            MultiDiffFormulas.LearntPosWeightBceGradient(R(t[0], sh[0]), R(t[1], sh[1]), R(t[2], sh[2]), G(g[0], sh[1]), G(g[1], sh[2]), r, W(w));
            return default;
        }
    }

    /// <summary>Axis 0: the tensors are [N = cols, B = rows], the loss one value per column b.</summary>
    private sealed class ColumnWeighted : IFormula
    {
        public int[] Differentiable => new[] { 1, 2 };
        public int[] DifferentiableScalars => Array.Empty<int>();
        public double[] Scalars => Array.Empty<double>();
        public nint[] ShapeOf(int tensor, int rows, int cols) => tensor == 2 ? new nint[] { cols } : new nint[] { cols, rows };
        public (double Lo, double Hi) RangeOf(int tensor) => tensor == 2 ? (0.2, 2.0) : (-1.0, 1.0);

        public double[] Reference(double[][] t, double[] s, int rows, int cols)
            => Enumerable.Range(0, rows).Select(b => Enumerable.Range(0, cols).Sum(n =>
            {
                double e = t[0][n * rows + b] - t[1][n * rows + b];
                return t[2][n] * e * e;
            })).ToArray();

        public T Loss<T>(T[][] t, T[] s, nint[][] sh, Reduction r, T[]? w) where T : unmanaged
            => MultiDiffFormulas.ColumnWeighted(R(t[0], sh[0]), R(t[1], sh[1]), R(t[2], sh[2]), r, W(w));

        public T Gradient<T>(T[][] t, T[] s, nint[][] sh, T[][] g, T[] sg, Reduction r, T[]? w, bool withLoss) where T : unmanaged
        {
            if (withLoss)
                return MultiDiffFormulas.ColumnWeightedWithGradient(R(t[0], sh[0]), R(t[1], sh[1]), R(t[2], sh[2]), G(g[0], sh[1]), G(g[1], sh[2]), r, W(w));
            MultiDiffFormulas.ColumnWeightedGradient(R(t[0], sh[0]), R(t[1], sh[1]), R(t[2], sh[2]), G(g[0], sh[1]), G(g[1], sh[2]), r, W(w));
            return default;
        }
    }

    /// <summary>The reduced loss from per-sample losses and [B] weights, as Keras reduces it.</summary>
    private static double Reduce(double[] l, Reduction r, double[]? w, int rows)
    {
        int per = l.Length / rows;
        double total = 0;
        for (int i = 0; i < l.Length; i++)
            total += (w is null ? 1 : w[i / per]) * l[i];
        return r switch
        {
            Reduction.SumOverBatchSize => total / l.Length,
            Reduction.MeanWithSampleWeight => total / (w?.Sum() ?? l.Length),
            _ => total,
        };
    }

    private static readonly Reduction[] Reductions = { Reduction.Sum, Reduction.SumOverBatchSize, Reduction.MeanWithSampleWeight, Reduction.None };

    // (rows, columns): scalar lanes (3 columns), vectors with an overlapping last one (5, 6, 37), row tiles (17, 20 rows)
    public static TheoryData<string, int, int> Cases()
    {
        var data = new TheoryData<string, int, int>();
        foreach (string name in new[] { "GaussianNll", "Contrastive", "Distillation", "ScaledError", "PosWeight", "ColumnWeighted" })
        {
            foreach ((int rows, int cols) in new[] { (4, 5), (3, 37), (20, 6), (17, 3) })
                data.Add(name, rows, cols);
        }
        return data;
    }

    private static IFormula Formula(string name) => name switch
    {
        "GaussianNll" => new Gaussian(),
        "Contrastive" => new Contrastive(),
        "Distillation" => new Distillation(),
        "PosWeight" => new PosWeight(),
        "ColumnWeighted" => new ColumnWeighted(),
        _ => new ScaledError(),
    };

    private static double[][] Inputs(IFormula f, int rows, int cols, int count, Random random)
        => Enumerable.Range(0, count).Select(i =>
        {
            int n = (int)f.ShapeOf(i, rows, cols).Aggregate((nint)1, (a, b) => a * b);
            (double lo, double hi) = f.RangeOf(i);
            double[] v = GradientTests.Uniform(random, n, lo, hi);
            return f.ShapeOf(i, rows, cols).Length == 1 && i == 2 && f is Contrastive ? v.Select(x => x < 0.5 ? 0.0 : 1.0).ToArray() : v;
        }).ToArray();

    private static int TensorCount(IFormula f) => f is Distillation or ScaledError ? 2 : 3;

    /// <summary>Central differences of the float64 reference, by element <paramref name="i"/> of tensor <paramref name="tensor"/> (or scalar <paramref name="scalar"/>).</summary>
    private static double Numeric(IFormula f, double[][] t, double[] s, int rows, int cols, Reduction r, double[]? w, int tensor, int i, int scalar = -1)
    {
        double x = scalar >= 0 ? s[scalar] : t[tensor][i];
        double h = 1e-6 * Math.Max(1, Math.Abs(x));
        double At(double value)
        {
            double[][] tt = t.Select(a => (double[])a.Clone()).ToArray();
            double[] ss = (double[])s.Clone();
            if (scalar >= 0)
                ss[scalar] = value;
            else
                tt[tensor][i] = value;
            return Reduce(f.Reference(tt, ss, rows, cols), r, w, rows);
        }
        return (At(x + h) - At(x - h)) / (2 * h);
    }

    private static void Close(string what, double[] generated, double[] numeric, double tolerance)
    {
        double diff = Math.Sqrt(generated.Zip(numeric, (a, b) => (a - b) * (a - b)).Sum());
        double norm = Math.Sqrt(numeric.Sum(v => v * v));
        Assert.True(norm > 0, $"{what}: the finite-difference gradient is zero; pick another point");
        Assert.True(diff <= tolerance * norm, $"{what}: relative error {diff / norm:E2}\n generated [{string.Join(", ", generated.Select(v => v.ToString("G6")))}]\n numeric   [{string.Join(", ", numeric.Select(v => v.ToString("G6")))}]");
    }

    /// <summary>
    /// Every reduction, with and without weights, in <typeparamref name="T"/>: the value against the reference, every
    /// gradient against central differences of the reference (on the inputs as rounded to <typeparamref name="T"/>),
    /// and <c>FWithGradient</c> against <c>F</c> and <c>FGradient</c> bit for bit.
    /// </summary>
    private static void Check<T>(IFormula f, int rows, int cols, double[][] t64, double valueTolerance, double gradientTolerance)
        where T : unmanaged, System.Numerics.IFloatingPoint<T>
    {
        T[][] t = t64.Select(a => a.Select(T.CreateChecked).ToArray()).ToArray();
        T[] s = f.Scalars.Select(T.CreateChecked).ToArray();
        double[][] tUp = t.Select(a => a.Select(double.CreateChecked).ToArray()).ToArray();
        double[] sUp = s.Select(double.CreateChecked).ToArray();
        nint[][] shapes = Enumerable.Range(0, t.Length).Select(i => f.ShapeOf(i, rows, cols)).ToArray();
        double[] weights64 = Enumerable.Range(0, rows).Select(r => 0.25 + 0.5 * (r % 5)).ToArray();
        T[] weights = weights64.Select(T.CreateChecked).ToArray();
        string name = f.GetType().Name + $" {typeof(T).Name} {rows}x{cols}";
        foreach (Reduction r in Reductions)
        {
            foreach (bool weighted in new[] { false, true })
            {
                T[]? w = weighted ? weights : null;
                double[]? w64 = weighted ? weights64 : null;
                string what = $"{name} {r} weights={(weighted ? "yes" : "no")}";
                Reduction asScalar = r == Reduction.None ? Reduction.Sum : r;

                T[][] g = f.Differentiable.Select(i => new T[t[i].Length]).ToArray();
                T[] sg = new T[f.DifferentiableScalars.Length];
                f.Gradient(t, s, shapes, g, sg, r, w, withLoss: false);
                for (int k = 0; k < f.Differentiable.Length; k++)
                {
                    int tensor = f.Differentiable[k];
                    double[] numeric = Enumerable.Range(0, t[tensor].Length).Select(i => Numeric(f, tUp, sUp, rows, cols, asScalar, w64, tensor, i)).ToArray();
                    Close($"{what}: gradient by tensor {tensor}", g[k].Select(double.CreateChecked).ToArray(), numeric, gradientTolerance);
                }
                for (int k = 0; k < f.DifferentiableScalars.Length; k++)
                {
                    double numeric = Numeric(f, tUp, sUp, rows, cols, asScalar, w64, -1, 0, f.DifferentiableScalars[k]);
                    Close($"{what}: gradient by scalar {k}", new[] { double.CreateChecked(sg[k]) }, new[] { numeric }, gradientTolerance);
                }
                if (r == Reduction.None)
                    continue;

                double expected = Reduce(f.Reference(tUp, sUp, rows, cols), r, w64, rows);
                T value = f.Loss(t, s, shapes, r, w);
                Assert.True(Math.Abs(double.CreateChecked(value) - expected) <= valueTolerance * Math.Max(1, Math.Abs(expected)), $"{what}: {value} vs {expected}");

                T[][] g2 = f.Differentiable.Select(i => new T[t[i].Length]).ToArray();
                T[] sg2 = new T[f.DifferentiableScalars.Length];
                T fused = f.Gradient(t, s, shapes, g2, sg2, r, w, withLoss: true);
                Assert.True(fused.Equals(value), $"{what}: WithGradient's loss {fused} is not F's {value}");
                for (int k = 0; k < g.Length; k++)
                    Assert.True(g[k].SequenceEqual(g2[k]), $"{what}: WithGradient's gradient {k} differs from Gradient's");
                Assert.True(sg.SequenceEqual(sg2), $"{what}: WithGradient's scalar gradients differ from Gradient's");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_gradient_matches_central_differences_in_double_and_float(string name, int rows, int cols)
    {
        IFormula f = Formula(name);
        double[][] t = Inputs(f, rows, cols, TensorCount(f), new Random(rows * 100 + cols));
        Check<double>(f, rows, cols, t, 1e-12, 1e-6);
        Check<float>(f, rows, cols, t, 2e-6, 2e-4);
    }

    private static bool BitsEqual(double[] a, double[] b) => a.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(b.Select(BitConverter.DoubleToInt64Bits));

    [Theory]
    [InlineData(4, 5)]
    [InlineData(3, 37)]
    [InlineData(17, 3)]
    public void Fused_tensor_gradients_are_the_single_input_ones_bit_for_bit(int rows, int cols)
    {
        var random = new Random(7);
        nint[] shape = { rows, cols };
        double[] y = GradientTests.Uniform(random, rows * cols, -1, 1), m = GradientTests.Uniform(random, rows * cols, -1, 1), v = GradientTests.Uniform(random, rows * cols, 0.3, 2);
        double[] weights = Enumerable.Range(0, rows).Select(r => 0.5 + r).ToArray();
        foreach (Reduction r in Reductions)
        {
            foreach (double[]? w in new[] { null, weights })
            {
                double[] gm = new double[m.Length], gv = new double[v.Length], bm = new double[m.Length], bv = new double[v.Length];
                MultiDiffFormulas.GaussianNllGradient(R(y, shape), R(m, shape), R(v, shape), G(gm, shape), G(gv, shape), r, W(w));
                MultiDiffFormulas.GaussianNllByMeanGradient(R(y, shape), R(m, shape), R(v, shape), G(bm, shape), r, W(w));
                MultiDiffFormulas.GaussianNllByVarianceGradient(R(y, shape), R(m, shape), R(v, shape), G(bv, shape), r, W(w));
                Assert.True(BitsEqual(gm, bm), $"{r}: gradientMean differs from GaussianNllByMeanGradient");
                Assert.True(BitsEqual(gv, bv), $"{r}: gradientVariance differs from GaussianNllByVarianceGradient");

                float[] f(double[] a) => a.Select(x => (float)x).ToArray();
                float[] fm = new float[m.Length], fv = new float[v.Length], fbm = new float[m.Length], fbv = new float[v.Length];
                MultiDiffFormulas.GaussianNllGradient(R(f(y), shape), R(f(m), shape), R(f(v), shape), G(fm, shape), G(fv, shape), r, W(w is null ? null : f(w)));
                MultiDiffFormulas.GaussianNllByMeanGradient(R(f(y), shape), R(f(m), shape), R(f(v), shape), G(fbm, shape), r, W(w is null ? null : f(w)));
                MultiDiffFormulas.GaussianNllByVarianceGradient(R(f(y), shape), R(f(m), shape), R(f(v), shape), G(fbv, shape), r, W(w is null ? null : f(w)));
                Assert.True(fm.SequenceEqual(fbm) && fv.SequenceEqual(fbv), $"{r}: float fused gradients differ from the single-input ones");
            }
        }
    }

    [Theory]
    [InlineData(4, 5)]
    [InlineData(3, 37)]
    [InlineData(17, 3)]
    public void A_per_class_gradient_is_the_single_input_one_bit_for_bit(int rows, int cols)
    {
        var random = new Random(13);
        nint[] shape = { rows, cols }, classes = { cols };
        double[] y = GradientTests.Uniform(random, rows * cols, 0, 1), x = GradientTests.Uniform(random, rows * cols, -3, 3), pw = GradientTests.Uniform(random, cols, 0.5, 3);
        double[] weights = Enumerable.Range(0, rows).Select(r => 0.5 + r).ToArray();
        foreach (Reduction r in Reductions)
        {
            foreach (double[]? w in new[] { null, weights })
            {
                double[] gx = new double[x.Length], gw = Enumerable.Repeat(double.NaN, cols).ToArray(), alone = Enumerable.Repeat(double.NaN, cols).ToArray();
                MultiDiffFormulas.LearntPosWeightBceGradient(R(y, shape), R(x, shape), R(pw, classes), G(gx, shape), G(gw, classes), r, W(w));
                MultiDiffFormulas.PosWeightBceByWeightGradient(R(y, shape), R(x, shape), R(pw, classes), G(alone, classes), r, W(w));
                Assert.True(BitsEqual(gw, alone), $"{r}: gradientPosWeight differs from PosWeightBceByWeightGradient");
                Assert.DoesNotContain(gw, double.IsNaN); // the destination is overwritten, not added to
            }
        }
    }

    /// <summary>
    /// The scalar's gradient of the fused pass against <c>FGradientByTemperature</c> (its own pass): the same terms, added
    /// in another order (that pass sums like the loss kernels do: flat loops, row tiles, folded lanes), so equal to
    /// rounding, not bit for bit; the tensors' gradients are unchanged by the scalar's.
    /// </summary>
    [Theory]
    [InlineData(4, 5)]
    [InlineData(3, 37)]
    [InlineData(20, 6)]
    public void Fused_scalar_gradient_equals_the_separate_pass_to_rounding(int rows, int cols)
    {
        var random = new Random(11);
        nint[] shape = { rows, cols };
        double[] a = GradientTests.Uniform(random, rows * cols, -3, 3), b = GradientTests.Uniform(random, rows * cols, -3, 3);
        double[] weights = Enumerable.Range(0, rows).Select(r => 0.5 + r).ToArray();
        foreach (Reduction r in new[] { Reduction.Sum, Reduction.SumOverBatchSize, Reduction.MeanWithSampleWeight })
        {
            foreach (double[]? w in new[] { null, weights })
            {
                double[] ga = new double[a.Length], gb = new double[b.Length], ga2 = new double[a.Length], gb2 = new double[b.Length];
                MultiDiffFormulas.DistillationGradient(R(a, shape), R(b, shape), 1.3, G(ga, shape), G(gb, shape), out double fused, r, W(w));
                double separate = MultiDiffFormulas.DistillationGradientByTemperature(R(a, shape), R(b, shape), 1.3, r, W(w));
                Assert.True(Math.Abs(fused - separate) <= 1e-13 * Math.Max(1, Math.Abs(separate)), $"{r}: {fused} vs {separate}");
                MultiDiffFormulas.DistillationGradient(R(a, shape), R(b, shape), 1.3, G(ga2, shape), G(gb2, shape), r, W(w));
                Assert.True(BitsEqual(ga, ga2) && BitsEqual(gb, gb2), $"{r}: the tensors' gradients depend on whether the scalar's is asked for");
            }
        }
    }

    /// <summary>Worked by hand: d/da of mean((a - b)²) over C is 2(a - b)/C, d/db its negation; the reductions divide by the kept count or the weights' sum.</summary>
    [Theory]
    [InlineData(5)]
    [InlineData(37)]
    public void Masked_rows_get_zero_gradients_in_every_destination(int cols)
    {
        const int rows = 4;
        var random = new Random(17);
        nint[] shape = { rows, cols };
        double[] a = GradientTests.Uniform(random, rows * cols, -1, 1), b = GradientTests.Uniform(random, rows * cols, -1, 1);
        int[] labels = { 1, -1, 0, -1 };
        double[] weights = { 0.5, 2.0, 1.5, 3.0 };
        foreach (Reduction r in new[] { Reduction.Sum, Reduction.SumOverBatchSize, Reduction.MeanWithSampleWeight })
        {
            foreach (double[]? w in new[] { null, weights })
            {
                double[] ga = Enumerable.Repeat(double.NaN, a.Length).ToArray(), gb = Enumerable.Repeat(double.NaN, b.Length).ToArray();
                MultiDiffFormulas.MaskedPairGradient(R(a, shape), R(b, shape), labels, -1, G(ga, shape), G(gb, shape), r, W(w));
                double divisor = r == Reduction.Sum ? 1 : r == Reduction.MeanWithSampleWeight && w is not null ? w.Sum() : 2;
                for (int i = 0; i < a.Length; i++)
                {
                    int row = i / cols;
                    double expected = labels[row] == -1 ? 0 : (w?[row] ?? 1) * 2 * (a[i] - b[i]) / cols / divisor;
                    Assert.True(Math.Abs(ga[i] - expected) <= 1e-14, $"{r} a[{i}]: {ga[i]} vs {expected}");
                    Assert.True(Math.Abs(gb[i] + expected) <= 1e-14, $"{r} b[{i}]: {gb[i]} vs {-expected}");
                }
            }
        }
    }

    [Fact]
    public void The_fused_entry_points_allocate_nothing()
    {
        var random = new Random(19);
        nint[] shape = { 8, 37 };
        float[] a = GradientTests.Uniform(random, 8 * 37, -3, 3).Select(v => (float)v).ToArray(), b = GradientTests.Uniform(random, 8 * 37, -3, 3).Select(v => (float)v).ToArray();
        float[] ga = new float[a.Length], gb = new float[b.Length], w = Enumerable.Repeat(0.5f, 8).ToArray();
        float sink = 0;
        void Run()
        {
            sink += MultiDiffFormulas.DistillationWithGradient(R(a, shape), R(b, shape), 1.3f, G(ga, shape), G(gb, shape), out float gt, Reduction.SumOverBatchSize, W(w)) + gt;
            MultiDiffFormulas.DistillationGradient(R(a, shape), R(b, shape), 1.3f, G(ga, shape), G(gb, shape));
        }
        for (int i = 0; i < 100; i++)
            Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
            Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(float.IsFinite(sink));
    }

    /// <summary>Half inputs compute in float and round each gradient once: against the double kernels' gradients.</summary>
    [Fact]
    public void Half_gradients_round_the_float_computation_once()
    {
        var random = new Random(23);
        nint[] shape = { 3, 37 };
        double[] y = GradientTests.Uniform(random, 3 * 37, -1, 1), m = GradientTests.Uniform(random, 3 * 37, -1, 1), v = GradientTests.Uniform(random, 3 * 37, 0.5, 2);
        Half[] H(double[] x) => x.Select(e => (Half)e).ToArray();
        double[] Up(Half[] x) => x.Select(e => (double)e).ToArray();
        Half[] gm = new Half[m.Length], gv = new Half[v.Length];
        double[] dm = new double[m.Length], dv = new double[v.Length];
        MultiDiffFormulas.GaussianNllGradient(R(H(y), shape), R(H(m), shape), R(H(v), shape), G(gm, shape), G(gv, shape), Reduction.Sum);
        MultiDiffFormulas.GaussianNllGradient(R(Up(H(y)), shape), R(Up(H(m)), shape), R(Up(H(v)), shape), G(dm, shape), G(dv, shape), Reduction.Sum);
        for (int i = 0; i < m.Length; i++)
        {
            Assert.True(Math.Abs((double)gm[i] - dm[i]) <= 1e-3 * Math.Abs(dm[i]) + 1e-6, $"mean[{i}]: {gm[i]} vs {dm[i]}");
            Assert.True(Math.Abs((double)gv[i] - dv[i]) <= 1e-3 * Math.Abs(dv[i]) + 1e-6, $"variance[{i}]: {gv[i]} vs {dv[i]}");
        }
    }

    [Fact]
    public void Each_destination_is_checked_at_entry_with_its_name_and_both_shapes()
    {
        nint[] shape = { 2, 3 };
        double[] y = new double[6], m = new double[6], v = Enumerable.Repeat(1.0, 6).ToArray();
        var e = Assert.Throws<ShapeMismatchException>(() => MultiDiffFormulas.GaussianNllGradient(R(y, shape), R(m, shape), R(v, shape), G(new double[6], shape), G(new double[4], new nint[] { 2, 2 })));
        Assert.Contains("GaussianNll", e.Message);
        Assert.Contains("gradientVariance has shape [2, 2] but variance has shape [2, 3]", e.Message);
        e = Assert.Throws<ShapeMismatchException>(() => MultiDiffFormulas.GaussianNllGradient(R(y, shape), R(m, shape), R(v, shape), G(new double[5], new nint[] { 5 }), G(new double[6], shape)));
        Assert.Contains("gradientMean has shape [5] but mean has shape [2, 3]", e.Message);
        // a flat destination of as many elements is accepted
        MultiDiffFormulas.GaussianNllGradient(R(y, shape), R(m, shape), R(v, shape), G(new double[6], new nint[] { 6 }), G(new double[6], shape));
    }
}
