using TorchSharp;
using Xunit;
using static DslLosses.TorchBridge.Tests.Helpers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DslLosses.TorchBridge.Tests;

/// <summary>
/// Gradients through an nn.Linear into its weights: the bridge against TorchSharp's own losses, float64, within 1e-6
/// relative (the two agree to rounding: both are exact formulas in double).
/// </summary>
public class TorchGradientTests
{
    [Fact]
    public void Bce_on_logits_matches_binary_cross_entropy_with_logits()
    {
        var (layer, x) = Linear(1, batch: 16, inputs: 5, outputs: 3);
        using var y = (rand(16, 3, dtype: ScalarType.Float64) > 0.5).to(ScalarType.Float64);
        var bce = new BinaryCrossentropy(fromLogits: true);
        var ours = Gradients(layer, x, logits => bce.Call(y, logits));
        var torchs = Gradients(layer, x, logits => F.binary_cross_entropy_with_logits(logits, y));
        SameAsTorch(torchs, ours);
    }

    [Fact]
    public void Bce_on_logits_with_weights_and_sum_matches_the_composed_torch_loss()
    {
        var (layer, x) = Linear(2, batch: 8, inputs: 4, outputs: 6);
        using var y = rand(8, 6, dtype: ScalarType.Float64); // soft labels
        using var w = rand(8, dtype: ScalarType.Float64);
        var bce = new BinaryCrossentropy(fromLogits: true, reduction: Reduction.Sum);
        var ours = Gradients(layer, x, logits => bce.Call(y, logits, w));
        var torchs = Gradients(layer, x, logits => (F.binary_cross_entropy_with_logits(logits, y, reduction: nn.Reduction.None).mean(new long[] { -1 }) * w).sum());
        SameAsTorch(torchs, ours);
    }

    [Fact]
    public void Bce_on_logits_mean_with_sample_weight_matches_the_composed_torch_loss()
    {
        var (layer, x) = Linear(2, batch: 8, inputs: 4, outputs: 6);
        using var y = rand(8, 6, dtype: ScalarType.Float64);
        using var w = rand(8, dtype: ScalarType.Float64) + 0.1;
        var bce = new BinaryCrossentropy(fromLogits: true, reduction: Reduction.MeanWithSampleWeight);
        var ours = Gradients(layer, x, logits => bce.Call(y, logits, w));
        var torchs = Gradients(layer, x, logits => (F.binary_cross_entropy_with_logits(logits, y, reduction: nn.Reduction.None).mean(new long[] { -1 }) * w).sum() / w.sum());
        SameAsTorch(torchs, ours);
    }

