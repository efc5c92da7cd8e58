using System;
using TorchSharp;
using Xunit;
using static DslLosses.TorchBridge.Tests.Helpers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DslLosses.TorchBridge.Tests;

/// <summary>Formulas differentiated by several tensors: the first is the prediction, the others get their gradients in backward too.</summary>
public class SeveralGradientTests
{
    private const double Step = 1e-5;

    [Fact]
    public void A_learnt_mean_and_variance_get_the_gradients_of_the_torch_ops_and_of_central_differences()
    {
        manual_seed(31);
        using var y = randn(4, 3, dtype: ScalarType.Float64);
        double[] means = Uniform([4, 3], -1, 1).data<double>().ToArray();
        double[] variances = Uniform([4, 3], 0.5, 2).data<double>().ToArray();
        using var mean = tensor(means, [4, 3], requires_grad: true);
        using var variance = tensor(variances, [4, 3], requires_grad: true);
        using (var loss = BridgeFormulas.GaussianNll(y, mean, variance))
            loss.backward();

        // the same loss composed from TorchSharp's ops
        using var m = mean.detach().clone().requires_grad_(true);
        using var v = variance.detach().clone().requires_grad_(true);
        using (var reference = (0.5 * (v.log() + (y - m).square() / v)).mean(new long[] { -1 }).mean())
            reference.backward();
        Close(m.grad!, mean.grad!, what: "mean gradient");
        Close(v.grad!, variance.grad!, what: "variance gradient");

        // central differences of the value the bridge returns
        double Value()
        {
            using var mm = tensor(means, [4, 3]);
            using var vv = tensor(variances, [4, 3]);
            using var loss = BridgeFormulas.GaussianNll(y, mm, vv);
            return loss.item<double>();
        }
        foreach (var (values, analytic, what) in new[] { (means, mean.grad!.data<double>().ToArray(), "mean"), (variances, variance.grad!.data<double>().ToArray(), "variance") })
        {
            for (int i = 0; i < values.Length; i++)
            {
                double saved = values[i];
                values[i] = saved + Step;
                double up = Value();
                values[i] = saved - Step;
                double down = Value();
                values[i] = saved;
                double numeric = (up - down) / (2 * Step);
                Assert.True(Math.Abs(analytic[i] - numeric) <= 1e-6 * Math.Max(1, Math.Abs(numeric)), $"{what} element {i}: backward {analytic[i]:R}, central difference {numeric:R}");
            }
        }
    }

    [Fact]
    public void A_learnt_per_class_pos_weight_gets_the_gradients_of_torchs_ops()
    {
        var (layer, x) = Linear(32, batch: 10, inputs: 3, outputs: 4);
        using var y = (rand(10, 4, dtype: ScalarType.Float64) > 0.5).to(ScalarType.Float64);
        using var posWeight = tensor(new[] { 0.5, 1.5, 2.0, 3.0 }).requires_grad_(true);
        var ours = Gradients(layer, x, z => BridgeFormulas.LearntPosWeightBce(y, z, posWeight));
        using var ourPosGradient = posWeight.grad!.clone();
        posWeight.grad!.zero_();
        // TorchSharp's own loss takes pos_weight as a constant (the weight and bias gradients), the composed ops learn it
        var torchs = Gradients(layer, x, z => F.binary_cross_entropy_with_logits(z, y, null, nn.Reduction.Mean, posWeight.detach()));
        SameAsTorch(torchs, ours);
        using (var composed = (posWeight * y * F.softplus(-layer.forward(x)) + (1 - y) * F.softplus(layer.forward(x))).mean())
            composed.backward();
        Close(posWeight.grad!, ourPosGradient, what: "posWeight gradient");
    }

    [Fact]
    public void Per_sample_losses_give_every_differentiated_tensor_the_upstream_gradient()
    {
        manual_seed(33);
        using var y = randn(5, 3, dtype: ScalarType.Float64);
        using var mean = randn(5, 3, dtype: ScalarType.Float64).requires_grad_(true);
        using var variance = (rand(5, 3, dtype: ScalarType.Float64) + 0.5).requires_grad_(true);
        using var m = mean.detach().clone().requires_grad_(true);
        using var v = variance.detach().clone().requires_grad_(true);
        using var upstream = randn(5, dtype: ScalarType.Float64);
        using var losses = BridgeFormulas.GaussianNll(y, mean, variance, Reduction.None);
        using var expected = (0.5 * (v.log() + (y - m).square() / v)).mean(new long[] { -1 });
        Close(expected, losses, what: "per-sample losses");
        losses.backward([upstream]);
        expected.backward([upstream]);
        Close(m.grad!, mean.grad!, what: "mean gradient");
        Close(v.grad!, variance.grad!, what: "variance gradient");
    }

    [Fact]
    public void Only_the_differentiated_extra_tensor_may_require_grad()
    {
        // the variance alone requiring grad still runs backward; a scaled loss scales both gradients
        using var y = randn(3, 2, dtype: ScalarType.Float64);
        using var mean = randn(3, 2, dtype: ScalarType.Float64);
        using var variance = (rand(3, 2, dtype: ScalarType.Float64) + 0.5).requires_grad_(true);
        using var v = variance.detach().clone().requires_grad_(true);
        using (var loss = BridgeFormulas.GaussianNll(y, mean, variance) * 3)
            loss.backward();
        using (var reference = (0.5 * (v.log() + (y - mean).square() / v)).mean() * 3)
            reference.backward();
        Close(v.grad!, variance.grad!, what: "variance gradient");
    }

    [Fact]
    public void Double_backward_keeps_both_first_derivatives_and_makes_the_second_NaN()
    {
        manual_seed(34);
        using var y = randn(3, 4, dtype: ScalarType.Float64);
        using var mean = randn(3, 4, dtype: ScalarType.Float64).requires_grad_(true);
        using var variance = (rand(3, 4, dtype: ScalarType.Float64) + 0.5).requires_grad_(true);
        using var loss = BridgeFormulas.GaussianNll(y, mean, variance);
        var first = autograd.grad([loss], [mean, variance], create_graph: true);
        using var m = mean.detach().clone().requires_grad_(true);
        using var v = variance.detach().clone().requires_grad_(true);
        using (var reference = (0.5 * (v.log() + (y - m).square() / v)).mean())
            reference.backward();
        Close(m.grad!, first[0], what: "first derivative by the mean");
        Close(v.grad!, first[1], what: "first derivative by the variance");
        using var second = first[1].square().sum();
        second.backward();
        Assert.True(variance.grad!.isnan().all().item<bool>(), "second derivatives through the bridged loss are NaN");
    }
}
