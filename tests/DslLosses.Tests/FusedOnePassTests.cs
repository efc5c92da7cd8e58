using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using DslLosses.Kernels;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// The fused loss and gradient in one pass where that gives <c>Compute</c>'s bits: <c>ComputeWithGradient</c> returns
/// exactly what <c>Compute</c> returns, and writes exactly the gradient <c>Gradient</c> writes, at class counts that
/// take the float row tiles in the loss (4, 10, 15, 16, 32) and that do not (100, 200), below and above
/// <see cref="ParallelSum.SplitThreshold"/> (one chunked run, a chunk of a few rows at the end), on 1 and 2 threads,
/// float, double and Half (the sparse loss has no Half entry).
/// </summary>
[Trait("Category", "Kernels")]
[Collection(nameof(ParallelSumTests))] // changes the process-wide Parallelism setting
public class FusedOnePassTests
{
    private static readonly int[] Classes = { 4, 10, 15, 16, 32, 100, 200 };

    public static IEnumerable<object[]> Cases()
    {
        foreach (string loss in new[] { "cce-logits", "bce", "poisson" })
            foreach (string type in new[] { "float", "double", "half" })
                yield return new object[] { loss, type };
        foreach (string loss in new[] { "scce-logits", "scce-ignore" })
            foreach (string type in new[] { "float", "double" })
                yield return new object[] { loss, type };
    }

    /// <summary>
    /// Rows below the split (37: two tiles of 16 and a tail; 1000) and, for one loss axis that takes row tiles (10: 16-row
    /// Vector512 or 8-row Vector256 tiles) and one that takes them only for the sparse losses (100), above it (a last
    /// chunk of 37 rows or fewer). Above the split every case runs over a quarter of a million elements a dozen times,
    /// at each width setting of CI: two loss axes there keep this class at seconds, not minutes, on the scalar path.
    /// </summary>
    private static IEnumerable<int> Rows(int c)
    {
        yield return 37;
        yield return 1000;
        if (c is 10 or 100)
            yield return (int)(ParallelSum.SplitThreshold / c) + 37;
    }

