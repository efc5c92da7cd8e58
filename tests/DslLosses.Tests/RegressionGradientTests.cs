using System;
using System.Linq;
using Xunit;
using static DslLosses.Tests.GradientTests;

namespace DslLosses.Tests;

/// <summary>
/// The gradients of the regression, hinge and focal losses against central finite differences in float64, for Sum,
/// SumOverBatchSize and None, with and without weights (<see cref="GradientTests.CheckKeras"/>). The points keep away from
/// the kinks (|e| = 0 for MAE, |e| = delta for Huber, a zero hinge margin, tied maxima).
/// </summary>
[Trait("Category", "Kernels")]
public class RegressionGradientTests
{
    private const int N = 4 * 5;

    /// <summary>Values in [lo, hi] at least 0.1 away from 0, so that <c>|x|</c> keeps its sign under the step.</summary>
    private static double[] AwayFromZero(Random random, double lo, double hi)
        => Uniform(random, N, lo, hi).Select(v => Math.Abs(v) < 0.1 ? v + 0.2 : v).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Regression_losses(int seed)
    {
        var random = new Random(seed);
        double[] y = Uniform(random, N, -2, 2);
        double[] e = AwayFromZero(random, -2, 2);
        double[] p = y.Zip(e, (a, b) => a + b).ToArray();
        CheckKeras("mse", r => new MeanSquaredError(r), y, p);
        CheckKeras("mae", r => new MeanAbsoluteError(r), y, p);
        CheckKeras("mape", r => new MeanAbsolutePercentageError(r), AwayFromZero(random, -2, 2), p);
        CheckKeras("msle", r => new MeanSquaredLogarithmicError(r), Uniform(random, N, 0, 3), Uniform(random, N, 0.1, 3));
        CheckKeras("log_cosh", r => new LogCosh(r), y, p);
        CheckKeras("cosine", r => new CosineSimilarity(reduction: r), y, p);
        // delta 0.7: errors are at least 0.1 from 0; keep them off |e| = 0.7 too
        double[] pHuber = y.Zip(e, (a, b) => a + (Math.Abs(Math.Abs(b) - 0.7) < 0.05 ? b * 1.2 : b)).ToArray();
        CheckKeras("huber", r => new Huber(0.7, r), y, pHuber);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Hinge_losses_with_both_label_sets(int seed)
    {
        var random = new Random(seed);
        double[] pm1 = Uniform(random, N, 0, 1).Select(v => v < 0.5 ? -1.0 : 1.0).ToArray();
        double[] zeroOne = pm1.Select(v => v < 0 ? 0.0 : 1.0).ToArray();
        // scores whose margin 1 - y p stays away from 0: |p| in [0.1, 0.8] or [1.2, 2]
        double[] p = Uniform(random, N, 0, 1).Select((v, i) => (i % 3 == 0 ? 1.2 + 0.8 * v : 0.1 + 0.7 * v) * (i % 2 == 0 ? 1 : -1)).ToArray();
        CheckKeras("hinge {-1,1}", r => new Hinge(r), pm1, p);
        CheckKeras("hinge {0,1}", r => new Hinge(r), zeroOne, p);
        CheckKeras("squared hinge {-1,1}", r => new SquaredHinge(r), pm1, p);
        CheckKeras("squared hinge {0,1}", r => new SquaredHinge(r), zeroOne, p);
        double[] oneHot = Enumerable.Range(0, N).Select(i => i % 5 == (i / 5) % 5 ? 1.0 : 0.0).ToArray();
        CheckKeras("categorical hinge", r => new CategoricalHinge(r), oneHot, Uniform(random, N, -1, 1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Focal_losses_with_every_option(int seed)
    {
        var random = new Random(seed);
        double[] y = Uniform(random, N, 0, 1);
        double[] probs = Uniform(random, N, 0.05, 0.95);
        double[] logits = Uniform(random, N, -3, 3);
        foreach (bool balanced in new[] { false, true })
        {
            CheckKeras($"bfce probs balanced={balanced}", r => new BinaryFocalCrossentropy(balanced, 0.3, 2.5, false, 0.1, reduction: r), y, probs);
            CheckKeras($"bfce logits balanced={balanced}", r => new BinaryFocalCrossentropy(balanced, 0.3, 1.5, true, 0.2, reduction: r), y, logits);
        }
        double[] classProbs = Uniform(random, N, 0.05, 0.3);
        CheckKeras("cfce probs", r => new CategoricalFocalCrossentropy(0.4, 2.0, false, 0.1, reduction: r), y, classProbs);
        CheckKeras("cfce logits", r => new CategoricalFocalCrossentropy(0.4, 1.5, true, 0.1, reduction: r), y, logits);
        double[] alpha = { 0.1, 0.2, 0.3, 0.25, 0.15 };
        CheckKeras("cfce probs, alpha per class", r => new CategoricalFocalCrossentropy(alpha, 2.0, false, 0.1, reduction: r), y, classProbs);
        CheckKeras("cfce logits, alpha per class", r => new CategoricalFocalCrossentropy(alpha, 2.0, true, 0.0, reduction: r), y, logits);
    }
}
