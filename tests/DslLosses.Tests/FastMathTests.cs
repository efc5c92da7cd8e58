using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using DslLosses.Kernels;
using DslLosses.Tests.Infrastructure;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// The generated kernels' inlined float exp/log against <see cref="Math.Exp"/>/<see cref="Math.Log"/> in double,
/// rounded to float (the correctly rounded result up to double's own rounding), over a sweep of bit patterns and the edges.
/// Each test runs once per vector width (<see cref="SimdWidth"/>), skipped where that width is not accelerated.
/// </summary>
[Trait("Category", "Kernels")]
public class FastMathTests
{
    private const int MaxUlp = 1;

    /// <summary>Every 257th positive and negative float bit pattern (about 8.3 million values of each sign), plus the edges.</summary>
    private static IEnumerable<float> Sweep(float[] edges)
    {
        for (long bits = 0; bits < 0x7f800000L; bits += 257)
        {
            yield return BitConverter.Int32BitsToSingle((int)bits);
            yield return -BitConverter.Int32BitsToSingle((int)bits);
        }
        foreach (float e in edges)
        {
            yield return e;
            yield return MathF.BitIncrement(e);
            yield return MathF.BitDecrement(e);
        }
    }

    private static long Ulps(float actual, float expected)
    {
        if (float.IsNaN(expected))
            return float.IsNaN(actual) ? 0 : long.MaxValue;
        if (float.IsInfinity(expected) || float.IsInfinity(actual))
            return actual == expected ? 0 : long.MaxValue;
        static long Ordered(float f) { int b = BitConverter.SingleToInt32Bits(f); return b < 0 ? int.MinValue - (long)b : b; }
        return Math.Abs(Ordered(actual) - Ordered(expected));
    }

    /// <summary>
    /// Runs the function of width <paramref name="bits"/> over <paramref name="values"/>, 16 at a time in lane order;
    /// returns the worst ulp error and where.
    /// </summary>
    private static (long Ulp, float At) Check(int bits, IEnumerable<float> values, Func<double, double> reference,
        Func<Float512, Float512> v512, Func<Float256, Float256> v256, Func<Float128, Float128> v128)
    {
        long worst = 0;
        float at = 0;
        var block = new float[16];
        int filled = 0;
        void Flush()
        {
            float[] result = SimdWidth.Run(bits, block, v512, v256, v128);
            for (int i = 0; i < filled; i++)
            {
                long u = Ulps(result[i], (float)reference(block[i]));
                if (u > worst)
                {
                    worst = u;
                    at = block[i];
                }
            }
        }
        foreach (float v in values)
        {
            block[filled++] = v;
            if (filled == 16)
            {
                Flush();
                filled = 0;
            }
        }
        if (filled > 0)
            Flush();
        return (worst, at);
    }

