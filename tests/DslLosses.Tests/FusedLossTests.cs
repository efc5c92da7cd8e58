using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// The fused loss is the loss: <c>ComputeWithGradient</c> returns exactly the bits <c>Compute</c> returns on the same
/// inputs and reduction, for every built-in loss, float and double, unweighted and weighted, at shapes that take the
/// flat total, the row tiles, the vector and scalar paths and the multi-core split.
/// </summary>
[Trait("Category", "Kernels")]
public class FusedLossTests
{
    private static readonly (int B, int C)[] Shapes = { (1, 1), (3, 5), (4, 1), (33, 7), (64, 3), (17, 130), (2048, 130) };

    public static IEnumerable<object[]> Cases()
    {
        foreach (string loss in new[] { "bce", "bce-smooth", "bce-logits", "cce", "cce-logits", "scce", "scce-logits", "scce-ignore", "poisson", "kld" })
            foreach (Reduction reduction in new[] { Reduction.Sum, Reduction.SumOverBatchSize, Reduction.MeanWithSampleWeight })
                yield return new object[] { loss, reduction };
    }

    private static KerasLoss Dense(string loss, Reduction r) => loss switch
    {
        "bce" => new BinaryCrossentropy(reduction: r),
        "bce-smooth" => new BinaryCrossentropy(labelSmoothing: 0.1, reduction: r),
        "bce-logits" => new BinaryCrossentropy(fromLogits: true, reduction: r),
        "cce" => new CategoricalCrossentropy(reduction: r),
        "cce-logits" => new CategoricalCrossentropy(fromLogits: true, reduction: r),
        "poisson" => new Poisson(r),
        _ => new KLDivergence(r),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_with_gradient_returns_the_bits_of_compute(string loss, Reduction reduction)
    {
        foreach ((int b, int c) in Shapes)
        {
            var random = new Random(b * 1000 + c);
            double[] labels = new double[b * c], preds = new double[b * c], weights = new double[b];
            int[] classes = new int[b];
            for (int i = 0; i < labels.Length; i++)
            {
                labels[i] = random.NextDouble();
                preds[i] = loss.EndsWith("logits", StringComparison.Ordinal) ? random.NextDouble() * 6 - 3 : 0.02 + random.NextDouble() * 0.96;
            }
            for (int i = 0; i < b; i++)
            {
                weights[i] = random.NextDouble() * 2;
                classes[i] = loss == "scce-ignore" && i % 3 == 0 ? -1 : random.Next(c);
            }
            foreach (bool weighted in new[] { false, true })
            {
                nint[] shape = { b, c };
                string what = $"{loss} {reduction} [{b}, {c}] {(weighted ? "weighted" : "unweighted")}";
                float[] labels32 = Array.ConvertAll(labels, v => (float)v), preds32 = Array.ConvertAll(preds, v => (float)v);
                float[]? weights32 = weighted ? Array.ConvertAll(weights, v => (float)v) : null;
                double[]? weights64 = weighted ? weights : null;
                if (loss.StartsWith("scce", StringComparison.Ordinal))
                {
                    var scce = new SparseCategoricalCrossentropy(fromLogits: loss == "scce-logits", ignoreClass: loss == "scce-ignore" ? -1 : null, reduction: reduction);
                    Same(what + " double", scce.Compute(new ReadOnlyTensorSpan<int>(classes), S(preds, shape), W(weights64)), scce.ComputeWithGradient(new ReadOnlyTensorSpan<int>(classes), S(preds, shape), G(preds, shape), W(weights64)));
                    Same(what + " float", scce.Compute(new ReadOnlyTensorSpan<int>(classes), S(preds32, shape), W(weights32)), scce.ComputeWithGradient(new ReadOnlyTensorSpan<int>(classes), S(preds32, shape), G(preds32, shape), W(weights32)));
                }
                else
                {
                    KerasLoss dense = Dense(loss, reduction);
                    Same(what + " double", dense.Compute(S(labels, shape), S(preds, shape), W(weights64)), dense.ComputeWithGradient(S(labels, shape), S(preds, shape), G(preds, shape), W(weights64)));
                    Same(what + " float", dense.Compute(S(labels32, shape), S(preds32, shape), W(weights32)), dense.ComputeWithGradient(S(labels32, shape), S(preds32, shape), G(preds32, shape), W(weights32)));
                }
            }
        }
    }

    private static void Same<T>(string what, T plain, T fused) where T : IEquatable<T>
        => Assert.True(plain.Equals(fused), $"{what}: Compute {plain:R}, ComputeWithGradient {fused:R}");

    private static ReadOnlyTensorSpan<T> S<T>(T[] data, nint[] shape) => new(data, shape, default);

    private static ReadOnlyTensorSpan<T> W<T>(T[]? data) => data is null ? default : new ReadOnlyTensorSpan<T>(data);

    private static TensorSpan<T> G<T>(T[] like, nint[] shape) => new(new T[like.Length], shape, default);
}
