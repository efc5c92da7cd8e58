using System;
using System.Numerics.Tensors;
using System.Threading.Tasks;
using DslLosses.Kernels;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// Large totals are reduced in size-determined chunks, on several threads where allowed: the result must not depend on
/// the thread count, must agree with a float64 reference, and the call must not allocate.
/// </summary>
[Collection(nameof(ParallelSumTests))] // changes the process-wide Parallelism setting
[Trait("Category", "Kernels")]
public class ParallelSumTests
{
    internal const int B = 2048, C = 300; // 614,400 elements: above ParallelSum.SplitThreshold

    /// <summary>The shape [B, C], built once: a span over it allocates nothing inside a measured call.</summary>
    internal static readonly nint[] Shape = { B, C };

    internal static float[] Uniform(int seed, int n, double lo, double hi)
    {
        var random = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < a.Length; i++)
            a[i] = (float)(lo + (hi - lo) * random.NextDouble());
        return a;
    }

    private static ReadOnlyTensorSpan<float> Matrix(float[] data, int rows, int columns) => new(data, new nint[] { rows, columns }, default);

    /// <summary>
    /// The fewest bytes <paramref name="call"/> allocates on this thread in three calls after a warm-up, with two threads
    /// allowed: the first call that gets the worker pool starts its thread and makes its job's runner, and a call that
    /// finds the pool held by another test class runs on this thread alone, so the warm-up alone does not always pay
    /// those once-only costs.
    /// </summary>
    internal static long FewestBytesWithTwoThreads(Action call)
    {
        int saved = Parallelism.MaxDegreeOfParallelism;
        try
        {
            Parallelism.MaxDegreeOfParallelism = 2;
            call();
            long fewest = long.MaxValue;
            for (int attempt = 0; attempt < 3; attempt++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                call();
                fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            return fewest;
        }
        finally
        {
            Parallelism.MaxDegreeOfParallelism = saved;
        }
    }

    /// <summary>Runs <paramref name="compute"/> with the given thread limits and returns each result.</summary>
    internal static T[] WithThreads<T>(Func<T> compute, params int[] threads)
    {
        int saved = Parallelism.MaxDegreeOfParallelism;
        try
        {
            var results = new T[threads.Length];
            for (int i = 0; i < threads.Length; i++)
            {
                Parallelism.MaxDegreeOfParallelism = threads[i];
                results[i] = compute();
            }
            return results;
        }
        finally
        {
            Parallelism.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void Input_is_above_the_split_threshold()
        => Assert.True(ParallelSum.ShouldSplit(B, C), $"{B}x{C} must take the chunked path for these tests to mean anything");

    [Fact]
    public void Bce_on_logits_is_bit_identical_for_1_2_and_3_threads_and_matches_float64()
    {
        float[] y = Uniform(1, B * C, 0, 1), x = Uniform(2, B * C, -12, 12);
        var bce = new BinaryCrossentropy(fromLogits: true);
        float[] r = WithThreads(() => bce.Compute(Matrix(y, B, C), Matrix(x, B, C)), 1, 2, 3);
        Assert.Equal(BitConverter.SingleToInt32Bits(r[0]), BitConverter.SingleToInt32Bits(r[1]));
        Assert.Equal(BitConverter.SingleToInt32Bits(r[0]), BitConverter.SingleToInt32Bits(r[2]));

        // float64 reference, Keras's logits form: max(x, 0) - x z + log1p(exp(-|x|)), mean over the row, mean over rows
        double total = 0;
        for (int b = 0; b < B; b++)
        {
            double row = 0;
            for (int c = 0; c < C; c++)
            {
                double xi = x[b * C + c], zi = y[b * C + c];
                row += Math.Max(xi, 0) - xi * zi + Math.Log(1 + Math.Exp(-Math.Abs(xi)));
            }
            total += row / C;
        }
        double reference = total / B;
        Assert.True(Math.Abs(r[0] - reference) <= 1e-6 * reference, $"chunked {r[0]:R} vs float64 {reference:R}");
    }

    [Fact]
    public void Cce_on_logits_in_double_is_bit_identical_across_thread_counts()
    {
        var random = new Random(3);
        var y = new double[B * C];
        var x = new double[B * C];
        for (int b = 0; b < B; b++)
        {
            y[b * C + random.Next(C)] = 1;
            for (int c = 0; c < C; c++)
                x[b * C + c] = random.NextDouble() * 20 - 10;
        }
        var cce = new CategoricalCrossentropy(fromLogits: true, reduction: Reduction.Sum);
        var span = (double[] d) => new ReadOnlyTensorSpan<double>(d, new nint[] { B, C }, default);
        double[] r = WithThreads(() => cce.Compute(span(y), span(x)), 1, 2);
        Assert.Equal(BitConverter.DoubleToInt64Bits(r[0]), BitConverter.DoubleToInt64Bits(r[1]));

        double reference = 0;
        for (int b = 0; b < B; b++)
        {
            double max = double.NegativeInfinity, sum = 0, picked = 0;
            for (int c = 0; c < C; c++)
                max = Math.Max(max, x[b * C + c]);
            for (int c = 0; c < C; c++)
            {
                sum += Math.Exp(x[b * C + c] - max);
                picked += y[b * C + c] * (x[b * C + c] - max);
            }
            reference += Math.Log(sum) - picked;
        }
        Assert.True(Math.Abs(r[0] - reference) <= 1e-12 * reference, $"chunked {r[0]:R} vs reference {reference:R}");
    }

    [Fact]
    public void Scce_with_ignore_class_counts_kept_entries_across_chunks()
    {
        // per-row labels ([B]) with a third of them ignored: the mean divides by the kept count summed over all chunks
        const int rows = 40_000, classes = 10; // 400,000 elements
        var random = new Random(4);
        var labels = new int[rows];
        for (int i = 0; i < rows; i++)
            labels[i] = i % 3 == 0 ? 7 : random.Next(classes);
        float[] logits = Uniform(5, rows * classes, -5, 5);
        var scce = new SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 7);
        float[] r = WithThreads(() => scce.Compute(new ReadOnlyTensorSpan<int>(labels), Matrix(logits, rows, classes)), 1, 2);
        Assert.Equal(BitConverter.SingleToInt32Bits(r[0]), BitConverter.SingleToInt32Bits(r[1]));

        double total = 0;
        int kept = 0;
        for (int b = 0; b < rows; b++)
        {
            if (labels[b] == 7)
                continue;
            kept++;
            double max = double.NegativeInfinity, sum = 0;
            for (int c = 0; c < classes; c++)
                max = Math.Max(max, logits[b * classes + c]);
            for (int c = 0; c < classes; c++)
                sum += Math.Exp(logits[b * classes + c] - max);
            total += Math.Log(sum) - (logits[b * classes + labels[b]] - max);
        }
        double reference = total / kept;
        Assert.True(Math.Abs(r[0] - reference) <= 1e-6 * reference, $"chunked {r[0]:R} vs float64 {reference:R} (kept {kept} of {rows})");
    }

    [Fact]
    public void Concurrent_callers_get_the_same_bits_as_a_lone_caller()
    {
        float[] y = Uniform(6, B * C, 0, 1), p = Uniform(7, B * C, 0, 1);
        var bce = new BinaryCrossentropy();
        float alone = bce.Compute(Matrix(y, B, C), Matrix(p, B, C));
        var results = new float[4];
        Parallel.For(0, results.Length, i => results[i] = bce.Compute(Matrix(y, B, C), Matrix(p, B, C)));
        foreach (float r in results)
            Assert.Equal(BitConverter.SingleToInt32Bits(alone), BitConverter.SingleToInt32Bits(r));
    }

    [Fact]
    public void Chunked_total_allocates_nothing_with_two_threads()
    {
        float[] y = Uniform(8, B * C, 0, 1), x = Uniform(9, B * C, -3, 3);
        var bce = new BinaryCrossentropy(fromLogits: true);
        float l = 0;
        Assert.Equal(0, FewestBytesWithTwoThreads(() => l = bce.Compute(new ReadOnlyTensorSpan<float>(y, Shape, default), new ReadOnlyTensorSpan<float>(x, Shape, default))));
        Assert.True(l > 0);
    }

    [Fact]
    public void Per_sample_poisson_is_bit_identical_for_1_and_2_threads_and_matches_float64_per_row()
    {
        // B = 2048 rows: the chunks (whole tiles of 16 rows) start on row boundaries the single-thread path also crosses
        float[] y = Uniform(10, B * C, 0, 5), p = Uniform(11, B * C, 0.05, 4);
        var poisson = new Poisson();
        float[][] r = WithThreads(() =>
        {
            var destination = new float[B];
            poisson.Compute(Matrix(y, B, C), Matrix(p, B, C), new TensorSpan<float>(destination));
            return destination;
        }, 1, 2);
        for (int b = 0; b < B; b++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(r[0][b]), BitConverter.SingleToInt32Bits(r[1][b]));
            // float64 reference: mean over the row of p - y log(p + 1e-7)
            double row = 0;
            for (int c = 0; c < C; c++)
                row += p[b * C + c] - y[b * C + c] * Math.Log(p[b * C + c] + 1e-7);
            row /= C;
            Assert.True(Math.Abs(r[1][b] - row) <= 1e-5 * Math.Max(1, Math.Abs(row)), $"row {b}: {r[1][b]:R} vs float64 {row:R}");
        }
    }

    [Fact]
    public void Per_sample_rows_dropped_by_ignore_class_are_zero_in_every_chunk()
    {
        const int rows = 40_000, classes = 10; // 400,000 elements: chunked
        var random = new Random(12);
        var labels = new int[rows];
        for (int i = 0; i < rows; i++)
            labels[i] = i % 3 == 0 ? 7 : random.Next(classes);
        float[] logits = Uniform(13, rows * classes, -5, 5);
        var scce = new SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 7);
        float[][] r = WithThreads(() =>
        {
            var destination = new float[rows];
            scce.Compute(new ReadOnlyTensorSpan<int>(labels), Matrix(logits, rows, classes), new TensorSpan<float>(destination));
            return destination;
        }, 1, 2);
        for (int b = 0; b < rows; b++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(r[0][b]), BitConverter.SingleToInt32Bits(r[1][b]));
            if (labels[b] == 7)
            {
                Assert.Equal(0f, r[1][b]);
                continue;
            }
            double max = double.NegativeInfinity, sum = 0;
            for (int c = 0; c < classes; c++)
                max = Math.Max(max, logits[b * classes + c]);
            for (int c = 0; c < classes; c++)
                sum += Math.Exp(logits[b * classes + c] - max);
            double reference = Math.Log(sum) - (logits[b * classes + labels[b]] - max);
            Assert.True(Math.Abs(r[1][b] - reference) <= 1e-5 * Math.Max(1, reference), $"row {b}: {r[1][b]:R} vs float64 {reference:R}");
        }
    }

    [Fact]
    public void Chunked_per_sample_allocates_nothing_with_two_threads()
    {
        float[] y = Uniform(14, B * C, 0, 1), x = Uniform(15, B * C, -3, 3);
        var bce = new BinaryCrossentropy(fromLogits: true);
        var destination = new float[B];
        Assert.Equal(0, FewestBytesWithTwoThreads(() => bce.Compute(new ReadOnlyTensorSpan<float>(y, Shape, default), new ReadOnlyTensorSpan<float>(x, Shape, default), new TensorSpan<float>(destination))));
        Assert.True(destination[0] > 0);
    }

    [Fact]
    public void Chunked_gradient_is_bit_identical_for_1_and_2_threads_matches_float64_and_the_fused_loss_equals_compute()
    {
        float[] y = Uniform(16, B * C, 0, 1), x = Uniform(17, B * C, -8, 8);
        var bce = new BinaryCrossentropy(fromLogits: true);
        var results = WithThreads(() =>
        {
            var gradient = new float[B * C];
            var fused = new float[B * C];
            float loss = bce.ComputeWithGradient(Matrix(y, B, C), Matrix(x, B, C), new TensorSpan<float>(fused, new nint[] { B, C }, default));
            bce.Gradient(Matrix(y, B, C), Matrix(x, B, C), new TensorSpan<float>(gradient, new nint[] { B, C }, default));
            return (Loss: loss, Compute: bce.Compute(Matrix(y, B, C), Matrix(x, B, C)), Gradient: gradient, Fused: fused);
        }, 1, 2);
        foreach (var r in results)
            Assert.Equal(BitConverter.SingleToInt32Bits(r.Compute), BitConverter.SingleToInt32Bits(r.Loss));
        for (int i = 0; i < B * C; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(results[0].Gradient[i]), BitConverter.SingleToInt32Bits(results[1].Gradient[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(results[1].Gradient[i]), BitConverter.SingleToInt32Bits(results[1].Fused[i]));
        }
        // float64 reference: d/dx of the mean over B x C of softplus(x) - x y is (sigmoid(x) - y) / (B C)
        for (int i = 0; i < B * C; i += 97)
        {
            double reference = (1 / (1 + Math.Exp(-x[i])) - y[i]) / ((double)B * C);
            Assert.True(Math.Abs(results[1].Gradient[i] - reference) <= 1e-5 * Math.Abs(reference) + 1e-12, $"entry {i}: {results[1].Gradient[i]:R} vs float64 {reference:R}");
        }
    }

    [Fact]
    public void Chunked_gradient_allocates_nothing_with_two_threads()
    {
        float[] y = Uniform(18, B * C, 0, 1), x = Uniform(19, B * C, -3, 3);
        var gradient = new float[B * C];
        var bce = new BinaryCrossentropy(fromLogits: true);
        float l = 0;
        Assert.Equal(0, FewestBytesWithTwoThreads(() => l = bce.ComputeWithGradient(new ReadOnlyTensorSpan<float>(y, Shape, default), new ReadOnlyTensorSpan<float>(x, Shape, default), new TensorSpan<float>(gradient, Shape, default))));
        Assert.True(l > 0);
    }

    [Theory]
    [InlineData(2, 1 << 17)]
    [InlineData(65_536, 1000)]
    [InlineData(1_000_000, 3)]
    [InlineData(3, 10_000_000)]
    public void Chunks_cover_every_row_and_never_exceed_the_limit(int rows, int rowElements)
    {
        nint chunkRows = ParallelSum.ChunkRows(rows, rowElements);
        long chunks = (rows + chunkRows - 1) / chunkRows;
        Assert.InRange(chunks, 1, ParallelSum.MaxChunks);
        Assert.True(chunks * chunkRows >= rows);
        Assert.True((chunks - 1) * chunkRows < rows, "no empty chunk");
        Assert.True(chunkRows <= ParallelSum.TileRows || chunkRows % ParallelSum.TileRows == 0, $"{chunkRows} rows: not whole tiles");
    }

    [Fact]
    public void Thread_limit_below_one_is_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.MaxDegreeOfParallelism = 0);
}

/// <summary>
/// The tests that change <see cref="Parallelism.MaxDegreeOfParallelism"/> or count a call's allocations with the worker
/// pool: run alone, after the other collections, so no other test holds the pool or changes the thread limit meanwhile.
/// </summary>
[CollectionDefinition(nameof(ParallelSumTests), DisableParallelization = true)]
public sealed class ParallelSumCollection
{
}