    [SkippableTheory]
    [MemberData(nameof(SimdWidth.All), MemberType = typeof(SimdWidth))]
    public void Exp_is_within_one_ulp_everywhere_with_ieee_specials(int bits)
    {
        SimdWidth.Require(bits);
        float[] edges = { 0f, -0f, float.Epsilon, 1.17549435e-38f, 88.72283f, 88.72284f, 88.7228394f, -87.33655f, -103.97208f, -103.97209f, -104f, -150f, 1f, -1f, 0.34657359f, -0.34657359f, 1e-30f };
        (long ulp, float at) = Check(bits, Sweep(edges), Math.Exp, Float512.Exp, Float256.Exp, Float128.Exp);
        Assert.True(ulp <= MaxUlp, $"exp: {ulp} ulp at {at:R}");

        float[] specials = { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 89f, 1000f, -1000f, 0f, -0f, 1f, float.MaxValue, float.MinValue, -103.5f, 88.7f, -87f, 2f, 0.5f };
        float[] r = SimdWidth.Run(bits, specials, Float512.Exp, Float256.Exp, Float128.Exp);
        Assert.True(float.IsNaN(r[0]));
        Assert.Equal(float.PositiveInfinity, r[1]);
        Assert.Equal(0f, r[2]);
        Assert.Equal(float.PositiveInfinity, r[3]);
        Assert.Equal(float.PositiveInfinity, r[4]);
        Assert.Equal(0f, r[5]);
        Assert.Equal(1f, r[6]);
        Assert.Equal(1f, r[7]);
        Assert.Equal(float.PositiveInfinity, r[9]);
        Assert.Equal(0f, r[10]);
        Assert.True(r[11] > 0 && float.IsSubnormal(r[11]), $"exp(-103.5) = {r[11]:R} is a subnormal");
        for (int i = 12; i < 16; i++)
            Assert.True(Ulps(r[i], (float)Math.Exp(specials[i])) <= MaxUlp, $"lane {i}: independent of its neighbours");

        // every lane within |x| <= 87: 2^n is built in the exponent field, without the clamp; NaN still flows through
        float[] inRange = { 87f, -87f, 86.99999f, -86.99999f, 0f, -0f, 1e-30f, -1e-30f, 0.5f, -0.5f, 44.4f, -44.4f, 1f, float.NaN, 60f, -60f };
        float[] fast = SimdWidth.Run(bits, inRange, Float512.Exp, Float256.Exp, Float128.Exp);
        for (int i = 0; i < inRange.Length; i++)
        {
            float expected = (float)Math.Exp(inRange[i]);
            Assert.True(Ulps(fast[i], expected) <= MaxUlp, $"exp({inRange[i]:R}) = {fast[i]:R}, expected {expected:R}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(SimdWidth.All), MemberType = typeof(SimdWidth))]
    public void Log_is_within_one_ulp_everywhere_with_ieee_specials(int bits)
    {
        SimdWidth.Require(bits);
        float[] edges = { float.Epsilon, 1.17549435e-38f, 1.17549421e-38f, 1f, 2f, 0.70710677f, 1.4142135f, float.MaxValue, 1e-30f, 0.5f };
        (long ulp, float at) = Check(bits, Sweep(edges), v => v < 0 ? double.NaN : Math.Log(v), Float512.Log, Float256.Log, Float128.Log);
        Assert.True(ulp <= MaxUlp, $"log: {ulp} ulp at {at:R}");

        float[] specials = { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, -1f, float.Epsilon, 1f, -float.Epsilon, 2f, 10f, 1e-40f, 3f, 0.1f, 7f, 1e30f };
        float[] r = SimdWidth.Run(bits, specials, Float512.Log, Float256.Log, Float128.Log);
        Assert.True(float.IsNaN(r[0]));
        Assert.Equal(float.PositiveInfinity, r[1]);
        Assert.True(float.IsNaN(r[2]));
        Assert.Equal(float.NegativeInfinity, r[3]);
        Assert.Equal(float.NegativeInfinity, r[4]);
        Assert.True(float.IsNaN(r[5]));
        Assert.Equal((float)Math.Log(float.Epsilon), r[6]);
        Assert.Equal(0f, r[7]);
        Assert.True(float.IsNaN(r[8]));
        for (int i = 9; i < 16; i++)
            Assert.True(Ulps(r[i], (float)Math.Log(specials[i])) <= MaxUlp, $"lane {i}: log({specials[i]:R}) = {r[i]:R}");
    }

    /// <summary>log(1 + x) in double without cancellation: the series where 1 + x would round away most of x.</summary>
    private static double Log1pReference(double x)
        => x < -1 ? double.NaN : Math.Abs(x) < 1e-4 ? x - x * x / 2 + x * x * x / 3 - x * x * x * x / 4 : Math.Log(1 + x);

    [SkippableTheory]
    [MemberData(nameof(SimdWidth.All), MemberType = typeof(SimdWidth))]
    public void Log1p_is_within_two_ulp_everywhere_with_ieee_specials(int bits)
    {
        SimdWidth.Require(bits);
        float[] edges = { float.Epsilon, 1e-8f, 5.96e-8f, 1.2e-7f, 1e-4f, 0.41421357f, 1f, -0.29289323f, -0.5f, -1f, 1e30f, 1.2676506e30f, float.MaxValue };
        (long ulp, float at) = Check(bits, Sweep(edges), Log1pReference, Float512.Log1p, Float256.Log1p, Float128.Log1p);
        Assert.True(ulp <= 2, $"log1p: {ulp} ulp at {at:R}");

        float[] specials = { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, -1f, -2f, float.Epsilon, -float.Epsilon, 1e-30f, 3f, 0.1f, -0.9999999f, 1e38f, 1e-7f, 7f };
        float[] r = SimdWidth.Run(bits, specials, Float512.Log1p, Float256.Log1p, Float128.Log1p);
        Assert.True(float.IsNaN(r[0]));
        Assert.Equal(float.PositiveInfinity, r[1]);
        Assert.True(float.IsNaN(r[2]));
        Assert.Equal(0f, r[3]);
        Assert.True(r[4] == 0f && float.IsNegative(r[4]), $"log1p(-0) = {r[4]:R}");
        Assert.Equal(float.NegativeInfinity, r[5]);
        Assert.True(float.IsNaN(r[6]));
        Assert.Equal(float.Epsilon, r[7]);
        Assert.Equal(-float.Epsilon, r[8]);
        for (int i = 9; i < 16; i++)
            Assert.True(Ulps(r[i], (float)Log1pReference(specials[i])) <= 2, $"lane {i}: log1p({specials[i]:R}) = {r[i]:R}");
    }

    /// <summary>
    /// The fused softplus tail <c>log(1 + e^-|x|)</c> through the public lanes: <c>softplus(x) - max(x, 0)</c> in
    /// TensorFlow's order is <c>0 + tail</c>, exact for finite x (for +inf it is inf - inf).
    /// </summary>
    private static L SoftplusTail<L>(L x) where L : struct, ILanes<L, float, float> => L.SoftplusMinus(x, L.AtLeast(x, L.Zero));

    [SkippableTheory]
    [MemberData(nameof(SimdWidth.All), MemberType = typeof(SimdWidth))]
    public void Log1p_of_exp_of_minus_abs_is_within_two_ulp_everywhere(int bits)
    {
        SimdWidth.Require(bits);
        float[] edges = { 0f, 1e-8f, 1e-4f, 0.5f, 1f, 16.6f, 17f, 87.3f, 88f, 103f, 103.9f, 104f, 200f, float.MaxValue };
        (long ulp, float at) = Check(bits, Sweep(edges).Where(float.IsFinite), x => Log1pReference(Math.Exp(-Math.Abs(x))), SoftplusTail<Float512>, SoftplusTail<Float256>, SoftplusTail<Float128>);
        Assert.True(ulp <= 2, $"log1p(exp(-|x|)): {ulp} ulp at {at:R}");

        float[] r = SimdWidth.Run(bits, new[] { float.NaN, 0f, float.NegativeInfinity, 0f, -0f, 1f, -1f, 30f, -30f, 100f, 0f, 0f, 0f, 0f, 0f, 0f },
            SoftplusTail<Float512>, SoftplusTail<Float256>, SoftplusTail<Float128>);
        Assert.True(float.IsNaN(r[0]));
        Assert.Equal(0f, r[2]);
        Assert.Equal((float)Math.Log(2), r[3]);
        Assert.Equal((float)Math.Log(2), r[4]);
        Assert.Equal(r[5], r[6]);
        Assert.Equal((float)Math.Exp(-30), r[7]);
        Assert.Equal(r[7], r[8]);
        Assert.Equal((float)Math.Exp(-100), r[9]);

        // the whole softplus at the infinities: +inf and 0, the tail 0 at both
        float[] infinities = new float[16];
        infinities[0] = float.PositiveInfinity;
        infinities[1] = float.NegativeInfinity;
        float[] softplus = SimdWidth.Run(bits, infinities, Float512.Softplus, Float256.Softplus, Float128.Softplus);
        Assert.Equal(float.PositiveInfinity, softplus[0]);
        Assert.Equal(0f, softplus[1]);
        Assert.Equal((float)Math.Log(2), softplus[2]);
    }

    [SkippableTheory]
    [MemberData(nameof(SimdWidth.All), MemberType = typeof(SimdWidth))]
    public void LogPositive_is_within_one_ulp_on_positive_normal_finite_inputs_and_keeps_NaN(int bits)
    {
        SimdWidth.Require(bits);
        // only positive normal finite values: the domain the generator proves before it chooses LogPositive
        IEnumerable<float> PositiveNormals()
        {
            for (long bits = 0x00800000L; bits < 0x7f800000L; bits += 257)
                yield return BitConverter.Int32BitsToSingle((int)bits);
            foreach (float e in new[] { 1.17549435e-38f, 1f, 2f, 0.70710677f, 1.4142135f, float.MaxValue, 1e-7f, 2e-7f, 0.99999988f, 1.0000001f })
                yield return e;
        }
        (long ulp, float at) = Check(bits, PositiveNormals(), Math.Log, Float512.LogPositive, Float256.LogPositive, Float128.LogPositive);
        Assert.True(ulp <= MaxUlp, $"log of positive normals: {ulp} ulp at {at:R}");

        float[] r = SimdWidth.Run(bits, new[] { float.NaN, 1f, -float.NaN, 0.5f, 2f, 1e-7f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f },
            Float512.LogPositive, Float256.LogPositive, Float128.LogPositive);
        Assert.True(float.IsNaN(r[0]) && float.IsNaN(r[2]), "NaN stays NaN");
        Assert.Equal(0f, r[1]);
        Assert.Equal((float)Math.Log(0.5), r[3]);
    }

    private static bool Same(float a, float b) => BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b);

    [SkippableTheory]
    [MemberData(nameof(SimdWidth.All), MemberType = typeof(SimdWidth))]
    public void One_instruction_bounds_keep_NaN_and_equal_IEEE_max_and_min_against_a_nonzero_bound(int bits)
    {
        SimdWidth.Require(bits);
        float[] xs = { float.NaN, -0f, 0f, 1e-7f, 0.5f, -3f, float.PositiveInfinity, float.NegativeInfinity, 1e-8f, 0.99999988f, 1f, 2f, float.Epsilon, -float.Epsilon, 1e-7f, 7f };
        foreach (float bound in new[] { 1e-7f, 0.99999988f, -2f, 1f })
        {
            float[] lower = SimdWidth.Run(bits, xs, v => Float512.AtLeast(v, Float512.Create(bound)), v => Float256.AtLeast(v, Float256.Create(bound)), v => Float128.AtLeast(v, Float128.Create(bound)));
            float[] upper = SimdWidth.Run(bits, xs, v => Float512.AtMost(v, Float512.Create(bound)), v => Float256.AtMost(v, Float256.Create(bound)), v => Float128.AtMost(v, Float128.Create(bound)));
            for (int i = 0; i < xs.Length; i++)
            {
                float max = MathF.Max(xs[i], bound), min = MathF.Min(xs[i], bound);
                Assert.True(float.IsNaN(max) ? float.IsNaN(lower[i]) : Same(lower[i], max), $"max({xs[i]}, {bound}) = {lower[i]}");
                Assert.True(float.IsNaN(min) ? float.IsNaN(upper[i]) : Same(upper[i], min), $"min({xs[i]}, {bound}) = {upper[i]}");
            }
        }
        // double lanes
        double[] d = { double.NaN, -1.0, 0.5, 3.0, 1e-8, -0.0, 1.0, 2.0 };
        double[] dl = SimdWidth.Run(bits, d, v => Double512.AtLeast(v, Double512.Create(1e-7)), v => Double256.AtLeast(v, Double256.Create(1e-7)), v => Double128.AtLeast(v, Double128.Create(1e-7)));
        double[] du = SimdWidth.Run(bits, d, v => Double512.AtMost(v, Double512.Create(1.0)), v => Double256.AtMost(v, Double256.Create(1.0)), v => Double128.AtMost(v, Double128.Create(1.0)));
        for (int i = 0; i < d.Length; i++)
        {
            double max = Math.Max(d[i], 1e-7), min = Math.Min(d[i], 1.0);
            Assert.True(double.IsNaN(max) ? double.IsNaN(dl[i]) : BitConverter.DoubleToInt64Bits(dl[i]) == BitConverter.DoubleToInt64Bits(max), $"max({d[i]}, 1e-7) = {dl[i]}");
            Assert.True(double.IsNaN(min) ? double.IsNaN(du[i]) : BitConverter.DoubleToInt64Bits(du[i]) == BitConverter.DoubleToInt64Bits(min), $"min({d[i]}, 1) = {du[i]}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(SimdWidth.All), MemberType = typeof(SimdWidth))]
    public void Shift_max_finds_the_largest_lane_of_finite_rows(int bits)
    {
        SimdWidth.Require(bits);
        var random = new Random(21);
        for (int round = 0; round < 100; round++)
        {
            float[] lanes = Enumerable.Range(0, 16).Select(_ => (float)(random.NextDouble() * 2000 - 1000)).ToArray();
            if (round % 10 == 0)
                lanes[round % 16] = float.PositiveInfinity;
            double[] d = lanes.Take(8).Select(v => (double)v).ToArray();
            switch (bits)
            {
                case 512:
                    Assert.Equal(lanes.Max(), Float512.ShiftMaxAcross(new(Vector512.Create(lanes))));
                    Assert.Equal(Math.Max(lanes[0], lanes[8]), Float512.ShiftMax(new(Vector512.Create(lanes)), Float512.Create(lanes[8])).Value[0]);
                    Assert.Equal(d.Max(), Double512.ShiftMaxAcross(new(Vector512.Create(d))));
                    break;
                case 256:
                    Assert.Equal(lanes.Take(8).Max(), Float256.ShiftMaxAcross(new(Vector256.Create(lanes, 0))));
                    Assert.Equal(Math.Max(lanes[0], lanes[8]), Float256.ShiftMax(new(Vector256.Create(lanes, 0)), new(Vector256.Create(lanes, 8))).Value[0]);
                    Assert.Equal(d.Take(4).Max(), Double256.ShiftMaxAcross(new(Vector256.Create(d))));
                    break;
                default:
                    Assert.Equal(lanes.Take(4).Max(), Float128.ShiftMaxAcross(new(Vector128.Create(lanes, 0))));
                    Assert.Equal(Math.Max(lanes[0], lanes[8]), Float128.ShiftMax(new(Vector128.Create(lanes, 0)), Float128.Create(lanes[8])).Value[0]);
                    Assert.Equal(d.Take(2).Max(), Double128.ShiftMaxAcross(new(Vector128.Create(d))));
                    break;
            }
        }
    }
}
