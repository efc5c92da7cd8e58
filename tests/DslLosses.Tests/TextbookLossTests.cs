// The twenty textbook losses of TextbookLossFormulas.cs, each checked against a float64 reference written here with
// plain loops from its textbook (Keras, PyTorch or paper) definition: per-sample values and every reduction, with and
// without sample weights, in float32 and float64, and the gradient by every differentiable input (Gaussian NLL's mean
// and variance, contrastive's two embeddings: one call, one destination each) against central differences of that
// reference, on shapes that take more than one SIMD width (7x5, 9x12, 20x6 and 33x130; Dice and Tversky take them as
// [B, H, W, C] segmentation maps, 7x5x1x1, 9x2x3x2, 20x1x2x3 and 33x5x2x13, reduced over every non-batch axis).
//
// Formula lines: each method of TextbookLossFormulas.cs from its signature to its last line, blank and comment lines
// not counted (Formula_line_counts_match_the_table recounts them from the source):
//
// formula-lines-begin
//   loss                                    method              lines
//   MSE                                     Mse                 2
//   MAE                                     Mae                 2
//   MAPE                                    Mape                2
//   MSLE                                    Msle                2
//   Huber                                   Huber               5
//   LogCosh                                 LogCosh             2
//   Hinge                                   Hinge               2
//   SquaredHinge                            SquaredHinge        2
//   CategoricalHinge                        CategoricalHinge    6
//   CosineSimilarity                        CosineSimilarity    2
//   (its helper, written once, used twice)  L2Normalize         1
//   categorical focal on logits             CategoricalFocal    5
//   binary focal                            BinaryFocal         8
//   Dice over [B, H, W, C]                  Dice                5
//   Tversky over [B, H, W, C]               Tversky             7
//   label-smoothed CCE by hand              SmoothedCce         5
//   contrastive (both embeddings)           Contrastive         5
//   BCE with a per-class pos_weight         PosWeightBce        2
//   Poisson NLL with log input              PoissonNll          2
//   Gaussian NLL (mean and variance)        GaussianNll         5
//   pinball (quantile)                      Pinball             5
// formula-lines-end

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using L = DslLosses.Tests.TextbookLosses;

namespace DslLosses.Tests;

/// <summary>
/// One textbook loss: how its arguments are drawn, which one the gradient is taken by, its float64 reference (one row,
/// plain loops) and its generated entry points (called through the generic dispatchers, so float and double share them).
/// </summary>
internal abstract class Textbook(int[] differentiable, Textbook.Input[] inputs, Func<int, double[]>? scalars = null)
{
    /// <summary>How a formula's tensor argument is laid out: the full [rows, cols] shape, one value per class, or one per row.</summary>
    internal enum Layout { Full, PerClass, PerRow }

    /// <summary>How its values are drawn.</summary>
    internal enum Draw { Uniform, Binary, PlusMinusOne, OneHot }

    /// <summary>A tensor argument of a formula: its layout and how its values are drawn (uniform in [lo, hi]).</summary>
    internal sealed record Input(Layout Layout, Draw Draw, double Lo = 0, double Hi = 1)
    {
        public double[] Make(Random random, int rows, int cols)
        {
            int n = Layout switch { Layout.Full => rows * cols, Layout.PerClass => cols, _ => rows };
            var values = new double[n];
            for (int i = 0; i < n; i++)
            {
                values[i] = Draw switch
                {
                    Draw.Binary => random.Next(2),
                    Draw.PlusMinusOne => random.Next(2) * 2 - 1,
                    Draw.OneHot => 0,
                    _ => Lo + (Hi - Lo) * random.NextDouble(),
                };
            }
            if (Draw == Draw.OneHot)
            {
                for (int r = 0; r < rows; r++)
                    values[r * cols + random.Next(cols)] = 1;
            }
            return values;
        }
    }

    /// <summary>
    /// The arguments of one call: the tensors (as spans of the shape their layout says) and the scalars. The full shape
    /// is [rows, ..dims]; <see cref="Cols"/> is the number of elements of a row (the product of <paramref name="dims"/>).
    /// </summary>
    internal sealed class Data<T>(int rows, int[] dims, Layout[] layouts, T[][] tensors, T[] scalars) where T : unmanaged
    {
        private readonly nint[] full = [rows, .. dims.Select(n => (nint)n)];
        private readonly int cols = dims.Aggregate(1, (a, b) => a * b);

        public int Rows => rows;

        public int Cols => cols;

        /// <summary>The non-batch axes of the full shape.</summary>
        public int[] Dims => dims;

