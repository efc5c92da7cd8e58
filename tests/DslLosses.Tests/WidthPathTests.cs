using System;
using System.Linq;
using DslLosses.Kernels;
using DslLosses.Tests.Infrastructure;
using Xunit;
using Unsafe = System.Runtime.CompilerServices.Unsafe;

namespace DslLosses.Tests;

/// <summary>
/// Every generated kernel body is one generic method, instantiated by the JIT per width. These tests call the bodies
/// of test formulas and built-in Keras formulas directly with each lanes type — <c>Float512</c>, <c>Float256</c>,
/// <c>Float128</c> and <c>FloatScalar</c> (and the double ones) — on the same inputs, and compare the results: the wide
/// paths are exercised on any machine (a width the hardware lacks runs its software fallback), so no path is tested only
/// where CI happens to have the instruction set. The scalar path is checked against a float64 reference written here.
/// </summary>
[Trait("Category", "Kernels")]
public class WidthPathTests
{
    private delegate double TwoTensorsScalar<T, TC>(ref T a, ref T b, TC s, nint outer, nint c, nint inner, nint start, ref T sw, in WeightMap wm, ref T output);

    private delegate double TwoTensorsScalarGradient<T, TC>(ref T a, ref T b, TC s, nint outer, nint c, nint inner, nint start, ref T sw, in WeightMap wm, ref T grad, TC scale);

    private delegate double TensorLabelsInt(ref float logits, ref int labels, int ignore, nint outer, nint c, nint inner, nint start, ref float sw, in WeightMap wm, ref float output, out nint kept);

    private delegate double TileTwoTensorsScalar(ref float a, ref float b, float s, nint outer, nint c, nint inner, nint start, ref float sw, in WeightMap wm, ref float output, out nint rows);

    private static readonly Type[] FloatLanes = { typeof(Float512), typeof(Float256), typeof(Float128), typeof(FloatScalar) };
    private static readonly Type[] DoubleLanes = { typeof(Double512), typeof(Double256), typeof(Double128), typeof(DoubleScalar) };
    private static readonly Type[] Outputs = { typeof(Totals), typeof(PerSample) };

    private static readonly Type Keras = typeof(Reduction).Assembly.GetType("DslLosses.Keras.KerasFormulas", throwOnError: true)!;

    private static TDelegate Body<TDelegate>(Type owner, string name, params Type[] arguments) where TDelegate : Delegate
        => GeneratedBodies.Body<TDelegate>(owner, name, arguments);

