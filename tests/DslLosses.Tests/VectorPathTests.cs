using System;
using System.Linq;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using DslLosses.Kernels;
using DslLosses.Tests.Infrastructure;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// The vectorised loops (contiguous loss axis, Vector512/Vector256 plus a scalar tail) against the scalar loops (the
/// same data transposed, reduced along axis 0, which walks with a stride) and against a float64 reference. The lane
/// helpers are tested per width, skipped where that width is not accelerated.
/// </summary>
[Trait("Category", "Kernels")]
public class VectorPathTests
{
    private const int B = 6;

    // 37: two vectors of 16 + a tail of 5 (or four of 8 + 5); 12: a vector of 8 + 4; 5: a vector of 4 + 1
    public static readonly TheoryData<int> Widths = new() { 37, 12, 5 };

    private static (float[] Rows, float[] Columns) Data(Random random, int C, double lo, double hi)
    {
        var rows = new float[B * C];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = (float)(lo + (hi - lo) * random.NextDouble());
        var columns = new float[B * C];
        for (int b = 0; b < B; b++)
        {
            for (int c = 0; c < C; c++)
                columns[c * B + b] = rows[b * C + c];
        }
        return (rows, columns);
    }

    private static void Same(float[] vector, float[] scalar, double[] reference, string what)
    {
        for (int i = 0; i < reference.Length; i++)
        {
            Assert.True(Math.Abs(vector[i] - scalar[i]) <= 2e-6 * Math.Max(1, Math.Abs(reference[i])), $"{what}[{i}]: vector {vector[i]:R}, scalar {scalar[i]:R}");
            Assert.True(Math.Abs(vector[i] - reference[i]) <= 2e-6 * Math.Max(1, Math.Abs(reference[i])), $"{what}[{i}]: vector {vector[i]:R}, float64 reference {reference[i]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Bce_on_logits_vector_and_scalar_paths_agree(int C)
    {
        var random = new Random(11);
        (float[] y, float[] yT) = Data(random, C, 0, 1);
        (float[] x, float[] xT) = Data(random, C, -20, 20);
        var bce = new BinaryCrossentropy(fromLogits: true, axis: -1);
        var bceT = new BinaryCrossentropy(fromLogits: true, axis: 0);
        float[] vector = bce.ComputePerSample(new ReadOnlyTensorSpan<float>(y, new nint[] { B, C }, default), new ReadOnlyTensorSpan<float>(x, new nint[] { B, C }, default)).ToArray();
        float[] scalar = bceT.ComputePerSample(new ReadOnlyTensorSpan<float>(yT, new nint[] { C, B }, default), new ReadOnlyTensorSpan<float>(xT, new nint[] { C, B }, default)).ToArray();
        double[] reference = Enumerable.Range(0, B).Select(b => Enumerable.Range(0, C).Average(c =>
        {
            double xi = x[b * C + c], yi = y[b * C + c];
            return Math.Max(xi, 0) - xi * yi + Math.Log(1 + Math.Exp(-Math.Abs(xi)));
        })).ToArray();
        Same(vector, scalar, reference, "bce logits");

        var g = new float[B * C];
        var gT = new float[B * C];
        bce.Gradient(new ReadOnlyTensorSpan<float>(y, new nint[] { B, C }, default), new ReadOnlyTensorSpan<float>(x, new nint[] { B, C }, default), new TensorSpan<float>(g));
        bceT.Gradient(new ReadOnlyTensorSpan<float>(yT, new nint[] { C, B }, default), new ReadOnlyTensorSpan<float>(xT, new nint[] { C, B }, default), new TensorSpan<float>(gT));
        for (int b = 0; b < B; b++)
        {
            for (int c = 0; c < C; c++)
            {
                double expected = (1 / (1 + Math.Exp(-x[b * C + c])) - y[b * C + c]) / C / B;
                // sigmoid(x) - z is O(1) before the 1/(C B) scale: a few float ulps of 1, scaled
                double tolerance = 4e-7 / (C * B);
                Assert.True(Math.Abs(expected - g[b * C + c]) <= tolerance, $"grad[{b},{c}] = {g[b * C + c]:R}, float64 {expected:R}");
                Assert.True(Math.Abs(gT[c * B + b] - g[b * C + c]) <= tolerance, $"grad[{b},{c}]: vector {g[b * C + c]:R}, scalar {gT[c * B + b]:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Cce_on_probabilities_and_logits_vector_and_scalar_paths_agree(int C)
    {
        var random = new Random(12);
        (float[] y, float[] yT) = Data(random, C, 0, 1);
        (float[] p, float[] pT) = Data(random, C, 0.01, 1);
        foreach (bool logits in new[] { false, true })
        {
            float[] vector = new CategoricalCrossentropy(logits, 0.1, -1).ComputePerSample(new ReadOnlyTensorSpan<float>(y, new nint[] { B, C }, default), new ReadOnlyTensorSpan<float>(p, new nint[] { B, C }, default)).ToArray();
            float[] scalar = new CategoricalCrossentropy(logits, 0.1, 0).ComputePerSample(new ReadOnlyTensorSpan<float>(yT, new nint[] { C, B }, default), new ReadOnlyTensorSpan<float>(pT, new nint[] { C, B }, default)).ToArray();
            double[] reference = Enumerable.Range(0, B).Select(b =>
            {
                double[] yy = Enumerable.Range(0, C).Select(c => y[b * C + c] * 0.9 + 0.1 / C).ToArray();
                double[] pp = Enumerable.Range(0, C).Select(c => (double)p[b * C + c]).ToArray();
                if (logits)
                {
                    double m = pp.Max(), lse = m + Math.Log(pp.Sum(v => Math.Exp(v - m)));
                    return yy.Select((v, c) => v * (lse - pp[c])).Sum();
                }
                double s = pp.Sum();
                return -yy.Select((v, c) => v * Math.Log(Math.Clamp(pp[c] / s, 1e-7, 1 - 1e-7))).Sum();
            }).ToArray();
            Same(vector, scalar, reference, logits ? "cce logits" : "cce probs");
        }
    }

    [Fact]
    public void Elementwise_vector_loop_with_tail_matches_scalar_math()
    {
        var random = new Random(13);
        float[] labels = Enumerable.Range(0, 1000 + 7).Select(_ => (float)random.NextDouble()).ToArray();
        float[] logits = Enumerable.Range(0, labels.Length).Select(_ => (float)(random.NextDouble() * 40 - 20)).ToArray();
        float[] result = Nn.sigmoid_cross_entropy_with_logits(labels, logits).ToArray();
        for (int i = 0; i < labels.Length; i++)
        {
            double x = logits[i], z = labels[i];
            double expected = Math.Max(x, 0) - x * z + Math.Log(1 + Math.Exp(-Math.Abs(x)));
            Assert.True(Math.Abs(result[i] - expected) <= 2e-6 * Math.Max(1, Math.Abs(expected)), $"[{i}] {result[i]} vs {expected}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(SimdWidth.All), MemberType = typeof(SimdWidth))]
    public void Log1p_lanes_are_accurate_for_tiny_and_special_values(int bits)
    {
        SimdWidth.Require(bits);
        float[] xs = { 1e-10f, -1e-10f, 1e-5f, 0.5f, -0.5f, 0f, -1f, float.PositiveInfinity, float.NaN, -2f, 1e30f };
        float[] r = SimdWidth.Run(bits, xs.Concat(new float[16 - xs.Length]).ToArray(), Float512.Log1p, Float256.Log1p, Float128.Log1p);
        for (int i = 0; i < xs.Length; i++)
        {
            double expected = xs[i] == float.PositiveInfinity ? double.PositiveInfinity : xs[i] < -1 || float.IsNaN(xs[i]) ? double.NaN : Math.Log(1 + (double)xs[i]);
            if (Math.Abs(xs[i]) < 1e-4)
                expected = xs[i] - xs[i] * (double)xs[i] / 2;
            if (double.IsNaN(expected))
                Assert.True(float.IsNaN(r[i]), $"log1p({xs[i]}) = {r[i]}");
            else
                Assert.True(r[i] == expected || Math.Abs(r[i] - expected) <= 2e-7 * Math.Abs(expected), $"log1p({xs[i]}) = {r[i]:R}, expected {expected:R}");
        }

        // double lanes (Goldberg's correction), eight values at a time
        double[] ds = { 1e-10, -1e-10, 1e-5, 0.5, -0.5, 0.0, -1.0, double.PositiveInfinity, double.NaN, -2.0, 1e300, 3e-17, -0.75, 7.0, 1e-3, 0.0 };
        for (int at = 0; at < ds.Length; at += 8)
        {
            double[] rd = SimdWidth.Run(bits, ds[at..(at + 8)], Double512.Log1p, Double256.Log1p, Double128.Log1p);
            for (int i = 0; i < 8; i++)
            {
                double x = ds[at + i];
                // the series where 1 + x would round away part of x (up to x^12/12: the next term is below 1e-22 of
                // the sum); elsewhere 1 + x is exact for these values
                double expected = x == double.PositiveInfinity ? double.PositiveInfinity : x < -1 || double.IsNaN(x) ? double.NaN
                    : Math.Abs(x) < 1e-2 ? Enumerable.Range(1, 12).Sum(n => (n % 2 == 1 ? 1 : -1) * Math.Pow(x, n) / n) : Math.Log(1 + x);
                if (double.IsNaN(expected))
                    Assert.True(double.IsNaN(rd[i]), $"log1p({x}) = {rd[i]}");
                else
                    Assert.True(rd[i] == expected || Math.Abs(rd[i] - expected) <= 1e-15 * Math.Abs(expected), $"log1p({x:R}) = {rd[i]:R}, expected {expected:R}");
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(SimdWidth.All), MemberType = typeof(SimdWidth))]
    public void Max_and_min_across_lanes_are_a_chain_of_Math_Max_and_Math_Min(int bits)
    {
        SimdWidth.Require(bits);
        var random = new Random(14);
        float[][] cases =
        {
            Enumerable.Range(0, 16).Select(_ => (float)(random.NextDouble() * 200 - 100)).ToArray(),
            Enumerable.Range(0, 16).Select(i => i == 11 ? float.NaN : (float)random.NextDouble()).ToArray(),
            Enumerable.Range(0, 16).Select(i => i % 2 == 0 ? -0f : 0f).ToArray(),
            Enumerable.Range(0, 16).Select(i => i == 3 ? float.NegativeInfinity : i == 9 ? float.PositiveInfinity : 1f).ToArray(),
        };
        foreach (float[] lanes in cases)
        {
            // every vector's worth of the 16 values: each case's NaN, infinities and signed zeros reach some vector
            for (int at = 0; at < 16; at += bits / 32)
            {
                float[] f = lanes[at..(at + bits / 32)];
                (float max, float min) = bits switch
                {
                    512 => (Float512.MaxAcross(new(Vector512.Create(f))), Float512.MinAcross(new(Vector512.Create(f)))),
                    256 => (Float256.MaxAcross(new(Vector256.Create(f))), Float256.MinAcross(new(Vector256.Create(f)))),
                    _ => (Float128.MaxAcross(new(Vector128.Create(f))), Float128.MinAcross(new(Vector128.Create(f)))),
                };
                Assert.Equal(BitConverter.SingleToInt32Bits(f.Aggregate(float.NegativeInfinity, MathF.Max)), BitConverter.SingleToInt32Bits(max));
                Assert.Equal(BitConverter.SingleToInt32Bits(f.Aggregate(float.PositiveInfinity, MathF.Min)), BitConverter.SingleToInt32Bits(min));
            }
            for (int at = 0; at < 16; at += bits / 64)
            {
                double[] d = lanes[at..(at + bits / 64)].Select(x => (double)x).ToArray();
                (double max, double min) = bits switch
                {
                    512 => (Double512.MaxAcross(new(Vector512.Create(d))), Double512.MinAcross(new(Vector512.Create(d)))),
                    256 => (Double256.MaxAcross(new(Vector256.Create(d))), Double256.MinAcross(new(Vector256.Create(d)))),
                    _ => (Double128.MaxAcross(new(Vector128.Create(d))), Double128.MinAcross(new(Vector128.Create(d)))),
                };
                Assert.Equal(BitConverter.DoubleToInt64Bits(d.Aggregate(double.NegativeInfinity, Math.Max)), BitConverter.DoubleToInt64Bits(max));
                Assert.Equal(BitConverter.DoubleToInt64Bits(d.Aggregate(double.PositiveInfinity, Math.Min)), BitConverter.DoubleToInt64Bits(min));
            }
        }
    }

    [Theory]
    [InlineData(37)]
    [InlineData(100)]
    public void NaN_in_a_wide_row_makes_that_row_NaN_and_leaves_the_others_finite(int C)
    {
        // wide rows take the vector loops and row tiles, whose clips and shift maxima are single x86 instructions:
        // NaN must still reach the row's loss, on either input, at the start, the middle or the last lane of a row
        const int Rows = 20;
        var random = new Random(C);
        foreach (int column in new[] { 0, C / 2, C - 1 })
        {
            float[] y = Enumerable.Range(0, Rows * C).Select(_ => (float)random.NextDouble()).ToArray();
            float[] p = Enumerable.Range(0, Rows * C).Select(_ => (float)(0.01 + 0.98 * random.NextDouble())).ToArray();
            int[] labels = Enumerable.Range(0, Rows).Select(_ => random.Next(C)).ToArray();
            p[3 * C + column] = float.NaN;      // row 3: NaN prediction
            y[11 * C + column] = float.NaN;     // row 11: NaN label (not for the sparse losses, whose labels are integers)
            var yt = new ReadOnlyTensorSpan<float>(y, new nint[] { Rows, C }, default);
            var yp = new ReadOnlyTensorSpan<float>(p, new nint[] { Rows, C }, default);
            var sparse = new ReadOnlyTensorSpan<int>(labels);
            var cases = new (string Name, float[] PerRow, bool LabelsCount)[]
            {
                ("bce", new BinaryCrossentropy().ComputePerSample(yt, yp).ToArray(), true),
                ("bce logits", new BinaryCrossentropy(fromLogits: true).ComputePerSample(yt, yp).ToArray(), true),
                ("cce", new CategoricalCrossentropy().ComputePerSample(yt, yp).ToArray(), true),
                ("cce logits", new CategoricalCrossentropy(fromLogits: true).ComputePerSample(yt, yp).ToArray(), true),
                ("scce", new SparseCategoricalCrossentropy().ComputePerSample(sparse, yp).ToArray(), false),
                ("scce logits", new SparseCategoricalCrossentropy(fromLogits: true).ComputePerSample(sparse, yp).ToArray(), false),
                ("poisson", new Poisson().ComputePerSample(yt, yp).ToArray(), true),
                ("kld", new KLDivergence().ComputePerSample(yt, yp).ToArray(), true),
            };
            foreach ((string name, float[] perRow, bool labelsCount) in cases)
            {
                for (int r = 0; r < Rows; r++)
                {
                    bool nan = r == 3 || (labelsCount && r == 11);
                    Assert.True(nan ? float.IsNaN(perRow[r]) : float.IsFinite(perRow[r]), $"{name}, NaN at column {column}: row {r} gives {perRow[r]}");
                }
            }
            Assert.True(float.IsNaN(new CategoricalCrossentropy(fromLogits: true).Compute(yt, yp)), "the mean of a batch with a NaN row");
            Assert.True(float.IsNaN(new SparseCategoricalCrossentropy(fromLogits: true).Compute(sparse, yp)), "the mean of a batch with a NaN row");
        }
    }
}
