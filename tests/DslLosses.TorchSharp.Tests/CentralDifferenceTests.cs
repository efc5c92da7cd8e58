using System;
using TorchSharp;
using Xunit;
using static DslLosses.TorchBridge.Tests.Helpers;
using static TorchSharp.torch;

namespace DslLosses.TorchBridge.Tests;

/// <summary>
/// The gradient backward gives, for every loss and option, against float64 central differences of the forward value
/// the bridge returns: within 1e-6 of the largest gradient element.
/// </summary>
public class CentralDifferenceTests
{
    private const double Step = 1e-5;

    /// <summary>The loss as a function of the prediction; the prediction's shape and the range its values are drawn from.</summary>
    private sealed record Case(string Name, long[] Shape, double Lo, double Hi, Func<torch.Tensor, torch.Tensor> Loss);

    private static Case Make(string name)
    {
        manual_seed(name.GetHashCode(StringComparison.Ordinal) & 0xffff);
        var labels = Uniform([5, 4], 0, 1);
        var rowLabels = labels / labels.sum(new long[] { -1 }, keepdim: true);
        var weights = Uniform([5], 0.2, 2);
        var classes = tensor(new[] { 0, 3, 1, 2, 3 });
        var counts = randint(0, 4, new long[] { 5, 4 }).to(ScalarType.Float64);
        var upstream = Uniform([5], -1, 1);
        return name switch
        {
            "bce probabilities, smoothing, weights" => new(name, [5, 4], 0.05, 0.95, p => new BinaryCrossentropy(labelSmoothing: 0.2).Call(labels, p, weights)),
            "bce logits, axis 0, sum" => new(name, [5, 4], -3, 3, p => new BinaryCrossentropy(fromLogits: true, axis: 0, reduction: Reduction.Sum).Call(labels, p)),
            "cce probabilities, smoothing, sum, weights" => new(name, [5, 4], 0.05, 0.95, p => new CategoricalCrossentropy(labelSmoothing: 0.1, reduction: Reduction.Sum).Call(rowLabels, p, weights)),
            "cce logits, per sample, upstream" => new(name, [5, 4], -3, 3, p => (new CategoricalCrossentropy(fromLogits: true, reduction: Reduction.None).Call(rowLabels, p) * upstream).sum()),
            "sparse cce probabilities, ignore class" => new(name, [5, 4], 0.05, 0.95, p => new SparseCategoricalCrossentropy(ignoreClass: 2).Call(classes, p)),
            "sparse cce logits, per sample, weights, upstream" => new(name, [5, 4], -3, 3, p => (new SparseCategoricalCrossentropy(fromLogits: true, reduction: Reduction.None).Call(classes, p, weights) * upstream).sum()),
            "poisson, weights, scaled" => new(name, [5, 4], 0.2, 3, p => new Poisson().Call(counts, p, weights) * 2.5),
            "bce probabilities, mean with sample weight, weights" => new(name, [5, 4], 0.05, 0.95, p => new BinaryCrossentropy(reduction: Reduction.MeanWithSampleWeight).Call(labels, p, weights)),
            "kl divergence, sum" => new(name, [5, 4], 0.05, 0.95, p => new KLDivergence(reduction: Reduction.Sum).Call(rowLabels, p)),
            _ => throw new ArgumentException(name),
        };
    }

    [Theory]
    [InlineData("bce probabilities, smoothing, weights")]
    [InlineData("bce logits, axis 0, sum")]
    [InlineData("cce probabilities, smoothing, sum, weights")]
    [InlineData("cce logits, per sample, upstream")]
    [InlineData("sparse cce probabilities, ignore class")]
    [InlineData("sparse cce logits, per sample, weights, upstream")]
    [InlineData("poisson, weights, scaled")]
    [InlineData("bce probabilities, mean with sample weight, weights")]
    [InlineData("kl divergence, sum")]
    public void Backward_matches_central_differences(string name)
    {
        Case c = Make(name);
        double[] values = Uniform(c.Shape, c.Lo, c.Hi).data<double>().ToArray();
        using var prediction = tensor(values, c.Shape, requires_grad: true);
        using (var loss = c.Loss(prediction))
            loss.backward();
        double[] analytic = prediction.grad!.data<double>().ToArray();

        double largest = 0;
        var numeric = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double saved = values[i];
            values[i] = saved + Step;
            double up = Value(c, values);
            values[i] = saved - Step;
            double down = Value(c, values);
            values[i] = saved;
            numeric[i] = (up - down) / (2 * Step);
            largest = Math.Max(largest, Math.Abs(numeric[i]));
        }
        Assert.True(largest > 1e-3, "the case has a gradient to compare");
        for (int i = 0; i < values.Length; i++)
            Assert.True(Math.Abs(analytic[i] - numeric[i]) <= 1e-6 * largest,
                $"{name}, element {i}: backward {analytic[i]:R}, central difference {numeric[i]:R}");
    }

    private static double Value(Case c, double[] values)
    {
        using var p = tensor(values, c.Shape);
        using var loss = c.Loss(p);
        return loss.item<double>();
    }
}
