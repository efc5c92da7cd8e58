using System;
using System.Linq;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using DslLosses.Tests.Infrastructure;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// The row-tiled kernels (a narrow class axis: one row per lane, tiles of 16 or 8 rows, the rest row by
/// row) against float64 references worked here, for the built-in losses and for formulas of this project. The tile
/// helpers are tested per width, 16 lanes on Vector512 and 8 on Vector256, skipped where that width is not accelerated.
/// </summary>
[Trait("Category", "Kernels")]
public class RowTileTests
{
    // (rows, classes): 37 rows are two tiles of 16 (four of 8) and a tail; 15 is the widest axis still tiled on
    // Vector512, 1 the narrowest; 16 x 5 is exactly one tile; 8 x 7 a single Vector256 tile and no Vector512 one.
    // Vector256 tiles take wider axes in blocks of 8 columns, up to 128 with one tensor transposed (sparse labels) and
    // 64 with two: 17 ends in a block of one column, 100 in one of four; 64 and 128 are the widest tiled, 65 and 129
    // the narrowest left to the row loops
    public static readonly TheoryData<int, int> Shapes = new()
    {
        { 37, 10 }, { 37, 15 }, { 16, 5 }, { 37, 1 }, { 8, 7 }, { 33, 3 }, { 9, 17 }, { 37, 100 }, { 13, 64 }, { 13, 65 }, { 19, 128 }, { 11, 129 },
    };

    private static float[] Uniform(Random random, int n, double lo, double hi)
        => Enumerable.Range(0, n).Select(_ => (float)(lo + (hi - lo) * random.NextDouble())).ToArray();

    private static ReadOnlyTensorSpan<float> Matrix(float[] data, int rows, int columns) => new(data, new nint[] { rows, columns }, default);

    /// <summary>log Σ exp(x) of row <paramref name="b"/> in float64.</summary>
    private static double Lse(double[] x, int b, int c)
    {
        double m = Enumerable.Range(0, c).Max(j => x[b * c + j]);
        return m + Math.Log(Enumerable.Range(0, c).Sum(j => Math.Exp(x[b * c + j] - m)));
    }

    private static void Close(double expected, float actual, string what)
        => Assert.True(Math.Abs(actual - expected) <= 2e-6 * Math.Max(1, Math.Abs(expected)), $"{what}: {actual:R}, float64 {expected:R}");

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Sparse_crossentropy_per_row_and_mean_match_float64(int B, int C)
    {
        var random = new Random(B * 100 + C);
        float[] logits = Uniform(random, B * C, -20, 20);
        float[] probs = Uniform(random, B * C, 0, 1);
        int[] labels = Enumerable.Range(0, B).Select(_ => random.Next(C)).ToArray();
        var yTrue = new ReadOnlyTensorSpan<int>(labels);

        double[] x = logits.Select(v => (double)v).ToArray();
        double[] fromLogits = Enumerable.Range(0, B).Select(b => Lse(x, b, C) - x[b * C + labels[b]]).ToArray();
        // probabilities: log of the clipped probabilities, then the same softmax cross-entropy
        double[] lp = probs.Select(v => Math.Log(Math.Clamp((double)v, 1e-7, 1 - 1e-7))).ToArray();
        double[] fromProbs = Enumerable.Range(0, B).Select(b => Lse(lp, b, C) - lp[b * C + labels[b]]).ToArray();

        foreach ((bool logitsIn, float[] input, double[] expected) in new[] { (true, logits, fromLogits), (false, probs, fromProbs) })
        {
            var loss = new SparseCategoricalCrossentropy(fromLogits: logitsIn);
            float[] perRow = loss.ComputePerSample(yTrue, Matrix(input, B, C)).ToArray();
            for (int b = 0; b < B; b++)
                Close(expected[b], perRow[b], $"fromLogits {logitsIn}, row {b}");
            Close(expected.Average(), loss.Compute(yTrue, Matrix(input, B, C)), $"fromLogits {logitsIn}, mean");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Categorical_crossentropy_with_smoothing_per_row_and_mean_match_float64(int B, int C)
    {
        var random = new Random(B * 1000 + C);
        float[] y = Uniform(random, B * C, 0, 1);
        float[] logits = Uniform(random, B * C, -20, 20);
        double[] x = logits.Select(v => (double)v).ToArray();
        double[] expected = Enumerable.Range(0, B).Select(b =>
        {
            double lse = Lse(x, b, C);
            return Enumerable.Range(0, C).Sum(j => (y[b * C + j] * 0.9 + 0.1 / C) * (lse - x[b * C + j]));
        }).ToArray();
        var loss = new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1);
        float[] perRow = loss.ComputePerSample(Matrix(y, B, C), Matrix(logits, B, C)).ToArray();
        for (int b = 0; b < B; b++)
            Close(expected[b], perRow[b], $"row {b}");
        float total = new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1, reduction: Reduction.Sum).Compute(Matrix(y, B, C), Matrix(logits, B, C));
        Assert.True(Math.Abs(total - expected.Sum()) <= 2e-6 * expected.Sum(), $"sum: {total:R}, float64 {expected.Sum():R}");
    }

