using System;
using System.Numerics.Tensors;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// Weighted calls on large inputs run in the same size-determined chunks as unweighted ones, on several threads where
/// allowed: each chunk must weigh its rows with their own weights (the weights are indexed from the whole tensor's
/// first row), per-sample losses and gradients must be the unweighted ones times the weight bit for bit, totals must
/// not depend on the thread count, and the fused loss must still be <c>Compute</c>'s bit for bit.
/// </summary>
[Collection(nameof(ParallelSumTests))] // changes the process-wide Parallelism setting
[Trait("Category", "Kernels")]
public class WeightedChunkTests
{
    private const int B = ParallelSumTests.B, C = ParallelSumTests.C; // above ParallelSum.SplitThreshold (ParallelSumTests checks it)

    private static float[] Uniform(int seed, int n, double lo, double hi) => ParallelSumTests.Uniform(seed, n, lo, hi);

    private static ReadOnlyTensorSpan<T> Matrix<T>(T[] data, int rows, int columns) => new(data, new nint[] { rows, columns }, default);

    private static TensorSpan<T> Destination<T>(T[] data, params nint[] shape) => new(data, shape, default);

    private static int Bits(float x) => BitConverter.SingleToInt32Bits(x);

    [Theory]
    [InlineData(false)] // weights [B]
    [InlineData(true)]  // weights [B, 1]
    public void Weighted_per_sample_losses_in_chunks_are_each_rows_loss_times_its_own_weight(bool column)
    {
        float[] y = Uniform(1, B * C, 0, 1), x = Uniform(2, B * C, -6, 6), w = Uniform(3, B, 0, 2);
        ReadOnlyTensorSpan<float> Weights() => column ? Matrix(w, B, 1) : new ReadOnlyTensorSpan<float>(w);
        foreach (KerasLoss loss in new KerasLoss[] { new CategoricalCrossentropy(fromLogits: true), new BinaryCrossentropy(fromLogits: true) })
        {
            var unweighted = new float[B];
            loss.Compute(Matrix(y, B, C), Matrix(x, B, C), Destination(unweighted, B));
            var results = ParallelSumTests.WithThreads(() =>
            {
                var weighted = new float[B];
                loss.Compute(Matrix(y, B, C), Matrix(x, B, C), Destination(weighted, B), Weights());
                return weighted;
            }, 1, 2);
            for (int i = 0; i < B; i++)
            {
                // the kernel multiplies the row's loss by its weight in float, as this line does
                Assert.Equal(Bits(unweighted[i] * w[i]), Bits(results[0][i]));
                Assert.Equal(Bits(results[0][i]), Bits(results[1][i]));
            }
        }
    }

    [Fact]
    public void Weighted_gradient_in_chunks_is_the_summed_gradient_times_each_rows_weight()
    {
        float[] y = Uniform(4, B * C, 0, 1), x = Uniform(5, B * C, -6, 6), w = Uniform(6, B, 0, 2);
        foreach (KerasLoss loss in new KerasLoss[] { new CategoricalCrossentropy(fromLogits: true, reduction: Reduction.Sum), new BinaryCrossentropy(fromLogits: true, reduction: Reduction.Sum) })
        {
            // Sum scales every entry by 1: the weighted entry is the unweighted one times the row's weight, rounded once
            var unweighted = new float[B * C];
            loss.Gradient(Matrix(y, B, C), Matrix(x, B, C), Destination(unweighted, B, C));
            var results = ParallelSumTests.WithThreads(() =>
            {
                var weighted = new float[B * C];
                loss.Gradient(Matrix(y, B, C), Matrix(x, B, C), Destination(weighted, B, C), new ReadOnlyTensorSpan<float>(w));
                return weighted;
            }, 1, 2);
            for (int i = 0; i < B * C; i++)
            {
                Assert.Equal(Bits(unweighted[i] * w[i / C]), Bits(results[0][i]));
                Assert.Equal(Bits(results[0][i]), Bits(results[1][i]));
            }
        }
    }

