using System;
using System.Linq;
using System.Numerics.Tensors;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// Edge cases of the regression, hinge and focal losses (README's edge-case table), with values worked by hand from
/// tf_keras's formulas; option validation; the function forms and their aliases.
/// </summary>
[Trait("Category", "Kernels")]
public class RegressionEdgeCaseTests
{
    private static ReadOnlyTensorSpan<float> F(float[] values, params nint[] shape) => new(values, shape, default);

    private static ReadOnlyTensorSpan<double> D(double[] values, params nint[] shape) => new(values, shape, default);

    [Fact]
    public void Mape_divides_a_zero_label_by_epsilon()
    {
        // 100 * mean(|0 - 0.5| / 1e-7, |0 - 0| / 1e-7) = 100 * 2.5e6
        float[] loss = Losses.mape(F([0f, 0f], 1, 2), F([0.5f, 0f], 1, 2)).ToArray();
        Assert.Equal(2.5e8, loss[0], 2.5e8 * 1e-6);
        double exact = Losses.mean_absolute_percentage_error(D([0.0, 2.0], 1, 2), D([0.0, 2.0], 1, 2)).ToArray()[0];
        Assert.Equal(0.0, exact); // a zero label met exactly costs nothing
    }

    [Fact]
    public void Msle_treats_every_value_at_or_below_epsilon_as_epsilon()
    {
        // log(max(x, 1e-7) + 1): -0.5, -5, -1e3, 0 and 1e-8 all become log(1 + 1e-7); never NaN
        double[] loss = Losses.msle(D([-0.5, -5, 0, 1e-8], 1, 4), D([-1000, 0, -3, 0], 1, 4)).ToArray();
        Assert.Equal(0.0, loss[0]);
        double a = Math.Log(1 + 1.0), b = Math.Log(1e-7 + 1);
        double negative = Losses.msle(D([-5.0], 1, 1), D([1.0], 1, 1)).ToArray()[0];
        Assert.Equal((a - b) * (a - b), negative, 1e-15);
        Assert.Equal(negative, Losses.msle(D([0.0], 1, 1), D([1.0], 1, 1)).ToArray()[0]);
    }

    [Fact]
    public void Cosine_similarity_of_a_zero_vector_is_minus_zero_and_a_tiny_vector_is_floored()
    {
        float[] zero = Losses.cosine_similarity(F([0f, 0f, 0f], 1, 3), F([1f, 2f, 3f], 1, 3)).ToArray();
        Assert.Equal(0f, zero[0]);
        Assert.True(float.IsNegative(zero[0]), "-sum(0 * p) is -0");
        // ‖[1e-7, 0]‖² = 1e-14 < 1e-12: divided by sqrt(1e-12) = 1e-6, so the similarity is 0.1, not 1
        double tiny = Losses.cosine_similarity(D([1e-7, 0], 1, 2), D([1.0, 0], 1, 2)).ToArray()[0];
        Assert.Equal(-0.1, tiny, 1e-12);
        // the axis is dropped: axis 0 on [2, 2] gives one loss per column
        double[] columns = Losses.cosine_similarity(D([1, 0, 0, 1], 2, 2), D([1, 0, 0, 1], 2, 2), axis: 0).ToArray();
        Assert.Equal([-1.0, -1.0], columns);
    }

    [Fact]
    public void Huber_at_the_delta_gives_half_delta_squared_from_both_branches()
    {
        // |e| = 0.5 = delta: 0.5 * 0.25 = 0.125 and 0.5 * 0.5 - 0.5 * 0.25 = 0.125; |e| = 1: 0.5 * 1 - 0.125 = 0.375
        double[] loss = Losses.huber(D([0, 0, 0, 0], 2, 2), D([0.5, -0.5, 1, 0], 2, 2), delta: 0.5).ToArray();
        Assert.Equal(0.125, loss[0]);
        Assert.Equal((0.375 + 0) / 2, loss[1]);
        Assert.Equal(loss, Losses.huber_loss(D([0, 0, 0, 0], 2, 2), D([0.5, -0.5, 1, 0], 2, 2), delta: 0.5).ToArray());
    }

