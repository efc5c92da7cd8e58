using System;
using System.Linq;
using System.Numerics.Tensors;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace DslLosses.TorchBridge.Tests;

/// <summary>
/// A training step runs the fused loss+gradient kernel in forward and keeps the gradient for backward. Its loss and
/// gradient must be bit for bit what the separate kernels give (the loss kernel in forward, the gradient kernel in
/// backward, scaled by the upstream gradient), which the references here compute on copies of the same numbers.
/// </summary>
public class TorchFusedStepTests
{
    private static T[] Data<T>(torch.Tensor t)
        where T : unmanaged
        => t.detach().contiguous().data<T>().ToArray();

    private static ReadOnlyTensorSpan<T> Span<T>(T[] data, params nint[] lengths)
        => new(data, lengths, default);

    /// <summary>The bridge's value and gradient against the separate kernels' (the gradient times <paramref name="upstream"/>), bit for bit.</summary>
    private static void SameBits<T>(torch.Tensor logits, Func<torch.Tensor> call, double upstream, T expectedLoss, T[] expectedGradient)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        using var loss = call();
        using var scaled = loss * upstream;
        scaled.backward();
        Assert.Equal(expectedLoss, loss.item<T>());
        T scale = T.CreateTruncating(upstream);
        if (scale != T.One)
            TensorPrimitives.Multiply(expectedGradient, scale, expectedGradient);
        Assert.Equal(expectedGradient, Data<T>(logits.grad!));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void Bce_in_float_with_weights(double upstream)
    {
        manual_seed(11);
        var bce = new BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1);
        using var y = (rand(64, 7) > 0.5).to(ScalarType.Float32);
        using var logits = randn(64, 7).requires_grad_(true);
        using var w = rand(64);
        float[] yv = Data<float>(y), pv = Data<float>(logits), wv = Data<float>(w), g = new float[64 * 7];
        float expected = bce.Compute(Span(yv, 64, 7), Span(pv, 64, 7), Span(wv, 64));
        bce.Gradient(Span(yv, 64, 7), Span(pv, 64, 7), new TensorSpan<float>(g), Span(wv, 64));
        SameBits(logits, () => bce.Call(y, logits, w), upstream, expected, g);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.25)]
    public void Cce_in_double_with_label_smoothing_and_a_sum(double upstream)
    {
        manual_seed(12);
        var cce = new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.2, reduction: Reduction.Sum);
        using var y = Helpers.OneHot(randint(0, 9, new long[] { 40 }), 9);
        using var logits = randn(new long[] { 40, 9 }, dtype: ScalarType.Float64).requires_grad_(true);
        double[] yv = Data<double>(y), pv = Data<double>(logits), g = new double[40 * 9];
        double expected = cce.Compute(Span(yv, 40, 9), Span(pv, 40, 9));
        cce.Gradient(Span(yv, 40, 9), Span(pv, 40, 9), new TensorSpan<double>(g));
        SameBits(logits, () => cce.Call(y, logits), upstream, expected, g);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-2.0)]
    public void Sparse_cce_with_int64_labels_and_an_ignored_class(double upstream)
    {
        manual_seed(13);
        var scce = new SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 3);
        using var labels = randint(0, 10, new long[] { 300 });
        using var logits = randn(300, 10).requires_grad_(true);
        int[] lv = Data<long>(labels).Select(l => (int)l).ToArray();
        float[] pv = Data<float>(logits), g = new float[300 * 10];
        float expected = scce.Compute(Span(lv, 300), Span(pv, 300, 10));
        scce.Gradient(Span(lv, 300), Span(pv, 300, 10), new TensorSpan<float>(g));
        Assert.Equal(ScalarType.Int64, labels.dtype);
        SameBits(logits, () => scce.Call(labels, logits), upstream, expected, g);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(5.0)]
    public void A_user_formula(double upstream)
    {
        manual_seed(14);
        using var y = (rand(33, 6) > 0.5).to(ScalarType.Float32);
        using var p = (rand(33, 6) * 0.98 + 0.01).detach().requires_grad_(true);
        float[] yv = Data<float>(y), pv = Data<float>(p), g = new float[33 * 6];
        float expected = BridgeFormulas.FocalBce<float>(Span(yv, 33, 6), Span(pv, 33, 6), 2f);
        BridgeFormulas.FocalBceGradient<float>(Span(yv, 33, 6), Span(pv, 33, 6), 2f, new TensorSpan<float>(g));
        SameBits(p, () => BridgeFormulas.FocalBce(y, p, 2.0), upstream, expected, g);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    public void A_graph_kept_by_retain_graph_gives_the_same_gradient_each_time(double upstream)
    {
        manual_seed(15);
        var bce = new BinaryCrossentropy(fromLogits: true);
        using var y = (rand(16, 4) > 0.5).to(ScalarType.Float32);
        using var logits = randn(16, 4).requires_grad_(true);
        float[] yv = Data<float>(y), pv = Data<float>(logits), g = new float[16 * 4];
        bce.Gradient(Span(yv, 16, 4), Span(pv, 16, 4), new TensorSpan<float>(g));
        TensorPrimitives.Multiply(g, (float)upstream, g);
        using var loss = bce.Call(y, logits);
        using var scaled = loss * upstream;
        for (int i = 0; i < 3; i++)
            scaled.backward(retain_graph: true);
        // accumulated by TorchSharp: (g + g) + g; a saved gradient changed by the first pass would show here
        float[] expected = g.Select(v => v + v + v).ToArray();
        Assert.Equal(expected, Data<float>(logits.grad!));
    }
}