    [Fact]
    public void Weighted_total_in_chunks_is_the_same_for_1_and_2_threads_matches_float64_and_the_fused_loss_equals_compute()
    {
        float[] yf = Uniform(7, B * C, 0, 1), xf = Uniform(8, B * C, -6, 6), wf = Uniform(9, B, 0, 2);
        double[] y = Array.ConvertAll(yf, v => (double)v), x = Array.ConvertAll(xf, v => (double)v), w = Array.ConvertAll(wf, v => (double)v);
        var cce = new CategoricalCrossentropy(fromLogits: true);
        var results = ParallelSumTests.WithThreads(() =>
        {
            var gradient = new double[B * C];
            var fused = new double[B * C];
            double loss = cce.ComputeWithGradient(Matrix(y, B, C), Matrix(x, B, C), Destination(fused, B, C), new ReadOnlyTensorSpan<double>(w));
            cce.Gradient(Matrix(y, B, C), Matrix(x, B, C), Destination(gradient, B, C), new ReadOnlyTensorSpan<double>(w));
            return (Loss: loss, Compute: cce.Compute(Matrix(y, B, C), Matrix(x, B, C), new ReadOnlyTensorSpan<double>(w)), Gradient: gradient, Fused: fused);
        }, 1, 2);
        Assert.Equal(BitConverter.DoubleToInt64Bits(results[0].Compute), BitConverter.DoubleToInt64Bits(results[1].Compute));
        foreach (var r in results)
            Assert.Equal(BitConverter.DoubleToInt64Bits(r.Compute), BitConverter.DoubleToInt64Bits(r.Loss));
        for (int i = 0; i < B * C; i++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(results[1].Gradient[i]), BitConverter.DoubleToInt64Bits(results[1].Fused[i]));

        // float64 reference, summed in row order: Σ_b w_b Σ_c y_bc (logsumexp(x_b) - x_bc), over B (sum_over_batch_size)
        double total = 0;
        for (int b = 0; b < B; b++)
        {
            double max = double.NegativeInfinity, sum = 0, row = 0;
            for (int c = 0; c < C; c++)
                max = Math.Max(max, x[b * C + c]);
            for (int c = 0; c < C; c++)
                sum += Math.Exp(x[b * C + c] - max);
            double lse = max + Math.Log(sum);
            for (int c = 0; c < C; c++)
                row += y[b * C + c] * (lse - x[b * C + c]);
            total += w[b] * row;
        }
        double reference = total / B;
        Assert.True(Math.Abs(results[1].Compute - reference) <= 1e-12 * Math.Abs(reference), $"{results[1].Compute:R} vs float64 {reference:R}");
    }

    [Fact]
    public void Weighted_fused_loss_of_a_formula_whose_gradient_adds_up_rows_equals_compute()
    {
        // the gradient by the per-class posWeight adds every row's share, so it runs in one piece; the fused total is
        // then the chunked one Compute takes, in a second pass
        float[] y = Uniform(10, B * C, 0, 1), x = Uniform(11, B * C, -6, 6), p = Uniform(12, C, 0.5, 2), w = Uniform(13, B, 0, 2);
        var results = ParallelSumTests.WithThreads(() =>
        {
            var gLogits = new float[B * C];
            var gWeight = new float[C];
            float fused = MultiDiffFormulas.LearntPosWeightBceWithGradient(Matrix(y, B, C), Matrix(x, B, C), new ReadOnlyTensorSpan<float>(p),
                Destination(gLogits, B, C), Destination(gWeight, C), Reduction.SumOverBatchSize, new ReadOnlyTensorSpan<float>(w));
            float compute = MultiDiffFormulas.LearntPosWeightBce(Matrix(y, B, C), Matrix(x, B, C), new ReadOnlyTensorSpan<float>(p), Reduction.SumOverBatchSize, new ReadOnlyTensorSpan<float>(w));
            return (Fused: fused, Compute: compute);
        }, 1, 2);
        foreach (var r in results)
            Assert.Equal(Bits(r.Compute), Bits(r.Fused));
        Assert.Equal(Bits(results[0].Compute), Bits(results[1].Compute));
    }

    [Fact]
    public void Chunked_weighted_gradient_allocates_nothing_with_two_threads()
    {
        float[] y = Uniform(14, B * C, 0, 1), x = Uniform(15, B * C, -3, 3), w = Uniform(16, B, 0, 2);
        var gradient = new float[B * C];
        var cce = new CategoricalCrossentropy(fromLogits: true);
        nint[] shape = ParallelSumTests.Shape;
        float l = 0;
        Assert.Equal(0, ParallelSumTests.FewestBytesWithTwoThreads(() => l = cce.ComputeWithGradient(new ReadOnlyTensorSpan<float>(y, shape, default),
            new ReadOnlyTensorSpan<float>(x, shape, default), new TensorSpan<float>(gradient, shape, default), new ReadOnlyTensorSpan<float>(w))));
        Assert.True(l > 0);
    }
}