    [Fact]
    public void Hinge_converts_labels_only_when_the_whole_batch_is_zero_one()
    {
        float[] p = [0.3f, 0.6f, 0.2f, -0.4f];
        // mixed rows {0,1} and {-1,1}: nothing converted; row 0: (max(1 - 0, 0) + (1 - 0.6)) / 2 = 0.7, row 1: (1.2 + 1.4) / 2 = 1.3
        float[] mixed = Losses.hinge(F([0f, 1f, -1f, 1f], 2, 2), F(p, 2, 2)).ToArray();
        Assert.Equal(0.7f, mixed[0], 1e-6f);
        Assert.Equal(1.3f, mixed[1], 1e-6f);
        // the {0,1} row alone is converted to {-1, 1}: (1.3 + 0.4) / 2
        float[] alone = Losses.hinge(F([0f, 1f], 1, 2), F([0.3f, 0.6f], 1, 2)).ToArray();
        Assert.Equal(0.85f, alone[0], 1e-6f);
        // squared: (1.69 + 0.16) / 2; one soft label (0.5) turns the conversion off: (1 - 0.15 + 1 - 0.6) / 2
        Assert.Equal(0.925f, Losses.squared_hinge(F([0f, 1f], 1, 2), F([0.3f, 0.6f], 1, 2)).ToArray()[0], 1e-6f);
        Assert.Equal(0.625f, Losses.hinge(F([0.5f, 1f], 1, 2), F([0.3f, 0.6f], 1, 2)).ToArray()[0], 1e-6f);
    }

    [Fact]
    public void Categorical_hinge_takes_the_max_over_every_class_including_the_true_one()
    {
        // one-hot [0, 1, 0], scores [-2, -1, -3]: pos = -1, neg = max(-2, 0 * -1, -3) = 0 → max(0 + 1 + 1, 0) = 2
        double[] loss = Losses.categorical_hinge(D([0, 1, 0], 1, 3), D([-2, -1, -3], 1, 3)).ToArray();
        Assert.Equal(2.0, loss[0]);
    }

    [Fact]
    public void Log_cosh_of_a_zero_error_is_minus_the_float32_rounding_of_log_2_in_float64()
    {
        double[] d = Losses.log_cosh(D([1.5], 1, 1), D([1.5], 1, 1)).ToArray();
        Assert.Equal(Math.Log(2) - (double)MathF.Log(2f), d[0], 1e-15); // -1.9e-9
        Assert.Equal(0f, Losses.logcosh(F([1.5f], 1, 1), F([1.5f], 1, 1)).ToArray()[0]);
        // a large error: 1e4 - log 2, finite
        Assert.Equal(1e4 - Math.Log(2), Losses.log_cosh(D([0.0], 1, 1), D([1e4], 1, 1)).ToArray()[0], 1e-6);
    }

    [Fact]
    public void Binary_focal_with_gamma_zero_is_binary_crossentropy_and_probabilities_outside_0_1_are_not_clipped_in_the_focal_factor()
    {
        float[] y = [1f, 0f, 1f, 0f], p = [0.9f, 0.2f, 0.4f, 0.7f];
        Assert.Equal(
            Losses.binary_crossentropy(F(y, 2, 2), F(p, 2, 2)).ToArray(),
            Losses.binary_focal_crossentropy(F(y, 2, 2), F(p, 2, 2), gamma: 0).ToArray());
        // p = 1.5, label 0: p_t = -0.5, (1 - p_t)² = 2.25, CE of the clipped p: -log(1 - (1 - 2^-23) + 1e-7) in float32
        float eps = 1e-7f, clipped = 1f - eps;
        float ce = -MathF.Log(1f - clipped + eps);
        float loss = Losses.binary_focal_crossentropy(F([0f], 1, 1), F([1.5f], 1, 1)).ToArray()[0];
        Assert.Equal(2.25f * ce, loss, 2.25f * ce * 1e-6f);
    }