        /// <summary>The full shape, as "rows x dims".</summary>
        public string Shape => string.Join("x", full);

        public T[][] Tensors => tensors;

        public Layout[] Layouts => layouts;

        /// <summary>TensorExpr argument <paramref name="i"/> as the formula takes it.</summary>
        public ReadOnlyTensorSpan<T> this[int i] => layouts[i] == Layout.Full ? new(tensors[i], full, default) : new(tensors[i]);

        /// <summary>Element (r, j) of tensor argument <paramref name="i"/>, broadcast as the formula broadcasts it.</summary>
        public T this[int i, int r, int j] => layouts[i] switch { Layout.Full => tensors[i][r * cols + j], Layout.PerClass => tensors[i][j], _ => tensors[i][r] };

        /// <summary>Element (r, h, w, c) of full-shape tensor argument <paramref name="i"/> of shape [rows, H, W, C].</summary>
        public T this[int i, int r, int h, int w, int c] => tensors[i][((r * dims[0] + h) * dims[1] + w) * dims[2] + c];

        /// <summary>Scalar argument <paramref name="i"/>.</summary>
        public T S(int i) => scalars[i];

        public Data<TOut> Convert<TOut>(Func<T, TOut> convert) where TOut : unmanaged
            => new(rows, dims, layouts, tensors.Select(t => t.Select(convert).ToArray()).ToArray(), scalars.Select(convert).ToArray());

        public Data<T> Clone() => new(rows, dims, layouts, tensors.Select(t => (T[])t.Clone()).ToArray(), (T[])scalars.Clone());
    }

    public string Name => GetType().Name;

    /// <summary>The tensor arguments the formula differentiates by, in parameter order (one gradient destination each).</summary>
    public IReadOnlyList<int> Differentiable => differentiable;

    /// <summary>The non-batch axes of the full shape whose rows have <paramref name="cols"/> elements.</summary>
    public virtual int[] Dims(int cols) => [cols];

    public Data<double> Make(Random random, int rows, int cols)
        => new(rows, Dims(cols), inputs.Select(i => i.Layout).ToArray(), inputs.Select(i => i.Make(random, rows, cols)).ToArray(), scalars?.Invoke(cols) ?? []);

    /// <summary>One gradient destination per differentiable argument, each a span of that argument's shape.</summary>
    internal sealed class Destinations<T>(Data<T> d, int[] inputs, T[][] arrays) where T : unmanaged
    {
        public TensorSpan<T> this[int k] => new(arrays[k], d[inputs[k]].Lengths, default);
    }

    /// <summary>The per-sample loss of row <paramref name="r"/>, in float64 with plain loops.</summary>
    public abstract double Reference(Data<double> d, int r);

    public abstract T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> sampleWeight) where T : unmanaged;

    public abstract void PerSample<T>(Data<T> d, TensorSpan<T> destination, ReadOnlyTensorSpan<T> sampleWeight) where T : unmanaged;

    /// <summary>The gradient of the reduced loss by each differentiable argument, <c>g[k]</c> by <c>Differentiable[k]</c>.</summary>
    public abstract void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> sampleWeight) where T : unmanaged;

    protected static Input Full(double lo, double hi) => new(Layout.Full, Draw.Uniform, lo, hi);

    protected static Input PerClass(double lo, double hi) => new(Layout.PerClass, Draw.Uniform, lo, hi);

    protected static readonly Input Binary = new(Layout.Full, Draw.Binary), Signs = new(Layout.Full, Draw.PlusMinusOne), OneHot = new(Layout.Full, Draw.OneHot);

    protected static readonly Input RowBinary = new(Layout.PerRow, Draw.Binary);

    protected static double Sq(double x) => x * x;

    protected static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    protected static double Sum(int cols, Func<int, double> term)
    {
        double sum = 0;
        for (int j = 0; j < cols; j++)
            sum += term(j);
        return sum;
    }

    protected static double Mean(int cols, Func<int, double> term) => Sum(cols, term) / cols;

    protected static double Max(int cols, Func<int, double> term)
    {
        double max = double.NegativeInfinity;
        for (int j = 0; j < cols; j++)
            max = Math.Max(max, term(j));
        return max;
    }

    /// <summary>The log softmax of row <paramref name="r"/> of tensor <paramref name="i"/>.</summary>
    protected static double[] LogSoftmax(Data<double> d, int i, int r)
    {
        double max = Max(d.Cols, k => d[i, r, k]);
        double logSum = Math.Log(Sum(d.Cols, k => Math.Exp(d[i, r, k] - max)));
        var result = new double[d.Cols];
        for (int j = 0; j < d.Cols; j++)
            result[j] = d[i, r, j] - max - logSum;
        return result;
    }
}

