using System;
using TorchSharp;
using Xunit;
using static DslLosses.TorchBridge.Tests.Helpers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DslLosses.TorchBridge.Tests;

/// <summary>The TorchSharp entry points the generator emits for this project's own [Loss] formulas.</summary>
public class UserFormulaTests
{
    /// <summary>The focal loss composed from TorchSharp's ops, as the formula reads.</summary>
    private static torch.Tensor TorchFocal(torch.Tensor y, torch.Tensor probabilities, double gamma)
    {
        var p = probabilities.clamp(1e-7, 1 - 1e-7);
        var pt = y * p + (1 - y) * (1 - p);
        return (-(1 - pt).pow(gamma) * pt.log()).mean(new long[] { -1 }).mean();
    }

    [Fact]
    public void A_focal_loss_formula_matches_the_same_loss_composed_from_torch_ops()
    {
        var (layer, x) = Linear(11, batch: 16, inputs: 4, outputs: 3);
        using var y = (rand(16, 3, dtype: ScalarType.Float64) > 0.5).to(ScalarType.Float64);
        var ours = Gradients(layer, x, z => BridgeFormulas.FocalBce(y, sigmoid(z), 2.0));
        var torchs = Gradients(layer, x, z => TorchFocal(y, sigmoid(z), 2.0));
        SameAsTorch(torchs, ours);
    }

    [Fact]
    public void A_sparse_formula_with_the_prediction_first_matches_cross_entropy_with_ignore_index()
    {
        var (layer, x) = Linear(12, batch: 9, inputs: 3, outputs: 4);
        using var labels = tensor(new long[] { 1, 3, 9, 0, 2, 9, 3, 1, 0 });
        var ours = Gradients(layer, x, z => BridgeFormulas.SparseNll(z, labels, ignore: 9));
        var torchs = Gradients(layer, x, z => F.cross_entropy(z, labels, ignore_index: 9));
        Assert.Equal(torchs.Loss, ours.Loss, 1e-12);
        Close(torchs.Weight, ours.Weight, what: "weight");
    }

    [Fact]
    public void An_elementwise_formula_returns_per_sample_losses_of_the_prediction_shape()
    {
        using var target = rand(3, 4, dtype: ScalarType.Float64);
        using var output = rand(3, 4, dtype: ScalarType.Float64).requires_grad_(true);
        using var losses = BridgeFormulas.SquaredError(target, output, Reduction.None);
        Assert.Equal(new long[] { 3, 4 }, losses.shape);
        Close((target - output).square(), losses, 1e-15);
        using var upstream = rand(3, 4, dtype: ScalarType.Float64);
        losses.backward([upstream]);
        Close(2 * (output - target).detach() * upstream, output.grad!, what: "gradient");
    }

    [Fact]
    public void A_model_trains_with_a_user_formula_through_backward()
    {
        // two Gaussian blobs, labels by blob; a linear layer, Adam, the focal loss through the bridge
        manual_seed(3);
        using var centers = tensor(new float[] { -1.5f, -1.5f, 1.5f, 1.5f }, new long[] { 2, 2 });
        using var classes = randint(0, 2, new long[] { 256 });
        using var x = centers.index_select(0, classes) + randn(256, 2) * 0.7f;
        using var y = classes.to(ScalarType.Float32).unsqueeze(1);
        var model = nn.Linear(2, 1);
        var adam = optim.Adam(model.parameters(), lr: 0.05);
        float first = 0, last = 0;
        for (int step = 0; step < 100; step++)
        {
            adam.zero_grad();
            using var loss = BridgeFormulas.FocalBce(y, sigmoid(model.forward(x)), 2.0);
            loss.backward();
            adam.step();
            last = loss.item<float>();
            if (step == 0)
                first = last;
        }
        using var predicted = (model.forward(x) > 0).to(ScalarType.Float32);
        double accuracy = predicted.eq(y).to(ScalarType.Float32).mean().item<float>();
        Assert.True(last < first / 4, $"the loss went from {first} to {last}");
        Assert.True(accuracy > 0.95, $"accuracy {accuracy}");
    }
}