    [Fact]
    public void Options_out_of_range_are_refused_at_construction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Huber(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Huber(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Huber(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryFocalCrossentropy(gamma: -0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryFocalCrossentropy(alpha: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryFocalCrossentropy(labelSmoothing: -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CategoricalFocalCrossentropy(alpha: -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CategoricalFocalCrossentropy(new[] { 0.5, 1.2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CategoricalFocalCrossentropy(gamma: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CategoricalFocalCrossentropy(labelSmoothing: 2));
        Assert.Throws<ArgumentException>(() => new CategoricalFocalCrossentropy(Array.Empty<double>()));
        _ = new Huber(1e-3);
        _ = new BinaryFocalCrossentropy(applyClassBalancing: true, alpha: 0, gamma: 0, labelSmoothing: 1);
        _ = new CategoricalFocalCrossentropy(alpha: 1, gamma: 0);
    }

    [Fact]
    public void Class_alpha_of_the_wrong_length_names_the_loss_and_both_counts()
    {
        var loss = new CategoricalFocalCrossentropy(new[] { 0.2, 0.3 });
        var e = Assert.Throws<ShapeMismatchException>(() => loss.Compute(F([1f, 0f, 0f], 1, 3), F([0.5f, 0.3f, 0.2f], 1, 3)));
        Assert.Contains("categorical_focal_crossentropy", e.Message);
        Assert.Contains("2 class weights", e.Message);
        Assert.Contains("3 classes", e.Message);
    }

    [Fact]
    public void Aliases_give_the_same_values_as_the_keras_names()
    {
        double[] y = [0.5, 1.5, -2, 3], p = [1, 1, -1, 2.5];
        Assert.Equal(Losses.mean_squared_error(D(y, 2, 2), D(p, 2, 2)).ToArray(), Losses.mse(D(y, 2, 2), D(p, 2, 2)).ToArray());
        Assert.Equal(Losses.mean_squared_error(D(y, 2, 2), D(p, 2, 2)).ToArray(), Losses.MSE(D(y, 2, 2), D(p, 2, 2)).ToArray());
        Assert.Equal(Losses.mean_absolute_error(D(y, 2, 2), D(p, 2, 2)).ToArray(), Losses.mae(D(y, 2, 2), D(p, 2, 2)).ToArray());
        Assert.Equal(Losses.mean_absolute_error(D(y, 2, 2), D(p, 2, 2)).ToArray(), Losses.MAE(D(y, 2, 2), D(p, 2, 2)).ToArray());
        Assert.Equal(Losses.mean_absolute_percentage_error(D(y, 2, 2), D(p, 2, 2)).ToArray(), Losses.MAPE(D(y, 2, 2), D(p, 2, 2)).ToArray());
        Assert.Equal(Losses.mean_squared_logarithmic_error(D(y, 2, 2), D(p, 2, 2)).ToArray(), Losses.MSLE(D(y, 2, 2), D(p, 2, 2)).ToArray());
        double[] q = [0.25, 0.75, 0.5, 0.5], r = [0.5, 0.5, 0.25, 0.75];
        Assert.Equal(Losses.kl_divergence(D(q, 2, 2), D(r, 2, 2)).ToArray(), Losses.kld(D(q, 2, 2), D(r, 2, 2)).ToArray());
        Assert.Equal(Losses.kl_divergence(D(q, 2, 2), D(r, 2, 2)).ToArray(), Losses.KLD(D(q, 2, 2), D(r, 2, 2)).ToArray());
        Assert.Equal(Losses.kl_divergence(D(q, 2, 2), D(r, 2, 2)).ToArray(), Losses.kullback_leibler_divergence(D(q, 2, 2), D(r, 2, 2)).ToArray());
        // the first row worked by hand: 0.25 log(0.25 / 0.5) + 0.75 log(0.75 / 0.5)
        Assert.Equal(0.25 * Math.Log(0.5) + 0.75 * Math.Log(1.5), Losses.kld(D(q, 2, 2), D(r, 2, 2)).ToArray()[0], 1e-15);
        // values worked by hand: MSE rows (0.25 + 0.25) / 2, (1 + 0.25) / 2; MAE (0.5 + 0.5) / 2, (1 + 0.5) / 2
        Assert.Equal([0.25, 0.625], Losses.mse(D(y, 2, 2), D(p, 2, 2)).ToArray());
        Assert.Equal([0.5, 0.75], Losses.mae(D(y, 2, 2), D(p, 2, 2)).ToArray());
    }
}
