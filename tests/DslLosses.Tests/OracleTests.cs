using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using DslLosses.Tests.Infrastructure;
using Xunit;

namespace DslLosses.Tests;

/// <summary>Every case of the Keras reference vectors, through the public API, in the case's dtype.</summary>
[Trait("Category", "Kernels")]
public class OracleTests
{
    public static IEnumerable<object[]> CaseIds()
        => Oracle.Cases.Value.Select(c => new object[] { c.Id });

    private static readonly Dictionary<string, Func<OracleCase, (double[] Values, nint[] Shape)>> Runners = new()
    {
        ["binary_crossentropy"] = c => Run(c, new BinaryCrossentropy(c.FromLogits, c.LabelSmoothing, c.Axis, ReductionOf(c))),
        ["categorical_crossentropy"] = c => Run(c, new CategoricalCrossentropy(c.FromLogits, c.LabelSmoothing, c.Axis, ReductionOf(c))),
        ["poisson"] = c => Run(c, new Poisson(ReductionOf(c))),
        ["kl_divergence"] = c => Run(c, new KLDivergence(ReductionOf(c))),
        ["sparse_categorical_crossentropy"] = c => c.Double ? Sparse<double>(c) : Sparse<float>(c),
        ["softmax_ce_with_logits"] = c => c.Double
            ? Result(Nn.softmax_cross_entropy_with_logits(In<double>(c.YTrue), In<double>(c.YPred), c.Axis))
            : Result(Nn.softmax_cross_entropy_with_logits(In<float>(c.YTrue), In<float>(c.YPred), c.Axis)),
        ["mean_squared_error"] = c => Run(c, new MeanSquaredError(ReductionOf(c))),
        ["mean_absolute_error"] = c => Run(c, new MeanAbsoluteError(ReductionOf(c))),
        ["mean_absolute_percentage_error"] = c => Run(c, new MeanAbsolutePercentageError(ReductionOf(c))),
        ["mean_squared_logarithmic_error"] = c => Run(c, new MeanSquaredLogarithmicError(ReductionOf(c))),
        ["cosine_similarity"] = c => Run(c, new CosineSimilarity(c.Axis, ReductionOf(c))),
        ["huber"] = c => Run(c, new Huber(c.Delta, ReductionOf(c))),
        ["log_cosh"] = c => Run(c, new LogCosh(ReductionOf(c))),
        ["hinge"] = c => Run(c, new Hinge(ReductionOf(c))),
        ["squared_hinge"] = c => Run(c, new SquaredHinge(ReductionOf(c))),
        ["categorical_hinge"] = c => Run(c, new CategoricalHinge(ReductionOf(c))),
        ["binary_focal_crossentropy"] = c => Run(c, new BinaryFocalCrossentropy(c.ApplyClassBalancing, c.Alpha![0], c.Gamma, c.FromLogits, c.LabelSmoothing, c.Axis, ReductionOf(c))),
        ["categorical_focal_crossentropy"] = c => Run(c, c.AlphaIsList
            ? new CategoricalFocalCrossentropy(c.Alpha!, c.Gamma, c.FromLogits, c.LabelSmoothing, c.Axis, ReductionOf(c))
            : new CategoricalFocalCrossentropy(c.Alpha![0], c.Gamma, c.FromLogits, c.LabelSmoothing, c.Axis, ReductionOf(c))),
        ["sigmoid_ce_with_logits"] = c => c.Double
            ? Result(Nn.sigmoid_cross_entropy_with_logits(In<double>(c.YTrue), In<double>(c.YPred)))
            : Result(Nn.sigmoid_cross_entropy_with_logits(In<float>(c.YTrue), In<float>(c.YPred))),
    };

    internal static (double[] Values, nint[] Shape) Run(OracleCase c) => Runners[c.Loss](c);

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Case_matches_tf_keras(string id)
    {
        OracleCase c = Oracle.Cases.Value.Single(x => x.Id == id);
        (double[] actual, nint[] shape) = Runners[c.Loss](c);
        AssertClose(c, actual, shape);
    }

    internal static void AssertClose(OracleCase c, double[] actual, nint[] shape)
    {
        double[] expected = c.Expected.Values;
        if (!c.ExpectedIsScalar && c.Reduction == Reduction.None || c.Loss.EndsWith("with_logits", StringComparison.Ordinal) && !c.ExpectedIsScalar)
            Assert.True(shape.SequenceEqual(c.Expected.Shape), $"{c.Id}: shape [{string.Join(", ", shape)}], expected [{string.Join(", ", c.Expected.Shape)}]");
        Assert.True(expected.Length == actual.Length, $"{c.Id}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            bool ok = double.IsNaN(e) ? double.IsNaN(a) : Math.Abs(a - e) <= c.Atol + c.Rtol * Math.Abs(e);
            Assert.True(ok, $"{c.Id}[{i}]: got {a:R}, expected {e:R} (rtol {c.Rtol}, atol {c.Atol})");
        }
    }