/// <summary>The twenty losses: their arguments, references and entry points.</summary>
internal static class TextbookCases
{
    public static readonly Textbook[] All =
    [
        new Mse(), new Mae(), new Mape(), new Msle(), new Huber(), new LogCosh(), new Hinge(), new SquaredHinge(),
        new CategoricalHinge(), new CosineSimilarity(), new CategoricalFocal(), new BinaryFocal(), new Dice(), new Tversky(),
        new SmoothedCce(), new Contrastive(), new PosWeightBce(), new PoissonNll(), new GaussianNll(), new Pinball(),
    ];

    private sealed class Mse() : Textbook([1], [Full(-1, 1), Full(-2, 2)])
    {
        public override double Reference(Data<double> d, int r) => Mean(d.Cols, j => Sq(d[1, r, j] - d[0, r, j]));
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.Mse(d[0], d[1], reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.Mse(d[0], d[1], o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.MseGradient(d[0], d[1], g[0], reduction, w);
    }

    private sealed class Mae() : Textbook([1], [Full(-1, 1), Full(-2, 2)])
    {
        public override double Reference(Data<double> d, int r) => Mean(d.Cols, j => Math.Abs(d[1, r, j] - d[0, r, j]));
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.Mae(d[0], d[1], reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.Mae(d[0], d[1], o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.MaeGradient(d[0], d[1], g[0], reduction, w);
    }

    private sealed class Mape() : Textbook([1], [Full(0.2, 3), Full(-1, 3)])
    {
        public override double Reference(Data<double> d, int r) => 100 * Mean(d.Cols, j => Math.Abs(d[0, r, j] - d[1, r, j]) / Math.Max(Math.Abs(d[0, r, j]), 1e-7));
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.Mape(d[0], d[1], reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.Mape(d[0], d[1], o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.MapeGradient(d[0], d[1], g[0], reduction, w);
    }

    private sealed class Msle() : Textbook([1], [Full(0, 3), Full(0.01, 3)])
    {
        public override double Reference(Data<double> d, int r)
            => Mean(d.Cols, j => Sq(Math.Log(Math.Max(d[1, r, j], 1e-7) + 1) - Math.Log(Math.Max(d[0, r, j], 1e-7) + 1)));
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.Msle(d[0], d[1], reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.Msle(d[0], d[1], o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.MsleGradient(d[0], d[1], g[0], reduction, w);
    }

    // delta 0.7: errors on both sides of the threshold
    private sealed class Huber() : Textbook([1], [Full(-1, 1), Full(-2, 2)], _ => [0.7])
    {
        public override double Reference(Data<double> d, int r)
        {
            double delta = d.S(0);
            return Mean(d.Cols, j =>
            {
                double e = Math.Abs(d[1, r, j] - d[0, r, j]);
                return e <= delta ? 0.5 * e * e : delta * e - 0.5 * delta * delta;
            });
        }
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.Huber(d[0], d[1], d.S(0), reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.Huber(d[0], d[1], d.S(0), o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.HuberGradient(d[0], d[1], d.S(0), g[0], reduction, w);
    }

    private sealed class LogCosh() : Textbook([1], [Full(-1, 1), Full(-2, 2)])
    {
        public override double Reference(Data<double> d, int r) => Mean(d.Cols, j => Math.Log(Math.Cosh(d[1, r, j] - d[0, r, j])));
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.LogCosh(d[0], d[1], reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.LogCosh(d[0], d[1], o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.LogCoshGradient(d[0], d[1], g[0], reduction, w);
    }

    private sealed class Hinge() : Textbook([1], [Signs, Full(-2, 2)])
    {
        public override double Reference(Data<double> d, int r) => Mean(d.Cols, j => Math.Max(1 - d[0, r, j] * d[1, r, j], 0));
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.Hinge(d[0], d[1], reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.Hinge(d[0], d[1], o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.HingeGradient(d[0], d[1], g[0], reduction, w);
    }

    private sealed class SquaredHinge() : Textbook([1], [Signs, Full(-2, 2)])
    {
        public override double Reference(Data<double> d, int r) => Mean(d.Cols, j => Sq(Math.Max(1 - d[0, r, j] * d[1, r, j], 0)));
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.SquaredHinge(d[0], d[1], reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.SquaredHinge(d[0], d[1], o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.SquaredHingeGradient(d[0], d[1], g[0], reduction, w);
    }

    private sealed class CategoricalHinge() : Textbook([1], [OneHot, Full(-2, 2)])
    {
        public override double Reference(Data<double> d, int r)
        {
            double pos = Sum(d.Cols, j => d[0, r, j] * d[1, r, j]);
            double neg = Max(d.Cols, j => (1 - d[0, r, j]) * d[1, r, j]);
            return Math.Max(neg - pos + 1, 0);
        }
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.CategoricalHinge(d[0], d[1], reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.CategoricalHinge(d[0], d[1], o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.CategoricalHingeGradient(d[0], d[1], g[0], reduction, w);
    }

    private sealed class CosineSimilarity() : Textbook([1], [Full(-1, 1), Full(-1, 1)])
    {
        public override double Reference(Data<double> d, int r)
        {
            double dot = Sum(d.Cols, j => d[0, r, j] * d[1, r, j]);
            double yy = Sum(d.Cols, j => Sq(d[0, r, j])), pp = Sum(d.Cols, j => Sq(d[1, r, j]));
            return -dot / (Math.Sqrt(Math.Max(yy, 1e-12)) * Math.Sqrt(Math.Max(pp, 1e-12)));
        }
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.CosineSimilarity(d[0], d[1], reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.CosineSimilarity(d[0], d[1], o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.CosineSimilarityGradient(d[0], d[1], g[0], reduction, w);
    }

    // a per-class alpha and gamma 2 (Lin et al.)
    private sealed class CategoricalFocal() : Textbook([1], [OneHot, Full(-3, 3), PerClass(0.25, 1)], _ => [2])
    {
        public override double Reference(Data<double> d, int r)
        {
            double[] logP = LogSoftmax(d, 1, r);
            return -Sum(d.Cols, j => d[2, r, j] * d[0, r, j] * Math.Pow(1 - Math.Exp(logP[j]), d.S(0)) * logP[j]);
        }
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.CategoricalFocal(d[0], d[1], d[2], d.S(0), reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.CategoricalFocal(d[0], d[1], d[2], d.S(0), o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.CategoricalFocalGradient(d[0], d[1], d[2], d.S(0), g[0], reduction, w);
    }

    // alpha 0.25, gamma 2 (torchvision's defaults)
    private sealed class BinaryFocal() : Textbook([1], [Binary, Full(-3, 3)], _ => [0.25, 2])
    {
        public override double Reference(Data<double> d, int r)
        {
            double alpha = d.S(0), gamma = d.S(1);
            return Mean(d.Cols, j =>
            {
                double y = d[0, r, j], p = Sigmoid(d[1, r, j]);
                double ce = -(y * Math.Log(p) + (1 - y) * Math.Log(1 - p));
                double pt = p * y + (1 - p) * (1 - y);
                return (alpha * y + (1 - alpha) * (1 - y)) * Math.Pow(1 - pt, gamma) * ce;
            });
        }
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.BinaryFocal(d[0], d[1], d.S(0), d.S(1), reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.BinaryFocal(d[0], d[1], d.S(0), d.S(1), o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.BinaryFocalGradient(d[0], d[1], d.S(0), d.S(1), g[0], reduction, w);
    }

    /// <summary>
    /// A segmentation loss over [B, H, W, C], reducing every non-batch axis: each shape's row length is split into
    /// H, W and C (a degenerate W and C for 5, every axis above 1 for 12 and 130), and the reference loops over them.
    /// </summary>
    private abstract class Segmentation(Textbook.Input[] inputs, Func<int, double[]> scalars) : Textbook([1], inputs, scalars)
    {
        public override int[] Dims(int cols) => cols switch { 5 => [5, 1, 1], 12 => [2, 3, 2], 6 => [1, 2, 3], 130 => [5, 2, 13], _ => [cols, 1, 1] };

        /// <summary>The sum of <paramref name="term"/>(h, w, c) over every pixel and class of row <paramref name="r"/>.</summary>
        protected static double Over(Data<double> d, int r, Func<int, int, int, double> term)
        {
            int[] dims = d.Dims;
            double sum = 0;
            for (int h = 0; h < dims[0]; h++)
            {
                for (int w = 0; w < dims[1]; w++)
                {
                    for (int c = 0; c < dims[2]; c++)
                        sum += term(h, w, c);
                }
            }
            return sum;
        }
    }

    // smooth 1
    private sealed class Dice() : Segmentation([Binary, Full(0, 1)], _ => [1])
    {
        public override double Reference(Data<double> d, int r)
        {
            double intersection = Over(d, r, (h, w, c) => d[0, r, h, w, c] * d[1, r, h, w, c]);
            double y = Over(d, r, (h, w, c) => d[0, r, h, w, c]), p = Over(d, r, (h, w, c) => d[1, r, h, w, c]);
            return 1 - (2 * intersection + d.S(0)) / (y + p + d.S(0));
        }
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.Dice(d[0], d[1], d.S(0), reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.Dice(d[0], d[1], d.S(0), o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.DiceGradient(d[0], d[1], d.S(0), g[0], reduction, w);
    }

    // alpha 0.3, beta 0.7 (Salehi et al.), smooth 1
    private sealed class Tversky() : Segmentation([Binary, Full(0, 1)], _ => [0.3, 0.7, 1])
    {
        public override double Reference(Data<double> d, int r)
        {
            double tp = Over(d, r, (h, w, c) => d[0, r, h, w, c] * d[1, r, h, w, c]);
            double fp = Over(d, r, (h, w, c) => (1 - d[0, r, h, w, c]) * d[1, r, h, w, c]);
            double fn = Over(d, r, (h, w, c) => d[0, r, h, w, c] * (1 - d[1, r, h, w, c]));
            return 1 - (tp + d.S(2)) / (tp + d.S(0) * fp + d.S(1) * fn + d.S(2));
        }
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.Tversky(d[0], d[1], d.S(0), d.S(1), d.S(2), reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.Tversky(d[0], d[1], d.S(0), d.S(1), d.S(2), o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.TverskyGradient(d[0], d[1], d.S(0), d.S(1), d.S(2), g[0], reduction, w);
    }

    // smoothing 0.1
    private sealed class SmoothedCce() : Textbook([1], [OneHot, Full(-3, 3)], _ => [0.1])
    {
        public override double Reference(Data<double> d, int r)
        {
            double[] logP = LogSoftmax(d, 1, r);
            return -Sum(d.Cols, j => (d[0, r, j] * (1 - d.S(0)) + d.S(0) / d.Cols) * logP[j]);
        }
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.SmoothedCce(d[0], d[1], d.S(0), reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.SmoothedCce(d[0], d[1], d.S(0), o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.SmoothedCceGradient(d[0], d[1], d.S(0), g[0], reduction, w);
    }

    // a margin of sqrt(D): the distance of two uniform [-1, 1] rows is about 0.82 sqrt(D), so most dissimilar pairs
    // are inside it. Differentiable by both embeddings.
    private sealed class Contrastive() : Textbook([0, 1], [Full(-1, 1), Full(-1, 1), RowBinary], cols => [Math.Sqrt(cols)])
    {
        public override double Reference(Data<double> d, int r)
        {
            double distance = Math.Sqrt(Sum(d.Cols, j => Sq(d[0, r, j] - d[1, r, j])));
            double similar = d[2, r, 0];
            return 0.5 * similar * distance * distance + 0.5 * (1 - similar) * Sq(Math.Max(d.S(0) - distance, 0));
        }
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.Contrastive(d[0], d[1], d[2], d.S(0), reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.Contrastive(d[0], d[1], d[2], d.S(0), o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.ContrastiveGradient(d[0], d[1], d[2], d.S(0), g[0], g[1], reduction, w);
    }

    private sealed class PosWeightBce() : Textbook([1], [Binary, Full(-3, 3), PerClass(0.5, 4)])
    {
        public override double Reference(Data<double> d, int r)
            => Mean(d.Cols, j => -(d[2, r, j] * d[0, r, j] * Math.Log(Sigmoid(d[1, r, j])) + (1 - d[0, r, j]) * Math.Log(1 - Sigmoid(d[1, r, j]))));
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.PosWeightBce(d[0], d[1], d[2], reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.PosWeightBce(d[0], d[1], d[2], o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.PosWeightBceGradient(d[0], d[1], d[2], g[0], reduction, w);
    }

    private sealed class PoissonNll() : Textbook([1], [Full(0, 5), Full(-2, 2)])
    {
        public override double Reference(Data<double> d, int r) => Mean(d.Cols, j => Math.Exp(d[1, r, j]) - d[0, r, j] * d[1, r, j]);
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.PoissonNll(d[0], d[1], reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.PoissonNll(d[0], d[1], o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.PoissonNllGradient(d[0], d[1], g[0], reduction, w);
    }

    // PyTorch clamps the variance under no_grad (its gradient by the variance passes the clamp as the identity); the
    // variances drawn here stay above eps, where both agree. Differentiable by the mean and the variance.
    private sealed class GaussianNll() : Textbook([1, 2], [Full(-1, 1), Full(-1, 1), Full(0.1, 2)])
    {
        public override double Reference(Data<double> d, int r)
            => Mean(d.Cols, j =>
            {
                double v = Math.Max(d[2, r, j], 1e-6);
                return 0.5 * (Math.Log(v) + Sq(d[1, r, j] - d[0, r, j]) / v) + 0.5 * Math.Log(2 * Math.PI);
            });
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.GaussianNll(d[0], d[1], d[2], reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.GaussianNll(d[0], d[1], d[2], o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.GaussianNllGradient(d[0], d[1], d[2], g[0], g[1], reduction, w);
    }

    // the 0.8 quantile
    private sealed class Pinball() : Textbook([1], [Full(-1, 1), Full(-2, 2)], _ => [0.8])
    {
        public override double Reference(Data<double> d, int r)
            => Mean(d.Cols, j =>
            {
                double e = d[0, r, j] - d[1, r, j];
                return Math.Max(d.S(0) * e, (d.S(0) - 1) * e);
            });
        public override T Loss<T>(Data<T> d, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.Pinball(d[0], d[1], d.S(0), reduction, w);
        public override void PerSample<T>(Data<T> d, TensorSpan<T> o, ReadOnlyTensorSpan<T> w) => L.Pinball(d[0], d[1], d.S(0), o, w);
        public override void Gradient<T>(Data<T> d, Destinations<T> g, Reduction reduction, ReadOnlyTensorSpan<T> w) => L.PinballGradient(d[0], d[1], d.S(0), g[0], reduction, w);
    }
}

/// <summary>
/// Each textbook loss against its float64 reference: per-sample values and every reduction with and without sample
/// weights, and the gradient of every reduction against central differences of the reference, in float64 and float32.
/// </summary>
[Trait("Category", "Kernels")]
public class TextbookLossTests
{
    private static readonly Reduction[] Reductions = [Reduction.None, Reduction.Sum, Reduction.SumOverBatchSize, Reduction.MeanWithSampleWeight];

    // on AVX-512 hardware, in float: 7x5 takes 128-bit lanes and a tail, 9x12 256-bit lanes and a tail, 20x6 row
    // tiles (a row per lane), 33x130 512-bit lanes and a tail (CI re-runs them with the wider widths switched off)
    private static readonly (int Rows, int Cols)[] Shapes = [(7, 5), (9, 12), (20, 6), (33, 130)];

    public static TheoryData<string, int, int> Cases()
    {
        var data = new TheoryData<string, int, int>();
        foreach (Textbook loss in TextbookCases.All)
        {
            foreach ((int rows, int cols) in Shapes)
                data.Add(loss.Name, rows, cols);
        }
        return data;
    }

    private static Textbook Case(string name) => TextbookCases.All.Single(c => c.Name == name);

    private static Textbook.Data<double> Inputs(string name, int rows, int cols)
        => Case(name).Make(new Random(Array.FindIndex(TextbookCases.All, c => c.Name == name) * 1000 + rows * cols), rows, cols);

    /// <summary>Row weights with a zero among them.</summary>
    private static double[] Weights(int rows) => Enumerable.Range(0, rows).Select(r => r % 5 == 3 ? 0.0 : 0.25 + 0.5 * (r % 4)).ToArray();

    /// <summary>What each row's loss is multiplied by in the reduced value (and in its gradient).</summary>
    private static double[] Coefficients(Reduction reduction, double[]? weights, int rows)
    {
        double divisor = reduction switch
        {
            Reduction.SumOverBatchSize => rows,
            Reduction.MeanWithSampleWeight => weights?.Sum() ?? rows,
            _ => 1,
        };
        return Enumerable.Range(0, rows).Select(r => (weights?[r] ?? 1) / divisor).ToArray();
    }

    private static ReadOnlyTensorSpan<T> Span<T>(T[]? weights) where T : unmanaged => weights is null ? default : new ReadOnlyTensorSpan<T>(weights);

    private static void Close(double expected, double actual, double tolerance, string what)
        => Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    /// <summary>
    /// One call's arguments in one element type, its weights, and the data its reference is computed from (for float,
    /// every argument rounded to float).
    /// </summary>
    private sealed record Setting<T>(Textbook Loss, Textbook.Data<T> Data, T[] Weights, Textbook.Data<double> Reference, string What)
        where T : unmanaged;

    private static (Setting<double> InDouble, Setting<float> InFloat) Settings(string name, int rows, int cols)
    {
        Textbook loss = Case(name);
        Textbook.Data<double> d = Inputs(name, rows, cols);
        double[] weights = Weights(rows);
        return (new(loss, d, weights, d, $"{name} {d.Shape} double"),
            new(loss, d.Convert(v => (float)v), weights.Select(v => (float)v).ToArray(), d.Convert(v => (double)(float)v), $"{name} {d.Shape} float"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Values_of_every_reduction_match_the_reference(string name, int rows, int cols)
    {
        (Setting<double> inDouble, Setting<float> inFloat) = Settings(name, rows, cols);
        Values(inDouble, 1e-12);
        Values(inFloat, 1e-5);
    }

    /// <summary>Per-sample values, then each reduction, with and without weights, against the reference.</summary>
    private static void Values<T>(Setting<T> setting, double tolerance) where T : unmanaged, IConvertible
    {
        (Textbook loss, Textbook.Data<T> d, T[] weights, Textbook.Data<double> reference, string what) = setting;
        double[] perRow = Enumerable.Range(0, d.Rows).Select(r => loss.Reference(reference, r)).ToArray();
        foreach (T[]? w in new[] { null, weights })
        {
            double[]? wd = w?.Select(v => v.ToDouble(null)).ToArray();
            string weighted = w is null ? "no weights" : "weights";
            var destination = new T[d.Rows];
            loss.PerSample(d, new TensorSpan<T>(destination), Span(w));
            for (int r = 0; r < d.Rows; r++)
                Close((wd?[r] ?? 1) * perRow[r], destination[r].ToDouble(null), tolerance, $"{what} None {weighted} row {r}");
            foreach (Reduction reduction in Reductions.Skip(1))
            {
                double[] coefficients = Coefficients(reduction, wd, d.Rows);
                double expected = Enumerable.Range(0, d.Rows).Sum(r => coefficients[r] * perRow[r]);
                Close(expected, loss.Loss(d, reduction, Span(w)).ToDouble(null), tolerance, $"{what} {reduction} {weighted}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradients_of_every_reduction_match_central_differences(string name, int rows, int cols)
    {
        (Setting<double> inDouble, Setting<float> inFloat) = Settings(name, rows, cols);
        Gradients(inDouble, 1e-6);
        Gradients(inFloat, 1e-5);
    }

    /// <summary>
    /// The gradients by every differentiable argument (one call, one destination each) of every reduction, with and
    /// without weights, each against Σ_r c_r ∂l_r/∂x (c_r the row's coefficient in the reduced loss) with ∂l_r/∂x from
    /// central differences of the reference by that argument; <see cref="Reduction.None"/> differentiates the weighted sum.
    /// </summary>
    private static void Gradients<T>(Setting<T> setting, double tolerance) where T : unmanaged, IConvertible
    {
        (Textbook loss, Textbook.Data<T> d, T[] weights, Textbook.Data<double> reference, string what) = setting;
        int[] inputs = [.. loss.Differentiable];
        double[][][] rowDerivatives = inputs.Select(input => RowDerivatives(loss, reference, input)).ToArray();
        foreach (T[]? w in new[] { null, weights })
        {
            double[]? wd = w?.Select(v => v.ToDouble(null)).ToArray();
            foreach (Reduction reduction in Reductions)
            {
                double[] coefficients = Coefficients(reduction == Reduction.None ? Reduction.Sum : reduction, wd, d.Rows);
                T[][] gradients = inputs.Select(input => new T[d.Tensors[input].Length]).ToArray();
                loss.Gradient(d, new Textbook.Destinations<T>(d, inputs, gradients), reduction, Span(w));
                for (int i = 0; i < inputs.Length; i++)
                {
                    double[][] derivatives = rowDerivatives[i];
                    double[] numeric = derivatives.Select(byRow => Enumerable.Range(0, d.Rows).Sum(r => coefficients[r] * byRow[r])).ToArray();
                    double diff = Math.Sqrt(numeric.Select((v, k) => Math.Pow(gradients[i][k].ToDouble(null) - v, 2)).Sum());
                    double norm = Math.Sqrt(numeric.Sum(v => v * v));
                    string by = $"{what} by argument {inputs[i]}";
                    Assert.True(norm > 0, $"{by}: the finite-difference gradient is zero; pick other inputs");
                    Assert.True(diff <= tolerance * norm, $"{by} {reduction} {(w is null ? "no weights" : "weights")}: relative error {diff / norm:E2}");
                }
            }
        }
    }

    [Fact]
    public void Row_derivatives_by_a_per_class_argument_reach_every_row()
    {
        // ∂/∂pw_k of mean_j -(pw_j y_j log σ(x_j) + (1 - y_j) log(1 - σ(x_j))) = -y_k log σ(x_k) / C, in every row
        Textbook.Data<double> d = Inputs("PosWeightBce", 7, 5);
        double[][] derivatives = RowDerivatives(Case("PosWeightBce"), d, 2);
        for (int k = 0; k < 5; k++)
        {
            for (int r = 0; r < 7; r++)
                Assert.Equal(-d[0, r, k] * Math.Log(1 / (1 + Math.Exp(-d[1, r, k]))) / 5, derivatives[k][r], 8);
        }
    }

    /// <summary>
    /// ∂l_r/∂x_k for every element k of argument <paramref name="input"/> and every row r, by central differences of
    /// the reference (only the rows an element reaches are evaluated: its own, or all for a per-class value).
    /// </summary>
    private static double[][] RowDerivatives(Textbook loss, Textbook.Data<double> d, int input)
    {
        Textbook.Data<double> x = d.Clone();
        double[] values = x.Tensors[input];
        var result = new double[values.Length][];
        for (int k = 0; k < values.Length; k++)
        {
            result[k] = new double[d.Rows];
            IEnumerable<int> rows = x.Layouts[input] switch
            {
                Textbook.Layout.Full => [k / d.Cols],
                Textbook.Layout.PerRow => [k],
                _ => Enumerable.Range(0, d.Rows),
            };
            double v = values[k], h = 1e-6 * Math.Max(1, Math.Abs(v));
            foreach (int r in rows)
            {
                values[k] = v + h;
                double up = loss.Reference(x, r);
                values[k] = v - h;
                double down = loss.Reference(x, r);
                values[k] = v;
                result[k][r] = (up - down) / (2 * h);
            }
        }
        return result;
    }
}

/// <summary>The line counts of the header's table are those of the formulas in the source.</summary>
public class TextbookFormulaLineTests
{
    private static string TestsFolder()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DslLosses.sln")))
                return Path.Combine(dir.FullName, "tests", "DslLosses.Tests");
        }
        throw new InvalidOperationException($"No DslLosses.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>Each method's lines from its signature to its last line, blank and comment-only lines not counted.</summary>
    internal static Dictionary<string, int> CountFormulaLines(string source)
    {
        var counts = new Dictionary<string, int>();
        foreach (MethodDeclarationSyntax method in CSharpSyntaxTree.ParseText(source).GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
        {
            int start = method.Modifiers.Count > 0 ? method.Modifiers[0].SpanStart : method.ReturnType.SpanStart;
            counts[method.Identifier.Text] = source[start..method.Span.End].Split('\n')
                .Select(line => line.Trim())
                .Count(line => line.Length > 0 && !line.StartsWith("//", StringComparison.Ordinal));
        }
        return counts;
    }

    /// <summary>The (method, lines) rows of the table between the formula-lines markers of the header comment.</summary>
    internal static Dictionary<string, int> ReadTable(string header)
    {
        string[] lines = header.Split('\n');
        int begin = Array.FindIndex(lines, l => l.Contains("formula-lines-begin")), end = Array.FindIndex(lines, l => l.Contains("formula-lines-end"));
        Assert.True(begin >= 0 && end > begin + 1, "the table's markers are missing");
        return lines[(begin + 2)..end]
            .Select(l => Regex.Match(l, @"^//.*\s(\w+)\s+(\d+)\s*$"))
            .Select(m => { Assert.True(m.Success, "a table row does not end with a method name and a count"); return m; })
            .ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
    }

    [Fact]
    public void Counting_skips_attributes_comments_and_blank_lines()
    {
        const string source = "class C\n{\n    /// <summary>doc</summary>\n    [Loss]\n    static T F(int a)\n    {\n        // a note\n\n        return a;\n    }\n\n    static T G() => 1;\n}\n";
        Assert.Equal(new Dictionary<string, int> { ["F"] = 4, ["G"] = 1 }, CountFormulaLines(source));
    }

    [Fact]
    public void Formula_line_counts_match_the_table()
    {
        Dictionary<string, int> table = ReadTable(File.ReadAllText(Path.Combine(TestsFolder(), "TextbookLossTests.cs")));
        Dictionary<string, int> counted = CountFormulaLines(File.ReadAllText(Path.Combine(TestsFolder(), "TextbookLossFormulas.cs")));
        Assert.Equal(21, table.Count);
        Assert.Equal(counted.OrderBy(p => p.Key), table.OrderBy(p => p.Key));
        // every loss of the table is tested
        Assert.Equal(table.Keys.Where(k => k != "L2Normalize").OrderBy(k => k), TextbookCases.All.Select(c => c.Name).OrderBy(k => k));
    }
}