    private static float[] Uniform(int n, int seed, float lo, float hi)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(lo + (hi - lo) * random.NextDouble())).ToArray();
    }

    private static void Close(double expected, double actual, double tolerance, string what)
        => Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    /// <summary>Runs a body on every width and returns (total, per-sample values) per lanes type.</summary>
    private static (double Total, float[] PerSample)[] OnEveryWidth(Func<Type, Type, float[], double> run, int perSampleLength)
        => FloatLanes.Select(lanes =>
        {
            double total = run(lanes, typeof(Totals), new float[perSampleLength]);
            float[] perSample = new float[perSampleLength];
            run(lanes, typeof(PerSample), perSample);
            return (total, perSample);
        }).ToArray();

    [Theory]
    [InlineData(7, 16)]
    [InlineData(5, 37)]
    [InlineData(3, 100)]
    public void Focal_bce_gives_the_same_losses_and_gradients_on_every_width(int b, int n)
    {
        float[] y = Uniform(b * n, 1, 0, 1), p = Uniform(b * n, 2, 0.01f, 0.99f);
        const float gamma = 2f;
        var results = OnEveryWidth((lanes, output, dest) =>
        {
            var body = Body<TwoTensorsScalar<float, float>>(typeof(TestFormulas), "__FocalBce_LossInFloat", typeof(float), lanes, output, typeof(Unweighted));
            return body(ref y[0], ref p[0], gamma, b, n, 1, 0, ref Unsafe.NullRef<float>(), default, ref dest[0]);
        }, b);

        // float64 reference of the formula, row by row
        double referenceTotal = 0;
        for (int r = 0; r < b; r++)
        {
            double row = 0;
            for (int j = 0; j < n; j++)
            {
                double pc = Math.Clamp((double)p[r * n + j], 1e-7, 1 - 1e-7), yt = y[r * n + j];
                double pt = yt * pc + (1 - yt) * (1 - pc);
                row += -Math.Pow(1 - pt, gamma) * Math.Log(pt);
            }
            row /= n;
            referenceTotal += row;
            Close(row, results[^1].PerSample[r], 1e-5, $"scalar row {r}");
        }
        for (int w = 0; w < FloatLanes.Length; w++)
        {
            Close(referenceTotal, results[w].Total, 1e-5, $"{FloatLanes[w].Name} total");
            for (int r = 0; r < b; r++)
                Close(results[^1].PerSample[r], results[w].PerSample[r], 1e-5, $"{FloatLanes[w].Name} row {r}");
        }

        float[][] gradients = FloatLanes.Select(lanes =>
        {
            float[] grad = new float[b * n];
            var body = Body<TwoTensorsScalarGradient<float, float>>(typeof(TestFormulas), "__FocalBce_GradientInFloat", typeof(float), lanes, typeof(GradientOnly), typeof(Unweighted));
            body(ref y[0], ref p[0], gamma, b, n, 1, 0, ref Unsafe.NullRef<float>(), default, ref grad[0], 1f / b);
            return grad;
        }).ToArray();
        for (int w = 0; w < FloatLanes.Length - 1; w++)
        {
            for (int i = 0; i < b * n; i++)
                Close(gradients[^1][i], gradients[w][i], 1e-4, $"{FloatLanes[w].Name} gradient {i}");
        }
        Assert.Contains(gradients[^1], g => g != 0);
    }

    [Theory]
    [InlineData(33, 5)]
    [InlineData(20, 15)]
    [InlineData(17, 40)]
    public void Row_tiles_give_the_rows_the_row_by_row_body_gives(int b, int n)
    {
        float[] y = Uniform(b * n, 3, 0, 1), p = Uniform(b * n, 4, 0.01f, 0.99f);
        float[] expected = new float[b];
        var scalar = Body<TwoTensorsScalar<float, float>>(typeof(TestFormulas), "__FocalBce_LossInFloat", typeof(float), typeof(FloatScalar), typeof(PerSample), typeof(Unweighted));
        scalar(ref y[0], ref p[0], 2f, b, n, 1, 0, ref Unsafe.NullRef<float>(), default, ref expected[0]);
        int widths = 0;
        foreach (Type lanes in new[] { typeof(Float512), typeof(Float256) })
        {
            // the dispatcher takes a tile only up to the width's measured limit (two tensors transposed here)
            nint limit = lanes == typeof(Float512) ? Float512.MaxTileColumns(2) : Float256.MaxTileColumns(2);
            if (n > limit)
                continue;
            widths++;
            float[] actual = new float[b];
            var tiles = Body<TileTwoTensorsScalar>(typeof(TestFormulas), "__FocalBce_LossInRowTiles", lanes, typeof(PerSample));
            tiles(ref y[0], ref p[0], 2f, b, n, 1, 0, ref Unsafe.NullRef<float>(), default, ref actual[0], out nint rows);
            int lanesCount = lanes == typeof(Float512) ? 16 : 8;
            Assert.Equal(b / lanesCount * lanesCount, (int)rows);
            scalar(ref y[0], ref p[0], 2f, b, n, 1, rows, ref Unsafe.NullRef<float>(), default, ref actual[0]);
            for (int r = 0; r < b; r++)
                Close(expected[r], actual[r], 1e-5, $"{lanes.Name} row {r}");
        }
        Assert.True(widths > 0);
    }

    [Theory]
    [InlineData(9, 16)]
    [InlineData(6, 45)]
    public void Sparse_nll_with_an_ignored_class_gives_the_same_losses_and_kept_count_on_every_width(int b, int n)
    {
        float[] logits = Uniform(b * n, 5, -4, 4);
        var random = new Random(6);
        int[] labels = Enumerable.Range(0, b).Select(_ => random.Next(n)).ToArray();
        labels[2] = 1;
        const int ignore = 1;
        int keptExpected = labels.Count(l => l != ignore);
        var results = OnEveryWidth((lanes, output, dest) =>
        {
            var body = Body<TensorLabelsInt>(typeof(TestFormulas), "__SparseNll_LossInFloat", typeof(float), lanes, output, typeof(Unweighted));
            double total = body(ref logits[0], ref labels[0], ignore, b, n, 1, 0, ref Unsafe.NullRef<float>(), default, ref dest[0], out nint kept);
            Assert.Equal(keptExpected, (int)kept);
            return total;
        }, b);
        double referenceTotal = 0;
        for (int r = 0; r < b; r++)
        {
            if (labels[r] == ignore)
            {
                Assert.Equal(0f, results[^1].PerSample[r]);
                continue;
            }
            double max = Enumerable.Range(0, n).Max(j => (double)logits[r * n + j]);
            double lse = max + Math.Log(Enumerable.Range(0, n).Sum(j => Math.Exp(logits[r * n + j] - max)));
            referenceTotal += lse - logits[r * n + labels[r]];
        }
        for (int w = 0; w < FloatLanes.Length; w++)
        {
            Close(referenceTotal, results[w].Total, 1e-5, $"{FloatLanes[w].Name} total");
            for (int r = 0; r < b; r++)
                Close(results[^1].PerSample[r], results[w].PerSample[r], 1e-5, $"{FloatLanes[w].Name} row {r}");
        }
    }

    [Theory]
    [InlineData(5, 16)]
    [InlineData(4, 61)]
    public void Keras_categorical_crossentropy_on_logits_gives_the_same_losses_on_every_width_in_float_and_double(int b, int n)
    {
        float[] y = Uniform(b * n, 7, 0, 1), x = Uniform(b * n, 8, -5, 5);
        var results = OnEveryWidth((lanes, output, dest) =>
        {
            var body = Body<TwoTensorsScalar<float, float>>(Keras, "__CategoricalCrossentropyLogits_LossInFloat", typeof(float), lanes, output, typeof(Unweighted));
            return body(ref y[0], ref x[0], 0.1f, b, n, 1, 0, ref Unsafe.NullRef<float>(), default, ref dest[0]);
        }, b);
        for (int w = 0; w < FloatLanes.Length; w++)
        {
            Close(results[^1].Total, results[w].Total, 1e-5, $"{FloatLanes[w].Name} total");
            for (int r = 0; r < b; r++)
                Close(results[^1].PerSample[r], results[w].PerSample[r], 1e-5, $"{FloatLanes[w].Name} row {r}");
        }

        double[] yd = y.Select(v => (double)v).ToArray(), xd = x.Select(v => (double)v).ToArray();
        double[][] perSample = DoubleLanes.Select(lanes =>
        {
            double[] dest = new double[b];
            var body = Body<TwoTensorsScalar<double, double>>(Keras, "__CategoricalCrossentropyLogits_LossInDouble", typeof(double), lanes, typeof(PerSample), typeof(Unweighted));
            body(ref yd[0], ref xd[0], 0.1, b, n, 1, 0, ref Unsafe.NullRef<double>(), default, ref dest[0]);
            return dest;
        }).ToArray();
        for (int r = 0; r < b; r++)
        {
            // Keras: smoothed labels y (1 - 0.1) + 0.1 / n, then -Σ y log_softmax(x)
            double max = Enumerable.Range(0, n).Max(j => xd[r * n + j]);
            double lse = max + Math.Log(Enumerable.Range(0, n).Sum(j => Math.Exp(xd[r * n + j] - max)));
            double expected = -Enumerable.Range(0, n).Sum(j => (yd[r * n + j] * 0.9 + 0.1 / n) * (xd[r * n + j] - lse));
            foreach (double[] width in perSample)
                Close(expected, width[r], 1e-12, $"double row {r}");
            Close(expected, results[^1].PerSample[r], 1e-5, $"float row {r}");
        }
    }

    [Theory]
    [InlineData(3, 16)]
    [InlineData(50, 3)]
    [InlineData(1, 1)]
    public void Keras_binary_crossentropy_on_logits_weighted_and_flat_gives_the_same_total_on_every_width(int b, int n)
    {
        float[] y = Uniform(b * n, 9, 0, 1), x = Uniform(b * n, 10, -6, 6);
        double[] totals = FloatLanes.Select(lanes =>
        {
            var flat = Body<TwoTensorsScalar<float, float>>(Keras, "__BinaryCrossentropyLogits_FlatTotalInFloat", typeof(float), lanes, typeof(Totals), typeof(Unweighted));
            if (lanes != typeof(FloatScalar) && b * n < (lanes == typeof(Float512) ? 16 : lanes == typeof(Float256) ? 8 : 4))
                return double.NaN; // a whole vector is the least a wide body takes (its dispatcher never calls it with less)
            return flat(ref y[0], ref x[0], 0f, b * n, n, 1, 0, ref Unsafe.NullRef<float>(), default, ref Unsafe.NullRef<float>()) / n;
        }).ToArray();
        double reference = 0;
        for (int i = 0; i < b * n; i++)
            reference += Math.Max(x[i], 0) - x[i] * (double)y[i] + Math.Log(1 + Math.Exp(-Math.Abs(x[i])));
        reference /= n;
        Assert.False(double.IsNaN(totals[^1]));
        foreach (double total in totals.Where(t => !double.IsNaN(t)))
            Close(reference, total, 1e-5, "flat total");
    }

    [Fact]
    public void Keras_sparse_categorical_crossentropy_gradient_is_the_same_on_every_width()
    {
        const int b = 6, n = 23;
        float[] x = Uniform(b * n, 11, -3, 3);
        int[] labels = { 0, 22, 5, 7, 11, 3 };
        float[][] gradients = FloatLanes.Select(lanes =>
        {
            float[] grad = new float[b * n];
            var body = Body<GradientOfLabelsTensor>(Keras, "__SparseCategoricalCrossentropyLogits_GradientInFloat", typeof(float), lanes, typeof(GradientOnly), typeof(Unweighted));
            body(ref labels[0], ref x[0], b, n, 1, 0, ref Unsafe.NullRef<float>(), default, ref grad[0], 1f);
            return grad;
        }).ToArray();
        for (int r = 0; r < b; r++)
        {
            double max = Enumerable.Range(0, n).Max(j => (double)x[r * n + j]);
            double sum = Enumerable.Range(0, n).Sum(j => Math.Exp(x[r * n + j] - max));
            for (int j = 0; j < n; j++)
            {
                double expected = Math.Exp(x[r * n + j] - max) / sum - (j == labels[r] ? 1 : 0);
                foreach (float[] grad in gradients)
                    Close(expected, grad[r * n + j], 1e-5, $"gradient ({r}, {j})");
            }
        }
    }

    private delegate double GradientOfLabelsTensor(ref int labels, ref float logits, nint outer, nint c, nint inner, nint start, ref float sw, in WeightMap wm, ref float grad, float scale);
}