    internal static ReadOnlyTensorSpan<T> In<T>(OracleTensor t)
        where T : unmanaged
        => new(Convert<T>(t.Values), t.Shape, default);

    internal static ReadOnlyTensorSpan<T> Weights<T>(OracleCase c)
        where T : unmanaged
        => c.SampleWeight is null ? default : In<T>(c.SampleWeight);

    internal static T[] Convert<T>(double[] values)
        where T : unmanaged
        => typeof(T) == typeof(float) ? (T[])(object)values.Select(v => (float)v).ToArray() : (T[])(object)values.ToArray();

    internal static (double[] Values, nint[] Shape) Result<T>(Tensor<T> tensor)
        where T : unmanaged
        => (tensor.Select(v => System.Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray(), tensor.Lengths.ToArray());

    internal static (double[] Values, nint[] Shape) Scalar(double value) => (new[] { value }, Array.Empty<nint>());

    private static Reduction ReductionOf(OracleCase c) => c.Reduction == Reduction.None ? Reduction.SumOverBatchSize : c.Reduction;

    /// <summary>
    /// A loss object on the case: reduced through <c>Compute</c>, per-sample through <c>ComputePerSample</c>; a scalar
    /// <c>sample_weight</c> through the overloads that take one number.
    /// </summary>
    private static (double[] Values, nint[] Shape) Run(OracleCase c, KerasLoss loss)
    {
        if (c.ScalarWeight)
        {
            double w = c.SampleWeight!.Values[0];
            if (c.Double)
            {
                return c.Reduction == Reduction.None
                    ? Result(loss.ComputePerSample(In<double>(c.YTrue), In<double>(c.YPred), w))
                    : Scalar(loss.Compute(In<double>(c.YTrue), In<double>(c.YPred), w));
            }
            return c.Reduction == Reduction.None
                ? Result(loss.ComputePerSample(In<float>(c.YTrue), In<float>(c.YPred), (float)w))
                : Scalar(loss.Compute(In<float>(c.YTrue), In<float>(c.YPred), (float)w));
        }
        if (c.Double)
        {
            return c.Reduction == Reduction.None
                ? Result(loss.ComputePerSample(In<double>(c.YTrue), In<double>(c.YPred), Weights<double>(c)))
                : Scalar(loss.Compute(In<double>(c.YTrue), In<double>(c.YPred), Weights<double>(c)));
        }
        return c.Reduction == Reduction.None
            ? Result(loss.ComputePerSample(In<float>(c.YTrue), In<float>(c.YPred), Weights<float>(c)))
            : Scalar(loss.Compute(In<float>(c.YTrue), In<float>(c.YPred), Weights<float>(c)));
    }

    /// <summary>Sparse labels as ints (Keras truncates float labels); the class without axis, the function with it.</summary>
    private static (double[] Values, nint[] Shape) Sparse<T>(OracleCase c)
        where T : unmanaged
    {
        int[] labelValues = c.YTrue.Values.Select(v => (int)v).ToArray();
        var labels = new ReadOnlyTensorSpan<int>(labelValues, c.YTrue.Shape, default);
        if (c.Reduction == Reduction.None && c.SampleWeight is null)
        {
            return typeof(T) == typeof(double)
                ? Result(Losses.sparse_categorical_crossentropy(labels, In<double>(c.YPred), c.FromLogits, c.Axis, c.IgnoreClass))
                : Result(Losses.sparse_categorical_crossentropy(labels, In<float>(c.YPred), c.FromLogits, c.Axis, c.IgnoreClass));
        }
        Assert.True(c.Axis == -1, $"{c.Id}: the class form has no axis");
        var loss = new SparseCategoricalCrossentropy(c.FromLogits, c.IgnoreClass, ReductionOf(c));
        if (typeof(T) == typeof(double))
        {
            return c.Reduction == Reduction.None
                ? Result(loss.ComputePerSample(labels, In<double>(c.YPred), Weights<double>(c)))
                : Scalar(loss.Compute(labels, In<double>(c.YPred), Weights<double>(c)));
        }
        return c.Reduction == Reduction.None
            ? Result(loss.ComputePerSample(labels, In<float>(c.YPred), Weights<float>(c)))
            : Scalar(loss.Compute(labels, In<float>(c.YPred), Weights<float>(c)));
    }
}
