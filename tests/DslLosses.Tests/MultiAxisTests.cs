using System;
using System.Linq;
using System.Numerics.Tensors;
using System.Reflection;
using DslLosses.Kernels;
using DslLosses.Tests.Infrastructure;
using Xunit;
using Unsafe = System.Runtime.CompilerServices.Unsafe;

namespace DslLosses.Tests;

/// <summary>
/// Reductions over several trailing axes (<see cref="MultiAxisFormulas"/>): per-sample values and every reduction, with
/// and without sample weights, against float64 references written here; gradients against central differences of those
/// references; every SIMD width path and the row tiles; and the shape errors.
/// </summary>
[Trait("Category", "Kernels")]
public class MultiAxisTests
{
    private delegate T TotalOf<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, Reduction reduction, ReadOnlyTensorSpan<T> sampleWeight);

    private delegate Tensor<T> PerSampleOf<T>(ReadOnlyTensorSpan<T> yTrue, ReadOnlyTensorSpan<T> yPred, ReadOnlyTensorSpan<T> sampleWeight);

    private delegate void GradientOf(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, TensorSpan<double> gradient, Reduction reduction, ReadOnlyTensorSpan<double> sampleWeight);

    /// <summary>A generated public entry point of a two-tensor formula of <see cref="MultiAxisFormulas"/>, by name and parameter types.</summary>
    private static TDelegate Entry<TDelegate>(string name, params Type[] parameters) where TDelegate : Delegate
        => (typeof(MultiAxisFormulas).GetMethod(name, BindingFlags.Public | BindingFlags.Static, parameters)
            ?? throw new InvalidOperationException($"no generated entry point {name}")).CreateDelegate<TDelegate>();

    private static TotalOf<T> Total<T>(string name)
        => Entry<TotalOf<T>>(name, typeof(ReadOnlyTensorSpan<T>), typeof(ReadOnlyTensorSpan<T>), typeof(Reduction), typeof(ReadOnlyTensorSpan<T>));

    private static PerSampleOf<T> PerSample<T>(string name)
        => Entry<PerSampleOf<T>>(name + "PerSample", typeof(ReadOnlyTensorSpan<T>), typeof(ReadOnlyTensorSpan<T>), typeof(ReadOnlyTensorSpan<T>));

    private static GradientOf Gradient(string name)
        => Entry<GradientOf>(name + "Gradient", typeof(ReadOnlyTensorSpan<double>), typeof(ReadOnlyTensorSpan<double>), typeof(TensorSpan<double>), typeof(Reduction), typeof(ReadOnlyTensorSpan<double>));

    private static ReadOnlyTensorSpan<T> S<T>(T[] values, nint[] shape) => new(values, shape, default);

    private static ReadOnlyTensorSpan<T> W<T>(T[]? w) => w is null ? default : new ReadOnlyTensorSpan<T>(w);

    private static int Product(nint[] shape, int from = 0, int to = int.MaxValue) => (int)shape.Skip(from).Take(to - from).Aggregate((nint)1, (a, b) => a * b);

    // ---- float64 references: plain loops over the flattened rows (the kept axes outer, the reduced axes inner) -----

    private static double[] Rows(double[] y, double[] x, nint[] shape, int kept, Func<double[], double[], int, int, double> row)
    {
        int rows = Product(shape, 0, kept), c = Product(shape, kept);
        return Enumerable.Range(0, rows).Select(r => row(y, x, r * c, c)).ToArray();
    }

    private static double DiceRow(double[] y, double[] p, int start, int c)
    {
        double intersection = 0, total = 0;
        for (int j = start; j < start + c; j++)
        {
            intersection += y[j] * p[j];
            total += y[j] + p[j];
        }
        return 1 - (2 * intersection + 1) / (total + 1);
    }

    private static double MseRow(double[] y, double[] p, int start, int c)
    {
        double sum = 0;
        for (int j = start; j < start + c; j++)
            sum += (y[j] - p[j]) * (y[j] - p[j]);
        return sum / c;
    }

    private static double LogSumExp(int start, int c, Func<int, double> value)
    {
        double max = double.NegativeInfinity;
        for (int j = start; j < start + c; j++)
            max = Math.Max(max, value(j));
        double sum = 0;
        for (int j = start; j < start + c; j++)
            sum += Math.Exp(value(j) - max);
        return max + Math.Log(sum);
    }

    private static double SpatialCeRow(double[] t, double[] x, int start, int c)
    {
        double lse = LogSumExp(start, c, j => x[j]), sum = 0;
        for (int j = start; j < start + c; j++)
            sum += t[j] * (x[j] - lse);
        return -sum;
    }

    private static double SpreadRow(double[] y, double[] x, int start, int c)
    {
        double max = double.NegativeInfinity, min = double.PositiveInfinity;
        for (int j = start; j < start + c; j++)
        {
            max = Math.Max(max, x[j] - y[j]);
            min = Math.Min(min, x[j] - y[j]);
        }
        return max - min + LogSumExp(start, c, j => x[j] * y[j]);
    }

    /// <summary>The float64 per-sample losses of a formula: its row function over the flattened rows of the one kept (batch) axis.</summary>
    private static double[] Reference(string name, double[] y, double[] p, nint[] shape) => Rows(y, p, shape, 1, name switch
    {
        "Dice" => DiceRow,
        "SequenceMse" => MseRow,
        "SpatialCe" => SpatialCeRow,
        _ => SpreadRow,
    });

    /// <summary>Central differences in float64 of <paramref name="f"/> at <paramref name="x"/>.</summary>
    private static double[] CentralDifferences(double[] x, Func<double[], double> f)
    {
        var numeric = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double h = 1e-6 * Math.Max(1, Math.Abs(x[i]));
            double[] up = (double[])x.Clone(), down = (double[])x.Clone();
            up[i] += h;
            down[i] -= h;
            numeric[i] = (f(up) - f(down)) / (2 * h);
        }
        return numeric;
    }

    /// <summary>Inputs for a formula: labels in [0, 1], predictions in (0, 1) (logits for the cross-entropy).</summary>
    private static (double[] Y, double[] P) Inputs(string name, int n, int seed)
    {
        var random = new Random(seed);
        double[] y = GradientTests.Uniform(random, n, 0, 1);
        double[] p = name == "SpatialCe" ? GradientTests.Uniform(random, n, -3, 3) : GradientTests.Uniform(random, n, 0.05, 0.95);
        return (y, p);
    }

    /// <summary>The reduced total of weighted per-sample losses, as README's reduction table defines it (weights in the loss shape).</summary>
    private static double Reduce(double[] perSample, double[]? w, Reduction reduction)
    {
        double sum = 0;
        for (int i = 0; i < perSample.Length; i++)
            sum += (w is null ? 1 : w[i]) * perSample[i];
        return reduction switch
        {
            Reduction.Sum or Reduction.None => sum,
            Reduction.SumOverBatchSize => sum / perSample.Length,
            _ => w is null ? sum / perSample.Length : sum / w.Sum(),
        };
    }

    private static readonly Reduction[] Totals = { Reduction.Sum, Reduction.SumOverBatchSize, Reduction.MeanWithSampleWeight };

    private static void Close(double expected, double actual, double tolerance, string what)
        => Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    public static TheoryData<string, nint[]> Shapes() => new()
    {
        { "Dice", new nint[] { 3, 4, 5, 2 } },        // 40 per row: vector rows
        { "Dice", new nint[] { 17, 2, 2, 3 } },       // 12 per row, 17 rows: row tiles
        { "Dice", new nint[] { 2, 1, 3, 1 } },        // 3 per row: the scalar tail alone
        { "SequenceMse", new nint[] { 4, 37 } },
        { "SequenceMse", new nint[] { 20, 5 } },
        { "SpatialCe", new nint[] { 3, 6, 7 } },
        { "SpatialCe", new nint[] { 18, 2, 3 } },
        { "Spread", new nint[] { 5, 3, 11 } },
        { "Spread", new nint[] { 16, 2, 2 } },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Values_for_every_reduction_with_and_without_weights(string name, nint[] shape)
    {
        int n = Product(shape), rows = (int)shape[0];
        (double[] y, double[] p) = Inputs(name, n, n + rows);
        float[] yf = y.Select(v => (float)v).ToArray(), pf = p.Select(v => (float)v).ToArray();
        double[] expected = Reference(name, y, p, shape);
        double[] expectedF = Reference(name, yf.Select(v => (double)v).ToArray(), pf.Select(v => (double)v).ToArray(), shape);
        Assert.Equal(rows, expected.Length);
        double[] weights = GradientTests.Uniform(new Random(rows), rows, 0.1, 2);
        float[] weightsF = weights.Select(v => (float)v).ToArray();
        double[] weightsUp = weightsF.Select(v => (double)v).ToArray();
        foreach (bool weighted in new[] { false, true })
        {
            double[]? w = weighted ? weights : null;
            Tensor<double> perSample = PerSample<double>(name)(S(y, shape), S(p, shape), W(w));
            Assert.Equal(new nint[] { rows }, perSample.Lengths.ToArray());
            Tensor<float> perSampleF = PerSample<float>(name)(S(yf, shape), S(pf, shape), W(weighted ? weightsF : null));
            for (int r = 0; r < rows; r++)
            {
                Close(expected[r] * (w?[r] ?? 1), perSample[r], 1e-12, $"{name} double row {r} weighted={weighted}");
                Close(expectedF[r] * (weighted ? weightsUp[r] : 1), perSampleF[r], 5e-6, $"{name} float row {r} weighted={weighted}");
            }
            if (!weighted)
            {
                // Half: computed in float on the inputs as stored, rounded once
                Half[] yh = y.Select(v => (Half)v).ToArray(), ph = p.Select(v => (Half)v).ToArray();
                double[] expectedH = Reference(name, yh.Select(v => (double)v).ToArray(), ph.Select(v => (double)v).ToArray(), shape);
                Tensor<Half> perSampleH = PerSample<Half>(name)(S(yh, shape), S(ph, shape), default);
                for (int r = 0; r < rows; r++)
                    Close(expectedH[r], (double)perSampleH[r], 1e-3, $"{name} Half row {r}");
            }
            foreach (Reduction reduction in Totals)
            {
                Close(Reduce(expected, w, reduction), Total<double>(name)(S(y, shape), S(p, shape), reduction, W(w)), 1e-12, $"{name} double {reduction} weighted={weighted}");
                Close(Reduce(expectedF, weighted ? weightsUp : null, reduction), Total<float>(name)(S(yf, shape), S(pf, shape), reduction, W(weighted ? weightsF : null)), 5e-6, $"{name} float {reduction} weighted={weighted}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gradients_match_central_differences_of_the_float64_reference(string name, nint[] shape)
    {
        int n = Product(shape), rows = (int)shape[0];
        (double[] y, double[] p) = Inputs(name, n, 2 * n + rows);
        double[] weights = GradientTests.Uniform(new Random(rows + 1), rows, 0.1, 2);
        foreach (Reduction reduction in new[] { Reduction.Sum, Reduction.SumOverBatchSize, Reduction.MeanWithSampleWeight, Reduction.None })
        {
            foreach (double[]? w in new[] { null, weights })
            {
                var g = new double[n];
                Gradient(name)(S(y, shape), S(p, shape), new TensorSpan<double>(g, shape), reduction, W(w));
                double[] numeric = CentralDifferences(p, x => Reduce(Reference(name, y, x, shape), w, reduction));
                double diff = Math.Sqrt(g.Zip(numeric, (a, b) => (a - b) * (a - b)).Sum());
                double norm = Math.Sqrt(numeric.Sum(v => v * v));
                Assert.True(norm > 0, $"{name}: the finite-difference gradient is zero");
                Assert.True(diff <= 1e-6 * norm, $"{name} {reduction} weights={(w is null ? "no" : "yes")}: relative error {diff / norm:E2}");
            }
        }
    }

    // ---- every width path: the generic bodies called with each lanes type on the flattened geometry -----------

    private delegate double Body<T, TC>(ref T a, ref T b, nint outer, nint c, nint inner, nint start, ref T sw, in WeightMap wm, ref T output);

    private delegate double GradientBody<T, TC>(ref T a, ref T b, nint outer, nint c, nint inner, nint start, ref T sw, in WeightMap wm, ref T grad, TC scale);

    private delegate double TileBody(ref float a, ref float b, nint outer, nint c, nint inner, nint start, ref float sw, in WeightMap wm, ref float output, out nint rows);

    private static TDelegate Generated<TDelegate>(string name, params Type[] arguments) where TDelegate : Delegate
        => GeneratedBodies.Body<TDelegate>(typeof(MultiAxisFormulas), name, arguments);

    private static int LaneCount(Type lanes) => lanes.Name switch
    {
        "Float512" => 16,
        "Float256" or "Double512" => 8,
        "Float128" or "Double256" => 4,
        "Double128" => 2,
        _ => 1,
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_width_gives_the_reference_losses_and_gradients(string name, nint[] shape)
    {
        int n = Product(shape), rows = (int)shape[0], c = n / rows;
        (double[] y, double[] p) = Inputs(name, n, 3 * n + rows);
        float[] yf = y.Select(v => (float)v).ToArray(), pf = p.Select(v => (float)v).ToArray();
        double[] yUp = yf.Select(v => (double)v).ToArray(), pUp = pf.Select(v => (double)v).ToArray();
        double[] expected = Reference(name, yUp, pUp, shape);
        double[] expectedGradient = CentralDifferences(pUp, x => Reference(name, yUp, x, shape).Sum());

        // a width runs a row of at least its lane count (the dispatchers' rule); the one-element lanes take any row
        foreach (Type lanes in new[] { typeof(Float512), typeof(Float256), typeof(Float128), typeof(FloatScalar) }.Where(l => c >= LaneCount(l)))
        {
            float[] perSample = new float[rows], unused = new float[rows], gradient = new float[n];
            double total = Generated<Body<float, float>>($"__{name}_LossInFloat", typeof(float), lanes, typeof(Kernels.Totals), typeof(Unweighted))
                (ref yf[0], ref pf[0], rows, c, 1, 0, ref Unsafe.NullRef<float>(), default, ref unused[0]);
            Generated<Body<float, float>>($"__{name}_LossInFloat", typeof(float), lanes, typeof(PerSample), typeof(Unweighted))
                (ref yf[0], ref pf[0], rows, c, 1, 0, ref Unsafe.NullRef<float>(), default, ref perSample[0]);
            Generated<GradientBody<float, float>>($"__{name}_GradientInFloat", typeof(float), lanes, typeof(GradientOnly), typeof(Unweighted))
                (ref yf[0], ref pf[0], rows, c, 1, 0, ref Unsafe.NullRef<float>(), default, ref gradient[0], 1f);
            Close(expected.Sum(), total, 5e-6, $"{name} {lanes.Name} total");
            for (int r = 0; r < rows; r++)
                Close(expected[r], perSample[r], 5e-6, $"{name} {lanes.Name} row {r}");
            for (int i = 0; i < n; i++)
                Close(expectedGradient[i], gradient[i], 1e-4, $"{name} {lanes.Name} gradient {i}");
        }
        foreach (Type lanes in new[] { typeof(Double512), typeof(Double256), typeof(Double128), typeof(DoubleScalar) }.Where(l => c >= LaneCount(l)))
        {
            double[] perSample = new double[rows], gradient = new double[n];
            Generated<Body<double, double>>($"__{name}_LossInDouble", typeof(double), lanes, typeof(PerSample), typeof(Unweighted))
                (ref yUp[0], ref pUp[0], rows, c, 1, 0, ref Unsafe.NullRef<double>(), default, ref perSample[0]);
            Generated<GradientBody<double, double>>($"__{name}_GradientInDouble", typeof(double), lanes, typeof(GradientOnly), typeof(Unweighted))
                (ref yUp[0], ref pUp[0], rows, c, 1, 0, ref Unsafe.NullRef<double>(), default, ref gradient[0], 1.0);
            for (int r = 0; r < rows; r++)
                Close(expected[r], perSample[r], 1e-12, $"{name} {lanes.Name} row {r}");
            for (int i = 0; i < n; i++)
                Close(expectedGradient[i], gradient[i], 1e-6, $"{name} {lanes.Name} gradient {i}");
        }

        // narrow flattened rows go through the row tiles (one row per lane) where the dispatcher would take them
        foreach (Type lanes in new[] { typeof(Float512), typeof(Float256) })
        {
            int lanesCount = lanes == typeof(Float512) ? 16 : 8;
            nint limit = lanes == typeof(Float512) ? Float512.MaxTileColumns(2) : Float256.MaxTileColumns(2);
            if (c > limit || rows < lanesCount)
                continue;
            float[] perSample = new float[rows];
            Generated<TileBody>($"__{name}_LossInRowTiles", lanes, typeof(PerSample))
                (ref yf[0], ref pf[0], rows, c, 1, 0, ref Unsafe.NullRef<float>(), default, ref perSample[0], out nint done);
            Assert.Equal(rows / lanesCount * lanesCount, (int)done);
            for (int r = 0; r < (int)done; r++)
                Close(expected[r], perSample[r], 5e-6, $"{name} {lanes.Name} tile row {r}");
        }
    }

    // ---- a row tensor beside several reduced axes, weights in the kept shape ---------------------------------

    [Fact]
    public void Frame_mae_keeps_the_leading_axes_and_takes_weights_of_their_shape()
    {
        nint[] shape = { 3, 4, 2, 5 };
        const int rows = 12, c = 10;
        var random = new Random(11);
        double[] y = GradientTests.Uniform(random, rows * c, -1, 1), p = GradientTests.Uniform(random, rows * c, -1, 1);
        double[] scale = GradientTests.Uniform(random, rows, 0.5, 2), weights = GradientTests.Uniform(random, rows, 0.1, 2);
        double[] perSample = Enumerable.Range(0, rows).Select(r => scale[r] * Enumerable.Range(0, c).Sum(j => Math.Abs(y[r * c + j] - p[r * c + j])) / c).ToArray();

        Tensor<double> actual = MultiAxisFormulas.FrameMaePerSample(S(y, shape), S(p, shape), S(scale, new nint[] { 3, 4 }));
        Assert.Equal(new nint[] { 3, 4 }, actual.Lengths.ToArray());
        for (int r = 0; r < rows; r++)
            Close(perSample[r], actual[r / 4, r % 4], 1e-12, $"row {r}");
        foreach (Reduction reduction in Totals)
        {
            Close(Reduce(perSample, null, reduction), MultiAxisFormulas.FrameMae(S(y, shape), S(p, shape), S(scale, new nint[] { 3, 4 }), reduction), 1e-12, $"{reduction}");
            Close(Reduce(perSample, weights, reduction),
                MultiAxisFormulas.FrameMae(S(y, shape), S(p, shape), S(scale, new nint[] { 3, 4 }), reduction, S(weights, new nint[] { 3, 4 })), 1e-12, $"{reduction} weighted [3, 4]");
        }
        // one weight per sample ([B]) against the [B, T] losses: each weight covers its sample's T losses
        double[] perBatch = { 0.5, 2, 1.5 };
        double[] broadcast = Enumerable.Range(0, rows).Select(r => perBatch[r / 4]).ToArray();
        Close(Reduce(perSample, broadcast, Reduction.Sum), MultiAxisFormulas.FrameMae(S(y, shape), S(p, shape), S(scale, new nint[] { 3, 4 }), Reduction.Sum, perBatch), 1e-12, "Sum weighted [B]");

        GradientTests.Check("FrameMae", p,
            (x, r, w) => MultiAxisFormulas.FrameMae(S(y, shape), S(x, shape), S(scale, new nint[] { 3, 4 }), r, W(w)),
            (x, g, r, w) => MultiAxisFormulas.FrameMaeGradient(S(y, shape), S(x, shape), S(scale, new nint[] { 3, 4 }), new TensorSpan<double>(g, shape), r, W(w)),
            batch: 3);
    }

    // ---- shape errors name the loss, both arguments and both shapes ------------------------------------------

    [Fact]
    public void Shape_errors_name_the_loss_both_arguments_and_both_shapes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => MultiAxisFormulas.Dice(S(new double[24], new nint[] { 2, 2, 2, 3 }), S(new double[24], new nint[] { 2, 2, 3, 2 })));
        Assert.StartsWith("Dice: yTrue has shape [2, 2, 2, 3] but yPred has shape [2, 2, 3, 2]; ", e.Message);

        var row = Assert.Throws<ShapeMismatchException>(() => MultiAxisFormulas.FrameMae(S(new double[24], new nint[] { 2, 3, 2, 2 }), S(new double[24], new nint[] { 2, 3, 2, 2 }), S(new double[8], new nint[] { 2, 4 })));
        Assert.Equal("FrameMae: yTrue has shape [2, 3, 2, 2] but scale has shape [2, 4]; scale must have the shape of yTrue without the reduced axes 2, 3.", row.Message.Split(Environment.NewLine)[0].Split(" (Parameter")[0]);

        var rank = Assert.Throws<ShapeMismatchException>(() => MultiAxisFormulas.Dice(S(new double[12], new nint[] { 2, 2, 3 }), S(new double[12], new nint[] { 2, 2, 3 })));
        Assert.Contains("yTrue has shape [2, 2, 3] (rank 3) but is declared (B, H, W, C) (rank 4)", rank.Message);

        var weights = Assert.ThrowsAny<ArgumentException>(() => MultiAxisFormulas.Dice(S(new double[24], new nint[] { 2, 2, 2, 3 }), S(new double[24], new nint[] { 2, 2, 2, 3 }), Reduction.Sum, new double[] { 1, 2, 3 }));
        Assert.Contains("[3]", weights.Message);
        Assert.Contains("[2]", weights.Message);

        var destination = Assert.Throws<ShapeMismatchException>(() => MultiAxisFormulas.Dice(S(new double[24], new nint[] { 2, 2, 2, 3 }), S(new double[24], new nint[] { 2, 2, 2, 3 }), new TensorSpan<double>(new double[4])));
        Assert.Contains("the per-sample loss has shape [2]", destination.Message);
    }
}

/// <summary>A formula over several axes on an input large enough to be cut into chunks run on several threads.</summary>
[Collection(nameof(ParallelSumTests))] // changes the process-wide Parallelism setting
[Trait("Category", "Kernels")]
public class MultiAxisParallelTests
{
    [Fact]
    public void Dice_on_a_large_batch_is_bit_identical_for_1_2_and_3_threads_and_matches_float64()
    {
        nint[] shape = { 256, 16, 16, 8 };
        const int rows = 256, c = 16 * 16 * 8;
        Assert.True(ParallelSum.ShouldSplit(rows, c), "the input must take the chunked path for this test to mean anything");
        var random = new Random(5);
        float[] y = Enumerable.Range(0, rows * c).Select(_ => random.NextDouble() < 0.3 ? 1f : 0f).ToArray();
        float[] p = Enumerable.Range(0, rows * c).Select(_ => (float)random.NextDouble()).ToArray();
        var span = (float[] data) => new ReadOnlyTensorSpan<float>(data, shape, default);
        float[] totals = ParallelSumTests.WithThreads(() => MultiAxisFormulas.Dice(span(y), span(p)), 1, 2, 3);
        Assert.Equal(BitConverter.SingleToInt32Bits(totals[0]), BitConverter.SingleToInt32Bits(totals[1]));
        Assert.Equal(BitConverter.SingleToInt32Bits(totals[0]), BitConverter.SingleToInt32Bits(totals[2]));

        double expected = 0;
        for (int r = 0; r < rows; r++)
        {
            double intersection = 0, total = 0;
            for (int j = r * c; j < (r + 1) * c; j++)
            {
                intersection += (double)y[j] * p[j];
                total += (double)y[j] + p[j];
            }
            expected += 1 - (2 * intersection + 1) / (total + 1);
        }
        expected /= rows;
        Assert.True(Math.Abs(totals[0] - expected) <= 1e-5 * Math.Abs(expected), $"expected {expected:R}, got {totals[0]:R}");
    }
}