    [Fact]
    public void Cce_on_logits_matches_cross_entropy_with_probability_targets_and_label_smoothing()
    {
        var (layer, x) = Linear(3, batch: 12, inputs: 5, outputs: 7);
        using var classes = randint(0, 7, new long[] { 12 });
        using var y = OneHot(classes, 7);
        var cce = new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1);
        var ours = Gradients(layer, x, logits => cce.Call(y, logits));
        // Keras's smoothing y(1-ls) + ls/C equals PyTorch's label_smoothing for one-hot targets
        var torchs = Gradients(layer, x, logits => F.cross_entropy(logits, classes, label_smoothing: 0.1));
        SameAsTorch(torchs, ours);
    }

    [Theory]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Int32)]
    public void Sparse_cce_on_logits_matches_cross_entropy(ScalarType labelType)
    {
        var (layer, x) = Linear(4, batch: 20, inputs: 3, outputs: 5);
        using var classes = randint(0, 5, new long[] { 20 });
        using var labels = classes.to(labelType);
        var scce = new SparseCategoricalCrossentropy(fromLogits: true);
        var ours = Gradients(layer, x, logits => scce.Call(labels, logits));
        var torchs = Gradients(layer, x, logits => F.cross_entropy(logits, classes));
        SameAsTorch(torchs, ours);
    }

    [Fact]
    public void Sparse_cce_ignore_class_matches_cross_entropy_ignore_index()
    {
        var (layer, x) = Linear(5, batch: 10, inputs: 3, outputs: 4);
        using var classes = tensor(new long[] { 0, 3, -1, 2, 1, -1, 3, 0, 2, -1 });
        var scce = new SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: -1);
        var ours = Gradients(layer, x, logits => scce.Call(classes, logits));
        // both divide the mean by the count of entries kept
        var torchs = Gradients(layer, x, logits => F.cross_entropy(logits, classes, ignore_index: -1));
        Assert.Equal(torchs.Loss, ours.Loss, 1e-12);
        Close(torchs.Weight, ours.Weight, what: "weight");
    }

    [Fact]
    public void Per_sample_losses_take_the_upstream_gradient_and_the_weights()
    {
        var (layer, x) = Linear(6, batch: 6, inputs: 4, outputs: 5);
        using var classes = randint(0, 5, new long[] { 6 });
        using var y = OneHot(classes, 5);
        using var w = rand(6, 1, dtype: ScalarType.Float64); // Keras's [B, 1] weights against [B] losses
        using var upstream = randn(6, dtype: ScalarType.Float64);
        var cce = new CategoricalCrossentropy(fromLogits: true, reduction: Reduction.None);
        var ours = Gradients(layer, x, logits => (cce.Call(y, logits, w) * upstream).sum());
        var torchs = Gradients(layer, x, logits => (F.cross_entropy(logits, classes, reduction: nn.Reduction.None) * w.reshape(6) * upstream).sum());
        SameAsTorch(torchs, ours);
    }

    [Fact]
    public void Per_sample_losses_have_the_prediction_shape_without_the_axis()
    {
        using var y = rand(4, 3, 6, dtype: ScalarType.Float64);
        using var p = rand(4, 3, 6, dtype: ScalarType.Float64);
        using var losses = new Poisson(reduction: Reduction.None).Call(y, p);
        Assert.Equal(new long[] { 4, 3 }, losses.shape);
        using var expected = (p - y * (p + 1e-7).log()).mean(new long[] { -1 });
        Close(expected, losses, 1e-12);
    }

    [Fact]
    public void A_transposed_prediction_is_made_contiguous_and_gets_the_same_gradient()
    {
        using var y = (rand(6, 4, dtype: ScalarType.Float64) > 0.5).to(ScalarType.Float64);
        using var stored = randn(4, 6, dtype: ScalarType.Float64).requires_grad_(true);
        using var logits = stored.t();
        Assert.False(logits.is_contiguous());
        using var loss = new BinaryCrossentropy(fromLogits: true).Call(y, logits);
        loss.backward();
        using var reference = stored.detach().clone().requires_grad_(true);
        using var expected = F.binary_cross_entropy_with_logits(reference.t(), y);
        expected.backward();
        Close(reference.grad!, stored.grad!, what: "gradient");
    }

    [Fact]
    public void Float32_tensors_run_the_float_kernels()
    {
        using var y = (rand(32, 10) > 0.5).to(ScalarType.Float32);
        using var logits = randn(32, 10).requires_grad_(true);
        using var loss = new BinaryCrossentropy(fromLogits: true).Call(y, logits);
        Assert.Equal(ScalarType.Float32, loss.dtype);
        loss.backward();
        using var reference = logits.detach().clone().requires_grad_(true);
        using var expected = F.binary_cross_entropy_with_logits(reference, y);
        expected.backward();
        Assert.Equal(expected.item<float>(), loss.item<float>(), 1e-6f);
        Close(reference.grad!, logits.grad!, 1e-5, "gradient");
    }
}

/// <summary>Per-sample losses of rank-3 inputs: Keras's <c>[B]</c> weights against <c>[B, T]</c> losses, and <c>[B, 1]</c> class indices.</summary>
public class TorchPerSampleTests
{
    [Fact]
    public void Batch_weights_scale_each_rows_losses_and_their_gradient()
    {
        manual_seed(21);
        using var y = (rand(3, 4, 5, dtype: ScalarType.Float64) > 0.5).to(ScalarType.Float64);
        using var w = rand(3, dtype: ScalarType.Float64);
        using var upstream = randn(3, 4, dtype: ScalarType.Float64);
        using var logits = randn(3, 4, 5, dtype: ScalarType.Float64).requires_grad_(true);
        using var losses = new BinaryCrossentropy(fromLogits: true, reduction: Reduction.None).Call(y, logits, w);
        Assert.Equal(new long[] { 3, 4 }, losses.shape);
        losses.backward([upstream]);

        using var reference = logits.detach().clone().requires_grad_(true);
        using var expected = F.binary_cross_entropy_with_logits(reference, y, reduction: nn.Reduction.None).mean(new long[] { -1 }) * w.unsqueeze(1);
        expected.backward([upstream]);
        Close(expected, losses, what: "losses");
        Close(reference.grad!, logits.grad!, what: "gradient");
    }

    [Fact]
    public void Class_indices_with_a_trailing_one_give_one_loss_per_row()
    {
        using var labels = tensor(new long[] { 2, 0, 1 }, new long[] { 3, 1 });
        using var logits = randn(3, 4, dtype: ScalarType.Float64);
        using var losses = new SparseCategoricalCrossentropy(fromLogits: true, reduction: Reduction.None).Call(labels, logits);
        Assert.Equal(new long[] { 3 }, losses.shape);
        Close(F.cross_entropy(logits, labels.reshape(3), reduction: nn.Reduction.None), losses, what: "losses");
    }
}
