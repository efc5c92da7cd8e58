using System;
using System.Linq;
using System.Numerics.Tensors;
using DslLosses.Tests.Infrastructure;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// The instructions the emitter picks from what it can prove: a logarithm without special-value handling where the
/// argument is provably positive, normal and finite; one-instruction bounds where the bound is a nonzero constant; the
/// one-instruction max for softmax shifts only. Each choice is checked in the generated text and on numbers.
/// </summary>
public class KernelChoiceTests
{
    private static string Generate(string members) => GeneratorHarness.GeneratedSource("Choices", members);

    private const string Single = "[Loss(ElementTypes = LossElementTypes.Single, Reductions = LossReductions.Sum)]\n";

    [Theory]
    // clipped to [eps, 1 - eps], then + eps: in [2e-7, 1]
    [InlineData("Log(Clip(p, Epsilon, 1 - Epsilon) + Epsilon)", true)]
    // 1 - clip(p) + eps: the subtraction is bounded below by 1 - (1 - 2^-23) > 0
    [InlineData("Log(1 - Clip(p, Epsilon, 1 - Epsilon) + Epsilon)", true)]
    // a ratio of two clipped values: in [1e-7, 1e7]
    [InlineData("Log(Clip(y, Epsilon, 1) / Clip(p, Epsilon, 1))", true)]
    // unbounded input: p + eps can be zero, negative or infinite
    [InlineData("Log(p + Epsilon)", false)]
    // clipped to [0, 1]: zero is reachable
    [InlineData("Log(Clip(p, 0, 1))", false)]
    // a bound of 1 - 1e-9 rounds to 1 in float, so 1 - clip(p) reaches 0
    [InlineData("Log(1 - Clip(p, Epsilon, 1 - 1e-9))", false)]
    public void The_log_of_a_provably_positive_normal_finite_argument_skips_special_values(string expression, bool positive)
    {
        string code = Generate(Single + $"static TensorExpr L([Shape(\"B\", \"N\")] TensorExpr y, [Shape(\"B\", \"N\")] TensorExpr p) => Sum(y * {expression}, axis: -1);");
        Assert.Equal(positive, code.Contains("TL.LogPositive(", StringComparison.Ordinal));
        Assert.Equal(!positive, code.Contains("TL.Log(v", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_nonzero_constant_bounds_use_the_one_instruction_clip()
    {
        string constant = Generate(Single + "static TensorExpr L([Shape(\"B\", \"N\")] TensorExpr p) => Sum(Clip(p, Epsilon, 1 - Epsilon), axis: -1);");
        Assert.Contains("TL.AtLeast(TL.AtMost(", constant, StringComparison.Ordinal);
        string scalar = Generate(Single + "static TensorExpr L([Shape(\"B\", \"N\")] TensorExpr p, Scalar lo) => Sum(Clip(p, lo, 0), axis: -1);");
        Assert.DoesNotContain("TL.AtLeast(", scalar, StringComparison.Ordinal);
        Assert.DoesNotContain("TL.AtMost(", scalar, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_max_the_formula_asks_for_keeps_IEEE_semantics_and_a_softmax_shift_does_not_need_them()
    {
        string asked = Generate(Single + "static TensorExpr L([Shape(\"B\", \"N\")] TensorExpr x) => Max(x, axis: -1);");
        Assert.DoesNotContain("ShiftMax", asked, StringComparison.Ordinal);
        string shift = Generate(Single + "static TensorExpr L([Shape(\"B\", \"N\")] TensorExpr y, [Shape(\"B\", \"N\")] TensorExpr x) => -Sum(y * LogSoftmax(x, axis: -1), axis: -1);");
        Assert.Contains("TL.ShiftMax(", shift, StringComparison.Ordinal);
        // the same max used both ways is computed once, with IEEE semantics
        string both = Generate(Single + "static TensorExpr L([Shape(\"B\", \"N\")] TensorExpr x) => LogSumExp(x, axis: -1) + Max(x, axis: -1);");
        Assert.DoesNotContain("ShiftMax", both, StringComparison.Ordinal);
    }

    [Trait("Category", "Kernels")] // on numbers: the generated kernels run
    [Theory]
    [InlineData(5)]
    [InlineData(37)]
    [InlineData(100)]
    public void A_row_max_propagates_NaN_on_every_path(int N)
    {
        const int B = 19;
        var random = new Random(N);
        float[] a = Enumerable.Range(0, B * N).Select(_ => (float)random.NextDouble()).ToArray();
        float[] b = Enumerable.Range(0, B * N).Select(_ => (float)random.NextDouble()).ToArray();
        a[4 * N + N / 2] = float.NaN;
        b[9 * N + N - 1] = float.NaN;
        var shape = new nint[] { B, N };
        float[] perRow = TestFormulas.MaxAbsErrorPerSample(new ReadOnlyTensorSpan<float>(a, shape, default), new ReadOnlyTensorSpan<float>(b, shape, default)).ToArray();
        for (int r = 0; r < B; r++)
        {
            if (r is 4 or 9)
            {
                Assert.True(float.IsNaN(perRow[r]), $"row {r}: {perRow[r]}");
                continue;
            }
            float expected = Enumerable.Range(0, N).Max(j => MathF.Abs(a[r * N + j] - b[r * N + j]));
            Assert.Equal(expected, perRow[r]);
        }
    }

    [Trait("Category", "Kernels")] // on numbers: the generated kernels run
    [Fact]
    public void A_clip_with_a_run_time_bound_and_a_constant_bound_matches_the_definition()
    {
        const int B = 7, N = 37;
        var random = new Random(8);
        float[] x = Enumerable.Range(0, B * N).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        x[3 * N + 5] = float.NaN;
        var shape = new nint[] { B, N };
        foreach (float lo in new[] { -0.5f, 0f, 0.25f })
        {
            float[] perRow = TestFormulas.ClippedMeanPerSample(new ReadOnlyTensorSpan<float>(x, shape, default), lo).ToArray();
            for (int r = 0; r < B; r++)
            {
                if (r == 3)
                {
                    Assert.True(float.IsNaN(perRow[r]), $"lo {lo}: row {r} {perRow[r]}");
                    continue;
                }
                double expected = Enumerable.Range(0, N).Average(j => Math.Max(Math.Min((double)x[r * N + j], 1), lo));
                Assert.True(Math.Abs(perRow[r] - expected) <= 1e-6, $"lo {lo}: row {r} {perRow[r]:R}, expected {expected:R}");
            }
        }
    }

    private const string AllTypes = "[Loss(Reductions = LossReductions.Sum)]\n";

    /// <summary>The text of the body whose declaration starts with <paramref name="declaration"/>, up to its return.</summary>
    private static string BodyText(string code, string declaration)
    {
        int start = code.IndexOf(declaration, StringComparison.Ordinal);
        Assert.True(start >= 0, "no body " + declaration);
        return code.Substring(start, code.IndexOf("return total;", start, StringComparison.Ordinal) - start);
    }

    [Fact]
    public void Float_and_double_share_one_body_generic_over_the_compute_type_where_their_choices_agree()
    {
        string code = Generate(AllTypes + "static TensorExpr L([Shape(\"B\", \"N\")] TensorExpr y, [Shape(\"B\", \"N\")] TensorExpr p) => Sum(y * Log(Clip(p, Epsilon, 1 - Epsilon)), axis: -1);");
        string body = BodyText(code, "private static double __L_LossIn<TS, TF, TL, TOut, TW>(");
        Assert.Contains("where TL : struct, ILanes<TL, TS, TF>", body, StringComparison.Ordinal);
        Assert.DoesNotContain("private static double __L_LossInFloat<", code, StringComparison.Ordinal);
        Assert.DoesNotContain("private static double __L_LossInDouble<", code, StringComparison.Ordinal);
        // the kernels struct's float and double members instantiate it
        Assert.Contains("=> __L_LossIn<TS, float, TL, TOut, TW>(", code, StringComparison.Ordinal);
        Assert.Contains("=> __L_LossIn<TS, double, TL, TOut, TW>(", code, StringComparison.Ordinal);
        // Epsilon as each compute type's own literal; the proved logarithm of both
        Assert.Contains("LossMath.Constant<TF>(1E-07f, 1E-07)", body, StringComparison.Ordinal);
        Assert.Contains("TL.LogPositive(", body, StringComparison.Ordinal);
        Assert.DoesNotContain("float", body.Substring(body.IndexOf('{')), StringComparison.Ordinal);
    }

    [Fact]
    public void Float_and_double_keep_their_own_bodies_where_their_choices_differ()
    {
        // 1 - 1e-9 rounds to 1 in float, so there the log's argument reaches 0; in double it stays at least 1e-9
        string code = Generate(AllTypes + "static TensorExpr L([Shape(\"B\", \"N\")] TensorExpr y, [Shape(\"B\", \"N\")] TensorExpr p) => Sum(y * Log(1 - Clip(p, Epsilon, 1 - 1e-9)), axis: -1);");
        Assert.DoesNotContain("<TS, TF, TL", code, StringComparison.Ordinal);
        string single = BodyText(code, "private static double __L_LossInFloat<TS, TL, TOut, TW>(");
        string @double = BodyText(code, "private static double __L_LossInDouble<TS, TL, TOut, TW>(");
        Assert.DoesNotContain("TL.LogPositive(", single, StringComparison.Ordinal);
        Assert.Contains("TL.Log(", single, StringComparison.Ordinal);
        Assert.Contains("TL.LogPositive(", @double, StringComparison.Ordinal);
        Assert.Contains("=> __L_LossInFloat<TS, TL, TOut, TW>(", code, StringComparison.Ordinal);
        Assert.Contains("=> __L_LossInDouble<TS, TL, TOut, TW>(", code, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0, "TF.Zero")]
    [InlineData(-0.0, "LossMath.Constant<TF>(-0.0)")]
    [InlineData(1.0, "TF.One")]
    [InlineData(0.5, "LossMath.Constant<TF>(0.5)")]
    [InlineData(-2.0, "LossMath.Constant<TF>(-2.0)")]
    // 1e-7 is not a float: the float literal is its rounding, written apart
    [InlineData(1e-7, "LossMath.Constant<TF>(1E-07f, 1E-07)")]
    // beyond float's range: infinite in float, finite in double
    [InlineData(1e300, "LossMath.Constant<TF>(float.PositiveInfinity, 1E+300)")]
    [InlineData(double.NaN, "TF.NaN")]
    [InlineData(double.NegativeInfinity, "TF.NegativeInfinity")]
    public void A_constant_of_a_generic_body_holds_each_compute_types_own_value(double value, string expected)
        => Assert.Equal(expected, DslLosses.Generator.Emitting.DType.Generic.Literal(value));
}