    [Theory]
    [InlineData(20, 10)]
    [InlineData(3, -1)]
    [InlineData(36, 11)]
    public void A_label_out_of_range_inside_a_tile_is_reported_for_its_own_row(int row, int label)
    {
        const int B = 37, C = 10;
        int[] labels = new int[B];
        labels[row] = label;
        float[] logits = new float[B * C];
        var loss = new SparseCategoricalCrossentropy(fromLogits: true);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => loss.Compute(new ReadOnlyTensorSpan<int>(labels), Matrix(logits, B, C)));
        Assert.Contains($"holds {label} at flat position {row}", ex.Message, StringComparison.Ordinal);
        var dest = new float[B];
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => loss.Compute(new ReadOnlyTensorSpan<int>(labels), Matrix(logits, B, C), new TensorSpan<float>(dest)));
        Assert.Contains($"at flat position {row}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NaN_and_infinite_logits_stay_in_their_own_row()
    {
        const int B = 32, C = 10;
        float[] logits = Uniform(new Random(3), B * C, -3, 3);
        int[] labels = Enumerable.Range(0, B).Select(b => b % C).ToArray();
        logits[5 * C + 2] = float.NaN;                   // row 5: NaN
        logits[17 * C + 4] = float.PositiveInfinity;     // row 17: +inf - max = inf - inf = NaN, as TensorFlow
        logits[18 * C + 9] = float.NegativeInfinity;     // row 18: exp(-inf) = 0, label 8 is finite
        float[] perRow = new SparseCategoricalCrossentropy(fromLogits: true).ComputePerSample(new ReadOnlyTensorSpan<int>(labels), Matrix(logits, B, C)).ToArray();
        double[] x = logits.Select(v => (double)v).ToArray();
        for (int b = 0; b < B; b++)
        {
            if (b is 5 or 17)
            {
                Assert.True(float.IsNaN(perRow[b]), $"row {b}: {perRow[b]}");
                continue;
            }
            Close(Lse(x, b, C) - x[b * C + labels[b]], perRow[b], $"row {b}");
        }
    }

    [Fact]
    public void A_literal_class_axis_and_a_per_row_tensor_are_tiled_too()
    {
        const int B = 37;
        var random = new Random(5);
        float[] y = Uniform(random, B * 3, 0, 1), logits = Uniform(random, B * 3, -5, 5);
        double[] x = logits.Select(v => (double)v).ToArray();
        var dest = new float[B];
        TestFormulas.SoftmaxCe3(Matrix(y, B, 3), Matrix(logits, B, 3), new TensorSpan<float>(dest));
        for (int b = 0; b < B; b++)
        {
            double lse = Lse(x, b, 3);
            Close(Enumerable.Range(0, 3).Sum(j => y[b * 3 + j] * (lse - x[b * 3 + j])), dest[b], $"SoftmaxCe3 row {b}");
        }

        const int N = 6;
        float[] values = Uniform(random, B * N, -5, 5), scale = Uniform(random, B, 0, 2);
        double expected = Enumerable.Range(0, B).Sum(b => Enumerable.Range(0, N).Max(j => (double)values[b * N + j]) * scale[b]);
        float total = TestFormulas.WeightedRowMax(Matrix(values, B, N), new ReadOnlyTensorSpan<float>(scale), Reduction.Sum);
        Assert.True(Math.Abs(total - expected) <= 1e-5 * Math.Abs(expected), $"WeightedRowMax: {total:R}, float64 {expected:R}");
    }

    [SkippableTheory]
    [InlineData(16)]
    [InlineData(8)]
    public void A_tile_of_rows_is_transposed_to_columns_for_every_narrow_axis(int lanes)
    {
        SimdWidth.Require(lanes * 32);
        // 16-row tiles serve axes below 16 in one 16 x 16 transpose, wider ones (no kernel asks for them) in blocks of 16
        // columns; 8-row tiles any axis, in blocks of 8 columns: 17 and 33 end in a column on its own, 100 in four
        foreach (int c in Enumerable.Range(1, 41).Append(100))
        {
            // the tile ends exactly at the end of the array (the last rows are read under a mask), or has data after it
            foreach (int extra in new[] { 0, lanes })
            {
                float[] rows = Enumerable.Range(0, lanes * c + extra).Select(i => 1f + i).ToArray();
                float[] tile = Enumerable.Repeat(float.NaN, lanes * c).ToArray();
                if (lanes == 16)
                    DslLosses.Kernels.Float512.RowsToColumns(ref rows[0], c, rows.Length, ref tile[0]);
                else
                    DslLosses.Kernels.Float256.RowsToColumns(ref rows[0], c, rows.Length, ref tile[0]);
                for (int l = 0; l < lanes; l++)
                {
                    for (int j = 0; j < c; j++)
                        Assert.True(tile[j * lanes + l] == rows[l * c + j], $"c = {c}, extra {extra}: column {j} lane {l} is {tile[j * lanes + l]}, row element {rows[l * c + j]}");
                }
            }
        }
    }

    [SkippableTheory]
    [InlineData(16)]
    [InlineData(8)]
    public void The_element_at_each_label_is_picked_from_a_column_major_tile(int lanes)
    {
        SimdWidth.Require(lanes * 32);
        var random = new Random(7);
        // the kernels blend from the tile for axes of up to 16 columns, on either width
        for (int c = 1; c <= 16; c++)
        {
            float[] tile = Enumerable.Range(0, lanes * c).Select(i => (float)i).ToArray();
            int[] labels = Enumerable.Range(0, lanes).Select(_ => random.Next(c)).ToArray();
            float[] picked = new float[lanes];
            // up to 16 columns the rows themselves are not read: the tile stands in for them
            if (lanes == 16)
                DslLosses.Kernels.Float512.AtLabels(ref tile[0], ref tile[0], ref labels[0], 0, c).Value.CopyTo(picked);
            else
                DslLosses.Kernels.Float256.AtLabels(ref tile[0], ref tile[0], ref labels[0], 0, c).Value.CopyTo(picked);
            for (int l = 0; l < lanes; l++)
                Assert.Equal(labels[l] * lanes + l, picked[l]);
        }
    }

    public static readonly TheoryData<int, int> PickShapes = new()
    {
        { 3, 16 }, { 16, 16 }, { 17, 16 }, { 100, 16 }, { 3, 8 }, { 16, 8 }, { 17, 8 }, { 100, 8 },
    };

    [SkippableTheory]
    [MemberData(nameof(PickShapes))]
    public void The_element_at_each_label_is_picked_from_the_tile_or_the_rows(int c, int lanes)
    {
        SimdWidth.Require(lanes * 32);
        // up to 16 columns the pick blends the tile's columns; wider, it loads each row's element from the rows
        var random = new Random(c);
        float[] rows = Enumerable.Range(0, 16 * c).Select(i => 0.5f + i).ToArray();
        float[] tile = new float[lanes * c];
        int[] labels = Enumerable.Range(0, lanes).Select(l => l == 0 ? c - 1 : random.Next(c)).ToArray();
        float[] picked = new float[lanes];
        if (lanes == 16)
        {
            DslLosses.Kernels.Float512.RowsToColumns(ref rows[0], c, rows.Length, ref tile[0]);
            DslLosses.Kernels.Float512.AtLabels(ref tile[0], ref rows[0], ref labels[0], 0, c).Value.CopyTo(picked);
        }
        else
        {
            DslLosses.Kernels.Float256.RowsToColumns(ref rows[0], c, rows.Length, ref tile[0]);
            DslLosses.Kernels.Float256.AtLabels(ref tile[0], ref rows[0], ref labels[0], 0, c).Value.CopyTo(picked);
        }
        for (int l = 0; l < lanes; l++)
            Assert.Equal(rows[l * c + labels[l]], picked[l]);
    }
}