    /// <summary>Loss axes for the chunked test below: 16-row tiles with AVX-512 (10), 8-row tiles (32), tiles for the sparse loss only (100).</summary>
    private static readonly int[] ChunkedClasses = { 10, 32, 100 };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_total_is_compute_and_gradient_is_gradient_bit_for_bit(string loss, string type)
    {
        int saved = Parallelism.MaxDegreeOfParallelism;
        try
        {
            foreach (int c in Classes)
            {
                foreach (int b in Rows(c))
                {
                    Assert.Equal(b >= 1000 && b * c >= ParallelSum.SplitThreshold, ParallelSum.ShouldSplit(b, c));
                    var random = new Random(b * 1000 + c);
                    double[] labels = new double[b * c], preds = new double[b * c];
                    int[] classes = new int[b];
                    for (int i = 0; i < labels.Length; i++)
                    {
                        labels[i] = loss == "poisson" ? random.Next(4) : random.NextDouble();
                        preds[i] = loss.EndsWith("logits", StringComparison.Ordinal) ? random.NextDouble() * 16 - 8 : 0.02 + random.NextDouble() * 0.96;
                    }
                    for (int i = 0; i < b; i++)
                        classes[i] = loss == "scce-ignore" && i % 3 == 0 ? -1 : random.Next(c);
                    foreach (int threads in new[] { 1, 2 })
                    {
                        Parallelism.MaxDegreeOfParallelism = threads;
                        foreach (Reduction reduction in new[] { Reduction.SumOverBatchSize, Reduction.Sum })
                        {
                            string what = $"{loss} {type} {reduction} [{b}, {c}] on {threads} thread(s)";
                            switch (type)
                            {
                                case "float":
                                    Check(what, loss, reduction, classes, Array.ConvertAll(labels, v => (float)v), Array.ConvertAll(preds, v => (float)v), b, c);
                                    break;
                                case "double":
                                    Check(what, loss, reduction, classes, labels, preds, b, c);
                                    break;
                                default:
                                    Check(what, loss, reduction, classes, Array.ConvertAll(labels, v => (Half)v), Array.ConvertAll(preds, v => (Half)v), b, c);
                                    break;
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            Parallelism.MaxDegreeOfParallelism = saved;
        }
    }

    /// <summary>
    /// Above the split, a float total of many rows rounds away a last-bit difference of one row's loss; here only every
    /// 997th row has a loss (the others a zero label row, or an ignored label), so the float result keeps it: a chunk
    /// whose loss takes row tiles must give the tiles' total, not the gradient body's.
    /// </summary>
    [Theory]
    [InlineData("cce-logits")]
    [InlineData("scce-ignore")]
    public void Fused_total_keeps_the_tiles_total_of_each_chunk_when_few_rows_count(string loss)
    {
        int saved = Parallelism.MaxDegreeOfParallelism;
        try
        {
            foreach (int c in ChunkedClasses)
            {
                int b = (int)(ParallelSum.SplitThreshold / c) + 37;
                var random = new Random(b + c);
                float[] labels = new float[b * c], preds = new float[b * c];
                int[] classes = new int[b];
                for (int i = 0; i < preds.Length; i++)
                    preds[i] = (float)(random.NextDouble() * 16 - 8);
                for (int i = 0; i < b; i++)
                {
                    bool counts = i % 997 == 0;
                    classes[i] = counts ? random.Next(c) : -1;
                    if (counts)
                        labels[i * c + classes[i]] = 1f;
                }
                foreach (int threads in new[] { 1, 2 })
                {
                    Parallelism.MaxDegreeOfParallelism = threads;
                    foreach (Reduction reduction in new[] { Reduction.SumOverBatchSize, Reduction.Sum })
                        Check($"{loss} float {reduction} [{b}, {c}], every 997th row, on {threads} thread(s)", loss, reduction, classes, labels, preds, b, c);
                }
            }
        }
        finally
        {
            Parallelism.MaxDegreeOfParallelism = saved;
        }
    }

    private static void Check<T>(string what, string loss, Reduction reduction, int[] classes, T[] labels, T[] preds, int b, int c)
        where T : unmanaged, IEquatable<T>
    {
        nint[] shape = { b, c };
        var yPred = new ReadOnlyTensorSpan<T>(preds, shape, default);
        T[] fusedGradient = new T[preds.Length], gradient = new T[preds.Length];
        T plain, fused;
        if (loss.StartsWith("scce", StringComparison.Ordinal))
        {
            var scce = new SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: loss == "scce-ignore" ? -1 : null, reduction: reduction);
            var yTrue = new ReadOnlyTensorSpan<int>(classes);
            if (typeof(T) == typeof(float))
            {
                var p = new ReadOnlyTensorSpan<float>((float[])(object)preds, shape, default);
                plain = (T)(object)scce.Compute(yTrue, p);
                fused = (T)(object)scce.ComputeWithGradient(yTrue, p, new TensorSpan<float>((float[])(object)fusedGradient, shape, default));
                scce.Gradient(yTrue, p, new TensorSpan<float>((float[])(object)gradient, shape, default));
            }
            else
            {
                var p = new ReadOnlyTensorSpan<double>((double[])(object)preds, shape, default);
                plain = (T)(object)scce.Compute(yTrue, p);
                fused = (T)(object)scce.ComputeWithGradient(yTrue, p, new TensorSpan<double>((double[])(object)fusedGradient, shape, default));
                scce.Gradient(yTrue, p, new TensorSpan<double>((double[])(object)gradient, shape, default));
            }
        }
        else
        {
            KerasLoss dense = loss switch
            {
                "cce-logits" => new CategoricalCrossentropy(fromLogits: true, reduction: reduction),
                "bce" => new BinaryCrossentropy(reduction: reduction),
                _ => new Poisson(reduction),
            };
            var yTrue = new ReadOnlyTensorSpan<T>(labels, shape, default);
            plain = dense.Compute(yTrue, yPred);
            fused = dense.ComputeWithGradient(yTrue, yPred, new TensorSpan<T>(fusedGradient, shape, default));
            dense.Gradient(yTrue, yPred, new TensorSpan<T>(gradient, shape, default));
        }
        Assert.True(Bits(plain) == Bits(fused), $"{what}: Compute {plain}, ComputeWithGradient {fused}");
        for (int i = 0; i < gradient.Length; i++)
        {
            if (Bits(gradient[i]) != Bits(fusedGradient[i]))
                Assert.Fail($"{what}: gradient entry {i}: Gradient {gradient[i]}, ComputeWithGradient {fusedGradient[i]}");
        }
    }

    /// <summary>The bits of a float, double or Half (so that -0 and 0, or two NaNs, are told apart).</summary>
    private static ulong Bits<T>(T value) where T : unmanaged
        => typeof(T) == typeof(double) ? BitConverter.DoubleToUInt64Bits((double)(object)value)
           : typeof(T) == typeof(float) ? BitConverter.SingleToUInt32Bits((float)(object)value)
           : BitConverter.HalfToUInt16Bits((Half)(object)value);
}
