using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using DslLosses.Tests.Infrastructure;
using Xunit;

namespace DslLosses.Tests;

/// <summary>Every case of the Keras reference vectors, through the public API, in the case's dtype.</summary>
public class OracleTests
{
    public static IEnumerable<object[]> CaseIds()
        => Oracle.Cases.Value.Where(c => Runners.ContainsKey(c.Loss)).Select(c => new object[] { c.Id });

    private static readonly Dictionary<string, Func<OracleCase, (double[] Values, nint[] Shape)>> Runners = new()
    {
        ["binary_crossentropy"] = c => c.Double ? Bce<double>(c) : Bce<float>(c),
        ["sigmoid_ce_with_logits"] = c => c.Double
            ? Result(Nn.sigmoid_cross_entropy_with_logits(In<double>(c.YTrue), In<double>(c.YPred)))
            : Result(Nn.sigmoid_cross_entropy_with_logits(In<float>(c.YTrue), In<float>(c.YPred))),
    };

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

    private static (double[] Values, nint[] Shape) Bce<T>(OracleCase c)
        where T : unmanaged
    {
        var loss = new BinaryCrossentropy(c.FromLogits, c.LabelSmoothing, c.Axis, c.Reduction == Reduction.None ? Reduction.SumOverBatchSize : c.Reduction);
        if (typeof(T) == typeof(float))
        {
            return c.Reduction == Reduction.None
                ? Result(loss.ComputePerSample(In<float>(c.YTrue), In<float>(c.YPred), Weights<float>(c)))
                : Scalar(loss.Compute(In<float>(c.YTrue), In<float>(c.YPred), Weights<float>(c)));
        }
        return c.Reduction == Reduction.None
            ? Result(loss.ComputePerSample(In<double>(c.YTrue), In<double>(c.YPred), Weights<double>(c)))
            : Scalar(loss.Compute(In<double>(c.YTrue), In<double>(c.YPred), Weights<double>(c)));
    }
}
