using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DslLosses.Kernels;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// Every member of a lanes struct (<see cref="ILanes{TSelf, TStore, TCompute}"/>) against a reference worked here in
/// float64 with <see cref="Math"/>, lane by lane, on seeded inputs and the special values. Lanes are put in and read out
/// through the struct's memory (one vector or one scalar field), not through its own Load and Store, which are tested
/// on their own. The Vector512/256/128 structs run everywhere: without the hardware they run the software fallbacks.
/// </summary>
/// <typeparam name="L">The lanes struct.</typeparam>
/// <typeparam name="TS">Its element type in memory.</typeparam>
/// <typeparam name="TC">Its element type computed in.</typeparam>
public abstract class LanesTests<L, TS, TC>
    where L : struct, ILanes<L, TS, TC>
    where TS : unmanaged, IFloatingPointIeee754<TS>
    where TC : unmanaged, IFloatingPointIeee754<TC>
{
    /// <summary>The lanes one value should hold.</summary>
    protected abstract int ExpectedCount { get; }

    /// <summary>What <see cref="ILanes{TSelf, TStore, TCompute}.IsHardwareAccelerated"/> should say on this machine.</summary>
    protected abstract bool ExpectedAccelerated { get; }

    /// <summary>
    /// Whether the sigmoid is <c>1 / (1 + e^-x)</c> as written (the vector lanes): where <c>e^-x</c> overflows the
    /// result is 0. Otherwise (the scalar lanes, <see cref="LossMath.Sigmoid(float)"/>) it is the true value down to the subnormals.
    /// </summary>
    protected abstract bool SigmoidOverflows { get; }

    /// <summary>The ulp bound of exp and log (FastMath's documented 1 ulp for float).</summary>
    protected virtual int ExpLogUlp => 1;

    /// <summary>The ulp bound of log1p and of the softplus tail <c>log1p(e^-|x|)</c> (FastMath's documented 2 ulp for float).</summary>
    protected virtual int Log1pUlp => 2;

    /// <summary>The ulp bound of the sigmoid: the exponential's, then the sum and the quotient rounded.</summary>
    protected virtual int SigmoidUlp => 3;

    // ---- moving lanes in and out, numbers and bits ---------------------------------------------------------------

    protected static int N => L.Count;

    protected static bool IsFloat => Unsafe.SizeOf<TC>() == 4;

    protected static L Make(ReadOnlySpan<TC> lanes)
    {
        Assert.Equal(N, lanes.Length);
        L v = default;
        ref TC first = ref Unsafe.As<L, TC>(ref v);
        for (int i = 0; i < lanes.Length; i++)
            Unsafe.Add(ref first, i) = lanes[i];
        return v;
    }

    protected static TC[] Lanes(L v)
    {
        var lanes = new TC[N];
        ref TC first = ref Unsafe.As<L, TC>(ref v);
        for (int i = 0; i < lanes.Length; i++)
            lanes[i] = Unsafe.Add(ref first, i);
        return lanes;
    }

    protected static double D(TC x) => double.CreateTruncating(x);

    protected static TC C(double x) => TC.CreateTruncating(x);

    protected static long Bits(TC x) => IsFloat ? Unsafe.As<TC, int>(ref x) : Unsafe.As<TC, long>(ref x);

    protected static TC FromBits(long bits)
    {
        if (IsFloat)
        {
            int b = (int)bits;
            return Unsafe.As<int, TC>(ref b);
        }
        return Unsafe.As<long, TC>(ref bits);
    }

    /// <summary>A lane of the all-true mask.</summary>
    protected static TC True => FromBits(-1);

    protected static TC MaskLane(bool condition) => condition ? True : TC.Zero;

    /// <summary>Distance in representable numbers of <typeparamref name="TC"/>; specials must match exactly.</summary>
    protected static long Ulps(TC actual, double expected)
    {
        TC e = C(expected);
        if (TC.IsNaN(e))
            return TC.IsNaN(actual) ? 0 : long.MaxValue;
        if (TC.IsInfinity(e) || TC.IsInfinity(actual) || TC.IsNaN(actual))
            return actual == e ? 0 : long.MaxValue;
        static long Ordered(long b, bool isFloat) => b >= 0 ? b : (isFloat ? int.MinValue : long.MinValue) - b;
        return Math.Abs(Ordered(Bits(actual), IsFloat) - Ordered(Bits(e), IsFloat));
    }

    /// <summary>The spacing of <typeparamref name="TC"/> at <paramref name="x"/>.</summary>
    protected static double Ulp(double x)
    {
        x = Math.Abs(x);
        if (IsFloat)
        {
            float f = (float)x;
            return float.IsFinite(f) ? (double)MathF.BitIncrement(f) - f : double.PositiveInfinity;
        }
        return double.IsFinite(x) ? Math.BitIncrement(x) - x : double.PositiveInfinity;
    }

    /// <summary>The same bits, or both NaN.</summary>
    protected static bool Same(TC actual, TC expected) => TC.IsNaN(expected) ? TC.IsNaN(actual) : Bits(actual) == Bits(expected);

    protected static string Show(TC x) => $"{D(x):R} (0x{Bits(x):X})";

    /// <summary>Collects the first failures with their inputs, then fails once with all of them.</summary>
    protected sealed class Failures
    {
        private readonly List<string> _lines = new();
        private int _count;

        public void Add(string line)
        {
            if (_count++ < 12)
                _lines.Add(line);
        }

        public void Check(bool ok, Func<string> line)
        {
            if (!ok)
                Add(line());
        }

        public void Throw(string what)
        {
            if (_count > 0)
                Assert.Fail($"{typeof(L).Name}.{what}: {_count} lanes wrong\n" + string.Join("\n", _lines));
        }
    }

    // ---- inputs ---------------------------------------------------------------------------------------------------

    /// <summary>The special and edge values of <typeparamref name="TC"/>: zeros, infinities, NaN, subnormals, the ends of exp's range, huge, negative.</summary>
    protected static double[] Specials()
    {
        var common = new List<double>
        {
            0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 1, -1, 0.5, -0.5, 2, -2, 1e-8, -1e-8,
            1e-4, -1e-4, 0.3, -0.3, 10, -10, 16.6, 17, -17, 20, -20, 30, -30, 50, -50, 100, -100, 1e-30, -1e-30,
            -0.9999999, -0.999, 0.41421357, -0.29289323, 0.70710677, 1.4142135, 1e6, -1e6, 3, 7,
        };
        if (IsFloat)
        {
            common.AddRange(new double[]
            {
                float.Epsilon, -float.Epsilon, 1.17549435e-38, -1.17549435e-38, 5.877472e-39, 1e-40, float.MaxValue, -float.MaxValue,
                1e30, -1e30, 87, -87, 88.72283, 88.72284, 89, 1000, -87.33655, -88.73, -103.2, -103.97208, -104, -105, -150, -1000,
            });
        }
        else
        {
            common.AddRange(new double[]
            {
                double.Epsilon, -double.Epsilon, 2.2250738585072014e-308, -2.2250738585072014e-308, 1e-310, double.MaxValue, -double.MaxValue,
                1e300, -1e300, 1e30, -1e30, 700, 709.78, 709.79, 710, 1e4, -700, -708.4, -709.8, -744.4, -745.1, -745.2, -746, -1e4,
            });
        }
        return common.Select(v => D(C(v))).ToArray();
    }

    /// <summary>Seeded values over the ranges that matter (near 0, exp's range and past it, every magnitude), then the specials.</summary>
    protected static TC[] Inputs(int seed = 1)
    {
        var random = new Random(seed);
        double wide = IsFloat ? 110 : 760;
        int lo = IsFloat ? -45 : -323, hi = IsFloat ? 38 : 307;
        var values = new List<double>();
        for (int i = 0; i < 400; i++) values.Add(2 * random.NextDouble() - 1);
        for (int i = 0; i < 400; i++) values.Add(60 * random.NextDouble() - 30);
        for (int i = 0; i < 300; i++) values.Add(wide * (2 * random.NextDouble() - 1));
        for (int i = 0; i < 300; i++) values.Add((random.Next(2) == 0 ? -1 : 1) * Math.Pow(10, lo + (hi - lo) * random.NextDouble()));
        for (int i = 0; i < 150; i++) values.Add(2e-6 * random.NextDouble() - 1e-6);
        values.AddRange(Specials());
        // a whole number of values per vector, the specials at every lane position
        while (values.Count % 16 != 0) values.Add(random.NextDouble());
        return values.Select(C).ToArray();
    }

    /// <summary>Pairs: seeded ones, each value with itself, its negation and the signed zeros, and every two specials.</summary>
    protected static (TC X, TC Y)[] Pairs(int seed = 2)
    {
        TC[] a = Inputs(seed), b = Inputs(seed + 1);
        var random = new Random(seed);
        b = b.OrderBy(_ => random.Next()).ToArray();
        var pairs = new List<(TC, TC)>();
        for (int i = 0; i < a.Length; i++)
            pairs.Add((a[i], b[i]));
        foreach (TC x in a.Take(200))
        {
            pairs.Add((x, x));
            pairs.Add((x, -x));
            pairs.Add((x, TC.Zero));
            pairs.Add((x, TC.NegativeZero));
        }
        TC[] specials = Specials().Select(C).ToArray();
        foreach (TC x in specials)
        {
            foreach (TC y in specials)
                pairs.Add((x, y));
        }
        while (pairs.Count % 16 != 0) pairs.Add((TC.One, TC.One));
        return pairs.ToArray();
    }

    /// <summary>Runs <paramref name="op"/> over the values a vector at a time and hands each lane to <paramref name="check"/>.</summary>
    protected static void EachLane(TC[] inputs, Func<L, L> op, Action<TC, TC> check)
    {
        for (int i = 0; i + N <= inputs.Length; i += N)
        {
            TC[] r = Lanes(op(Make(inputs.AsSpan(i, N))));
            for (int l = 0; l < N; l++)
                check(inputs[i + l], r[l]);
        }
    }

    protected static void EachLane((TC X, TC Y)[] pairs, Func<L, L, L> op, Action<TC, TC, TC> check)
    {
        for (int i = 0; i + N <= pairs.Length; i += N)
        {
            TC[] x = new TC[N], y = new TC[N];
            for (int l = 0; l < N; l++)
                (x[l], y[l]) = pairs[i + l];
            TC[] r = Lanes(op(Make(x), Make(y)));
            for (int l = 0; l < N; l++)
                check(x[l], y[l], r[l]);
        }
    }

    private static void WithinUlps(string what, Func<L, L> op, TC[] inputs, Func<double, double> reference, int ulps)
    {
        var f = new Failures();
        EachLane(inputs, op, (x, r) =>
        {
            double expected = reference(D(x));
            f.Check(Ulps(r, expected) <= ulps, () => $"{what}({Show(x)}) = {Show(r)}, expected {C(expected)} within {ulps} ulp");
        });
        f.Throw(what);
    }

    private static void Exactly(string what, Func<L, L> op, TC[] inputs, Func<double, double> reference)
    {
        var f = new Failures();
        EachLane(inputs, op, (x, r) =>
        {
            TC expected = C(reference(D(x)));
            f.Check(Same(r, expected), () => $"{what}({Show(x)}) = {Show(r)}, expected {Show(expected)}");
        });
        f.Throw(what);
    }

    private static void Exactly(string what, Func<L, L, L> op, (TC, TC)[] pairs, Func<double, double, double> reference)
    {
        var f = new Failures();
        EachLane(pairs, op, (x, y, r) =>
        {
            TC expected = C(reference(D(x), D(y)));
            f.Check(Same(r, expected), () => $"{what}({Show(x)}, {Show(y)}) = {Show(r)}, expected {Show(expected)}");
        });
        f.Throw(what);
    }

    // ---- references -----------------------------------------------------------------------------------------------

    /// <summary>
    /// log(1 + x) in float64: <c>log(u)</c> with <c>u = 1 + x</c> rounded, corrected by the rounding error of u
    /// (<c>x - (u - 1)</c>, exact) divided by u; x itself where u rounds to 1.
    /// </summary>
    protected static double RefLog1p(double x)
    {
        if (double.IsNaN(x) || x < -1)
            return double.NaN;
        if (x == -1)
            return double.NegativeInfinity;
        if (double.IsPositiveInfinity(x))
            return x;
        double u = 1 + x;
        if (u == 1)
            return x;
        return Math.Log(u) + (x - (u - 1)) / u;
    }

    /// <summary>IEEE 754-2019 maximum: NaN wins, -0 &lt; +0.</summary>
    protected static double RefMax(double x, double y)
    {
        if (double.IsNaN(x) || double.IsNaN(y))
            return double.NaN;
        if (x == y)
            return double.IsNegative(x) ? y : x;
        return x > y ? x : y;
    }

    /// <summary>IEEE 754-2019 minimum: NaN wins, -0 &lt; +0.</summary>
    protected static double RefMin(double x, double y)
    {
        if (double.IsNaN(x) || double.IsNaN(y))
            return double.NaN;
        if (x == y)
            return double.IsNegative(x) ? x : y;
        return x < y ? x : y;
    }

    // ---- shape ----------------------------------------------------------------------------------------------------

    [Fact]
    public void Count_and_acceleration_are_the_width_s_and_the_struct_is_exactly_its_lanes()
    {
        Assert.Equal(ExpectedCount, L.Count);
        Assert.Equal(ExpectedAccelerated, L.IsHardwareAccelerated);
        Assert.Equal(L.Count * Unsafe.SizeOf<TC>(), Unsafe.SizeOf<L>());
    }

    [Fact]
    public void Zero_AllBitsSet_Indices_Create_and_Mask_fill_every_lane()
    {
        var f = new Failures();
        void Lanewise(string what, L v, Func<int, TC> expected)
        {
            TC[] r = Lanes(v);
            for (int l = 0; l < N; l++)
                f.Check(Same(r[l], expected(l)) && Bits(r[l]) == Bits(expected(l)), () => $"{what}: lane {l} = {Show(r[l])}, expected {Show(expected(l))}");
        }
        Lanewise("Zero", L.Zero, _ => TC.Zero);
        Lanewise("AllBitsSet", L.AllBitsSet, _ => True);
        Lanewise("Indices", L.Indices, l => C(l));
        foreach (double v in Specials().Where(v => !double.IsNaN(v)))
            Lanewise($"Create({v:R})", L.Create(C(v)), _ => C(v));
        Lanewise("Mask(true)", L.Mask(true), _ => True);
        Lanewise("Mask(false)", L.Mask(false), _ => TC.Zero);
        f.Throw("constants");
    }

    [Fact]
    public void From_sets_the_lanes_at_or_after_done()
    {
        var f = new Failures();
        for (nint done = -2; done <= N + 2; done++)
        {
            TC[] r = Lanes(L.From(done));
            for (int l = 0; l < N; l++)
                f.Check(Bits(r[l]) == Bits(MaskLane(l >= done)), () => $"From({done}): lane {l} = {Show(r[l])}");
        }
        f.Throw("From");
    }

    // ---- memory ---------------------------------------------------------------------------------------------------

    /// <summary>The stored element nearest <paramref name="x"/> (the compute type itself where they are the same).</summary>
    protected virtual TS Round(TC x) => Unsafe.SizeOf<TS>() == Unsafe.SizeOf<TC>() ? Unsafe.As<TC, TS>(ref x) : throw new NotSupportedException();

    protected static bool SameStored(TS actual, TS expected)
        => TS.IsNaN(expected) ? TS.IsNaN(actual) : Unsafe.SizeOf<TS>() switch
        {
            2 => Unsafe.As<TS, short>(ref actual) == Unsafe.As<TS, short>(ref expected),
            4 => Unsafe.As<TS, int>(ref actual) == Unsafe.As<TS, int>(ref expected),
            _ => Unsafe.As<TS, long>(ref actual) == Unsafe.As<TS, long>(ref expected),
        };

    private static TS[] StoredValues(int length, int seed)
    {
        TC[] inputs = Inputs(seed);
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => TS.CreateTruncating(inputs[random.Next(inputs.Length)])).ToArray();
    }

    [Fact]
    public void Load_and_Read_widen_the_elements_at_the_index()
    {
        var f = new Failures();
        foreach (int index in new[] { 0, 1, 3, 17 })
        {
            TS[] source = StoredValues(index + N + 5, index);
            TC[] r = Lanes(L.Load(ref source[0], index));
            for (int l = 0; l < N; l++)
            {
                TC expected = TC.CreateTruncating(source[index + l]);
                f.Check(Same(r[l], expected), () => $"Load at {index}: lane {l} = {Show(r[l])}, expected {Show(expected)}");
                TC read = L.Read(ref source[0], index + l);
                f.Check(Same(read, expected), () => $"Read at {index + l} = {Show(read)}, expected {Show(expected)}");
            }
        }
        f.Throw("Load/Read");
    }

    [Fact]
    public void Store_and_Write_round_into_the_elements_at_the_index_and_nowhere_else()
    {
        var f = new Failures();
        TC[] values = Inputs(5);
        TS sentinel = TS.CreateTruncating(7.0);
        for (int i = 0; i + N <= values.Length; i += N)
        {
            int index = i / N % 5;
            var destination = Enumerable.Repeat(sentinel, index + N + 3).ToArray();
            L.Store(Make(values.AsSpan(i, N)), ref destination[0], index);
            for (int e = 0; e < destination.Length; e++)
            {
                bool lane = e >= index && e < index + N;
                TS expected = lane ? Round(values[i + e - index]) : sentinel;
                TS actual = destination[e];
                f.Check(SameStored(actual, expected), () => $"Store at {index}: element {e} = {actual}, expected {expected}");
            }
            var one = Enumerable.Repeat(sentinel, 5).ToArray();
            L.Write(values[i], ref one[0], 2);
            for (int e = 0; e < one.Length; e++)
            {
                TS expected = e == 2 ? Round(values[i]) : sentinel;
                TS actual = one[e];
                f.Check(SameStored(actual, expected), () => $"Write of {Show(values[i])}: element {e} = {actual}, expected {expected}");
            }
        }
        f.Throw("Store/Write");
    }

    [Fact]
    public void LoadIndices_converts_the_integers_at_the_index()
    {
        var random = new Random(3);
        int[] special = { 0, 1, -1, 7, int.MaxValue, int.MinValue, 16777216, 16777217, -16777217, 33554435, 1 << 30, 123456789 };
        int[] ints = special.Concat(Enumerable.Range(0, 64).Select(_ => random.Next(int.MinValue, int.MaxValue))).Concat(Enumerable.Range(0, 32).Select(_ => random.Next(-1000, 1000))).ToArray();
        var f = new Failures();
        for (int index = 0; index + N <= ints.Length; index++)
        {
            TC[] r = Lanes(L.LoadIndices(ref ints[0], index));
            for (int l = 0; l < N; l++)
            {
                TC expected = C(ints[index + l]);
                f.Check(Bits(r[l]) == Bits(expected), () => $"LoadIndices at {index}: lane {l} = {Show(r[l])}, expected {Show(expected)} ({ints[index + l]})");
            }
        }
        f.Throw("LoadIndices");
    }

    // ---- arithmetic -----------------------------------------------------------------------------------------------

    [Fact]
    public void Arithmetic_operators_round_once_as_ieee()
    {
        // float's sum, difference, product and quotient rounded from double are correctly rounded (53 >= 2 * 24 + 2)
        (TC, TC)[] pairs = Pairs();
        Exactly("+", (x, y) => x + y, pairs, (x, y) => x + y);
        Exactly("-", (x, y) => x - y, pairs, (x, y) => x - y);
        Exactly("*", (x, y) => x * y, pairs, (x, y) => x * y);
        Exactly("/", (x, y) => x / y, pairs, (x, y) => x / y);
        Exactly("negation", x => -x, Inputs(), x => -x);
    }

    [Fact]
    public void Compound_addition_leaves_the_rounded_sum_in_the_accumulator()
    {
        // `acc += y` binds to the lanes' in-place operator += (C# 14), what the generated kernels' accumulators use
        Exactly("+=", (x, y) =>
        {
            L acc = x;
            acc += y;
            return acc;
        }, Pairs(), (x, y) => x + y);
    }

    [Fact]
    public void Abs_and_Sqrt_are_exact()
    {
        Exactly("Abs", L.Abs, Inputs(), Math.Abs);
        Exactly("Sqrt", L.Sqrt, Inputs(), Math.Sqrt);
    }

    [Fact]
    public void Max_and_Min_are_ieee_754_2019_nan_wins_and_minus_zero_is_below_plus_zero()
    {
        (TC, TC)[] pairs = Pairs();
        Exactly("Max", L.Max, pairs, RefMax);
        Exactly("Min", L.Min, pairs, RefMin);
    }

    /// <summary>Bounds neither a zero nor NaN, as the contract asks.</summary>
    private static (TC, TC)[] BoundPairs()
    {
        double[] bounds = { -1, 1e-7, 0.5, 1, -1e30, 100, -100, 1e-30, double.PositiveInfinity, double.NegativeInfinity };
        return Inputs(9).SelectMany(x => bounds.Select(b => (x, C(b)))).ToArray();
    }

    [Fact]
    public void AtLeast_and_AtMost_bound_and_keep_nan()
    {
        (TC, TC)[] pairs = BoundPairs();
        Exactly("AtLeast", L.AtLeast, pairs, (x, lo) => double.IsNaN(x) ? x : RefMax(x, lo));
        Exactly("AtMost", L.AtMost, pairs, (x, hi) => double.IsNaN(x) ? x : RefMin(x, hi));
    }

    [Fact]
    public void ShiftMax_is_the_larger_value()
    {
        // the sign of a zero cannot show in a shift, and NaN's outcome is left open: numbers only
        (TC X, TC Y)[] pairs = Pairs().Where(p => !TC.IsNaN(p.X) && !TC.IsNaN(p.Y)).ToArray();
        while (pairs.Length % 16 != 0) pairs = pairs.Append((TC.One, TC.Zero)).ToArray();
        var f = new Failures();
        EachLane(pairs, L.ShiftMax, (x, y, r) => f.Check(D(r) == Math.Max(D(x), D(y)), () => $"ShiftMax({Show(x)}, {Show(y)}) = {Show(r)}"));
        f.Throw("ShiftMax");
    }

    [Fact]
    public void Pow_is_within_one_ulp_with_ieee_specials()
    {
        var f = new Failures();
        (TC X, TC Y)[] pairs = Pairs();
        // and bases that make finite powers: small exponents, integral ones on negative bases
        var random = new Random(4);
        var extra = Enumerable.Range(0, 256).Select(_ => (C(random.NextDouble() * 10), C(random.NextDouble() * 20 - 10)))
            .Concat(Enumerable.Range(0, 256).Select(_ => (C(-random.NextDouble() * 10), C(random.Next(-9, 10))))).ToArray();
        EachLane(pairs.Concat(extra).ToArray(), L.Pow, (x, y, r) =>
        {
            double expected = Math.Pow(D(x), D(y));
            f.Check(Ulps(r, expected) <= 1, () => $"Pow({Show(x)}, {Show(y)}) = {Show(r)}, expected {C(expected)}");
        });
        f.Throw("Pow");
    }

    [Fact]
    public void Tanh_and_Sinh_are_within_one_ulp_with_ieee_specials()
    {
        // tanh saturates and sinh overflows: the inputs cover both, tiny arguments (tanh x = sinh x = x) and the specials
        WithinUlps("Tanh", L.Tanh, Inputs(), Math.Tanh, 1);
        WithinUlps("Sinh", L.Sinh, Inputs(), Math.Sinh, 1);
    }

    // ---- exp and logarithms ---------------------------------------------------------------------------------------

    [Fact]
    public void Exp_is_within_its_ulp_bound_with_ieee_specials()
        => WithinUlps("Exp", L.Exp, Inputs(), Math.Exp, ExpLogUlp);

    [Fact]
    public void Log_is_within_its_ulp_bound_with_ieee_specials()
        => WithinUlps("Log", L.Log, Inputs(), Math.Log, ExpLogUlp);

    [Fact]
    public void LogPositive_is_within_its_ulp_bound_on_positive_normal_numbers_and_keeps_nan()
    {
        TC[] inputs = Inputs().Where(x => TC.IsNaN(x) || (TC.IsNormal(x) && x > TC.Zero)).ToArray();
        inputs = inputs.Concat(Enumerable.Repeat(TC.One, 16 - inputs.Length % 16)).ToArray();
        WithinUlps("LogPositive", L.LogPositive, inputs, Math.Log, ExpLogUlp);
    }

    [Fact]
    public void Log1p_is_within_its_ulp_bound_with_ieee_specials()
        => WithinUlps("Log1p", L.Log1p, Inputs(), RefLog1p, Log1pUlp);

    [Fact]
    public void Sigmoid_is_within_its_ulp_bound()
    {
        bool overflows = SigmoidOverflows;
        WithinUlps("Sigmoid", L.Sigmoid, Inputs(), x =>
        {
            double e = Math.Exp(-x);
            // the vector lanes' 1 / (1 + e^-x): e^-x past the type's range is +inf and the result 0
            if (overflows && TC.IsPositiveInfinity(C(e)))
                return 0;
            return double.IsNaN(x) ? x : x >= 0 ? 1 / (1 + e) : Math.Exp(x) / (1 + Math.Exp(x));
        }, SigmoidUlp);
    }

    [Fact]
    public void Softplus_is_max_plus_the_tail_within_its_ulp_bound()
    {
        var f = new Failures();
        int tailUlps = Log1pUlp;
        EachLane(Inputs(), L.Softplus, (x, r) =>
        {
            double xd = D(x);
            if (double.IsNaN(xd) || double.IsInfinity(xd))
            {
                TC special = C(double.IsNaN(xd) ? xd : xd > 0 ? xd : 0);
                f.Check(Same(r, special), () => $"Softplus({Show(x)}) = {Show(r)}, expected {Show(special)}");
                return;
            }
            double tail = RefLog1p(Math.Exp(-Math.Abs(xd)));
            double expected = Math.Max(xd, 0) + tail;
            double tolerance = tailUlps * Ulp(tail) + Ulp(expected);
            f.Check(Math.Abs(D(r) - expected) <= tolerance, () => $"Softplus({Show(x)}) = {Show(r)}, expected {expected:R} within {tolerance:R}");
        });
        f.Throw("Softplus");
    }

    [Fact]
    public void SoftplusMinus_subtracts_before_adding_the_tail()
    {
        var random = new Random(6);
        TC[] xs = Inputs(7);
        // y close to max(x, 0), where softplus(x) - y would cancel: a confident, correct logit
        var pairs = Pairs().Concat(xs.Select(x => (x, TC.Max(x, TC.Zero)))).Concat(xs.Select(x => (x, C(Math.Max(D(x), 0) * (1 + 1e-6 * random.NextDouble())))))
            .Concat(new[] { (C(20), C(20)), (C(30), C(30)), (C(17), C(17)), (C(-20), C(0)), (C(50), C(50)) }).ToList();
        while (pairs.Count % 16 != 0) pairs.Add((TC.One, TC.One));
        var f = new Failures();
        int tailUlps = Log1pUlp;
        EachLane(pairs.ToArray(), L.SoftplusMinus, (x, y, r) =>
        {
            double xd = D(x), yd = D(y);
            // max(x, 0) - y is one rounding in the compute type, then the tail is added
            double head = D(C(Math.Max(xd, 0) - yd));
            double tail = RefLog1p(Math.Exp(-Math.Abs(xd)));
            double expected = head + tail;
            if (double.IsNaN(expected) || double.IsInfinity(expected) || double.IsNaN(xd))
            {
                TC special = C(double.IsNaN(xd) ? double.NaN : expected);
                f.Check(Same(r, special), () => $"SoftplusMinus({Show(x)}, {Show(y)}) = {Show(r)}, expected {Show(special)}");
                return;
            }
            double tolerance = tailUlps * Ulp(tail) + Ulp(expected);
            f.Check(Math.Abs(D(r) - expected) <= tolerance, () => $"SoftplusMinus({Show(x)}, {Show(y)}) = {Show(r)}, expected {expected:R} within {tolerance:R}");
        });
        f.Throw("SoftplusMinus");
    }

    // ---- masks ----------------------------------------------------------------------------------------------------

    [Fact]
    public void Comparisons_give_all_bits_set_where_they_hold_and_zero_elsewhere()
    {
        (TC, TC)[] pairs = Pairs();
        var f = new Failures();
        void Compare(string what, Func<L, L, L> op, Func<double, double, bool> holds)
            => EachLane(pairs, op, (x, y, r) => f.Check(Bits(r) == Bits(MaskLane(holds(D(x), D(y)))), () => $"{what}({Show(x)}, {Show(y)}) = {Show(r)}"));
        Compare("LessThan", L.LessThan, (x, y) => x < y);
        Compare("GreaterThan", L.GreaterThan, (x, y) => x > y);
        Compare("LessThanOrEqual", L.LessThanOrEqual, (x, y) => x <= y);
        Compare("GreaterThanOrEqual", L.GreaterThanOrEqual, (x, y) => x >= y);
        Compare("Equal", L.Equal, (x, y) => x == y);
        EachLane(Inputs(), L.IsFinite, (x, r) => f.Check(Bits(r) == Bits(MaskLane(double.IsFinite(D(x)))), () => $"IsFinite({Show(x)}) = {Show(r)}"));
        f.Throw("comparisons");
    }

    [Fact]
    public void Bitwise_operators_act_on_the_bits()
    {
        var random = new Random(8);
        var f = new Failures();
        long mask = IsFloat ? 0xFFFFFFFFL : -1L;
        long Sign(long b) => IsFloat ? (int)b : b;
        for (int round = 0; round < 64; round++)
        {
            long[] a = Enumerable.Range(0, N).Select(_ => Sign(random.NextInt64() & mask)).ToArray();
            long[] b = Enumerable.Range(0, N).Select(_ => Sign(random.NextInt64() & mask)).ToArray();
            L x = Make(a.Select(FromBits).ToArray()), y = Make(b.Select(FromBits).ToArray());
            TC[] and = Lanes(x & y), or = Lanes(x | y), not = Lanes(~x);
            for (int l = 0; l < N; l++)
            {
                f.Check(Bits(and[l]) == Sign(a[l] & b[l]), () => $"{a[l]:X} & {b[l]:X} = {Bits(and[l]):X}");
                f.Check(Bits(or[l]) == Sign(a[l] | b[l]), () => $"{a[l]:X} | {b[l]:X} = {Bits(or[l]):X}");
                f.Check(Bits(not[l]) == Sign(~a[l]), () => $"~{a[l]:X} = {Bits(not[l]):X}");
            }
        }
        // and on masks: the truth tables
        foreach (bool p in new[] { false, true })
        {
            foreach (bool q in new[] { false, true })
            {
                f.Check(Bits(Lanes(L.Mask(p) & L.Mask(q))[0]) == Bits(MaskLane(p && q)), () => $"mask {p} & {q}");
                f.Check(Bits(Lanes(L.Mask(p) | L.Mask(q))[0]) == Bits(MaskLane(p || q)), () => $"mask {p} | {q}");
            }
            f.Check(Bits(Lanes(~L.Mask(p))[0]) == Bits(MaskLane(!p)), () => $"~mask {p}");
        }
        f.Throw("bitwise");
    }

    [Fact]
    public void Select_takes_each_lane_from_the_operand_its_mask_picks()
    {
        var random = new Random(10);
        TC[] values = Inputs(11);
        var f = new Failures();
        for (int round = 0; round < 200; round++)
        {
            bool[] picks = Enumerable.Range(0, N).Select(_ => random.Next(2) == 0).ToArray();
            TC[] t = Enumerable.Range(0, N).Select(_ => values[random.Next(values.Length)]).ToArray();
            TC[] e = Enumerable.Range(0, N).Select(_ => values[random.Next(values.Length)]).ToArray();
            TC[] r = Lanes(L.Select(Make(picks.Select(MaskLane).ToArray()), Make(t), Make(e)));
            for (int l = 0; l < N; l++)
            {
                TC expected = picks[l] ? t[l] : e[l];
                f.Check(Bits(r[l]) == Bits(expected), () => $"Select lane {l} ({picks[l]}) = {Show(r[l])}, expected {Show(expected)}");
            }
        }
        // masks made by the struct itself
        TC[] a = Lanes(L.Select(L.LessThan(L.Indices, L.Create(C(N / 2.0))), L.Create(C(1)), L.Create(C(2))));
        for (int l = 0; l < N; l++)
            f.Check(D(a[l]) == (l < N / 2.0 ? 1 : 2), () => $"Select by LessThan(Indices): lane {l} = {Show(a[l])}");
        f.Throw("Select");
    }

    [Fact]
    public void All_holds_only_when_every_lane_is_set()
    {
        Assert.True(L.All(L.AllBitsSet));
        Assert.True(L.All(L.Mask(true)));
        Assert.False(L.All(L.Zero));
        Assert.False(L.All(L.Mask(false)));
        Assert.True(L.All(L.From(0)));
        Assert.True(L.All(L.Equal(L.Indices, L.Indices)));
        for (int l = 0; l < N; l++)
        {
            TC[] lanes = Enumerable.Repeat(True, N).ToArray();
            lanes[l] = TC.Zero;
            Assert.False(L.All(Make(lanes)), $"lane {l} clear");
            Assert.False(L.All(L.From(l + 1)), $"From({l + 1})");
        }
    }

    // ---- across the lanes -----------------------------------------------------------------------------------------

    private static IEnumerable<TC[]> Blocks(bool withNaN)
    {
        var random = new Random(12);
        TC[] values = Inputs(13).Where(x => withNaN || !TC.IsNaN(x)).ToArray();
        for (int round = 0; round < 300; round++)
            yield return Enumerable.Range(0, N).Select(_ => values[random.Next(values.Length)]).ToArray();
        // zeros of both signs; the extremes at every lane
        for (int round = 0; round < 16; round++)
            yield return Enumerable.Range(0, N).Select(_ => random.Next(2) == 0 ? TC.Zero : TC.NegativeZero).ToArray();
        TC[] extremes = withNaN ? new[] { TC.NaN, TC.PositiveInfinity, TC.NegativeInfinity, TC.NegativeZero } : new[] { TC.PositiveInfinity, TC.NegativeInfinity, TC.NegativeZero };
        foreach (TC special in extremes)
        {
            for (int l = 0; l < N; l++)
            {
                TC[] block = Enumerable.Range(0, N).Select(_ => C(random.NextDouble() * 2 - 1)).ToArray();
                block[l] = special;
                yield return block;
            }
        }
    }

    [Fact]
    public void MaxAcross_and_MinAcross_are_chains_of_ieee_max_and_min()
    {
        var f = new Failures();
        foreach (TC[] block in Blocks(withNaN: true))
        {
            TC max = L.MaxAcross(Make(block)), min = L.MinAcross(Make(block));
            TC expectedMax = C(block.Select(D).Aggregate(RefMax)), expectedMin = C(block.Select(D).Aggregate(RefMin));
            f.Check(Same(max, expectedMax), () => $"MaxAcross({string.Join(", ", block.Select(Show))}) = {Show(max)}, expected {Show(expectedMax)}");
            f.Check(Same(min, expectedMin), () => $"MinAcross({string.Join(", ", block.Select(Show))}) = {Show(min)}, expected {Show(expectedMin)}");
        }
        f.Throw("MaxAcross/MinAcross");
    }

    [Fact]
    public void ShiftMaxAcross_is_the_largest_lane()
    {
        var f = new Failures();
        foreach (TC[] block in Blocks(withNaN: false))
        {
            TC max = L.ShiftMaxAcross(Make(block));
            double expected = block.Select(D).Max();
            f.Check(D(max) == expected, () => $"ShiftMaxAcross({string.Join(", ", block.Select(Show))}) = {Show(max)}, expected {expected:R}");
        }
        f.Throw("ShiftMaxAcross");
    }

    [Fact]
    public void Sum_adds_every_lane()
    {
        var random = new Random(14);
        var f = new Failures();
        double eps = IsFloat ? Math.Pow(2, -23) : Math.Pow(2, -52);
        for (int round = 0; round < 300; round++)
        {
            double scale = Math.Pow(10, random.Next(-5, 6));
            TC[] block = Enumerable.Range(0, N).Select(_ => C(scale * (2 * random.NextDouble() - 1))).ToArray();
            double exact = block.Sum(D), magnitude = block.Sum(x => Math.Abs(D(x)));
            TC sum = L.Sum(Make(block));
            f.Check(Math.Abs(D(sum) - exact) <= N * eps * magnitude, () => $"Sum({string.Join(", ", block.Select(Show))}) = {Show(sum)}, expected {exact:R}");
        }
        // a lane alone; the specials at every lane
        for (int l = 0; l < N; l++)
        {
            TC[] one = new TC[N];
            one[l] = C(3.25);
            f.Check(D(L.Sum(Make(one))) == 3.25, () => $"Sum of 3.25 in lane {l} alone");
            foreach ((TC special, TC expected) in new[] { (TC.NaN, TC.NaN), (TC.PositiveInfinity, TC.PositiveInfinity), (TC.NegativeInfinity, TC.NegativeInfinity) })
            {
                TC[] block = Enumerable.Range(0, N).Select(_ => C(random.NextDouble())).ToArray();
                block[l] = special;
                TC sum = L.Sum(Make(block));
                f.Check(Same(sum, expected), () => $"Sum with {Show(special)} in lane {l} = {Show(sum)}");
            }
        }
        if (N > 1)
        {
            TC[] both = Enumerable.Repeat(TC.One, N).ToArray();
            both[0] = TC.PositiveInfinity;
            both[N - 1] = TC.NegativeInfinity;
            f.Check(TC.IsNaN(L.Sum(Make(both))), () => "Sum of +inf and -inf");
        }
        f.Throw("Sum");
    }
}

/// <summary>
/// The row-tile members of <see cref="IRowTileLanes{TSelf}"/> against plain loops: the transpose, the label checks,
/// the labels' elements from the transposed tile and from the rows, the gathers.
/// </summary>
/// <typeparam name="L">The lanes struct.</typeparam>
public abstract class RowTileLanesTests<L> where L : struct, IRowTileLanes<L>
{
    /// <summary>The class axis a tile should take with <paramref name="transposedTensors"/> tensors transposed.</summary>
    protected abstract nint ExpectedMaxTileColumns(int transposedTensors);

    private static int N => L.Count;

    private static float[] Lanes(L v)
    {
        var lanes = new float[N];
        ref float first = ref Unsafe.As<L, float>(ref v);
        for (int i = 0; i < N; i++)
            lanes[i] = Unsafe.Add(ref first, i);
        return lanes;
    }

    private static int MaxColumns => (int)L.MaxTileColumns(1);

    private static float[] Uniform(Random random, int n) => Enumerable.Range(0, n).Select(_ => (float)(200 * random.NextDouble() - 100)).ToArray();

    [Fact]
    public void MaxTileColumns_is_the_measured_widest_axis()
    {
        for (int n = 0; n <= 4; n++)
            Assert.Equal(ExpectedMaxTileColumns(n), L.MaxTileColumns(n));
    }

    [Fact]
    public void RowsToColumns_transposes_the_tile_and_writes_nothing_past_it()
    {
        var random = new Random(20);
        for (int c = 1; c <= MaxColumns; c++)
        {
            // the tile at the start, inside and at the very end of the data
            foreach ((int offset, int after) in new[] { (0, 0), (3, 2 * c + 1), (5, 0) })
            {
                float[] data = Uniform(random, offset + N * c + after);
                var tile = Enumerable.Repeat(float.NaN, c * N + N).ToArray();
                L.RowsToColumns(ref data[offset], c, data.Length - offset, ref tile[0]);
                for (int j = 0; j < c; j++)
                {
                    for (int l = 0; l < N; l++)
                        Assert.True(tile[j * N + l] == data[offset + l * c + j], $"c = {c}, offset {offset}: tile[{j} * {N} + {l}] = {tile[j * N + l]}, row {l} column {j} = {data[offset + l * c + j]}");
                }
                for (int k = c * N; k < tile.Length; k++)
                    Assert.True(float.IsNaN(tile[k]), $"c = {c}: written past the tile at {k}");
            }
        }
    }

    [Fact]
    public void AnyLabelOutOfRange_looks_at_the_tile_s_labels_only()
    {
        var random = new Random(21);
        foreach (int c in new[] { 1, 2, 7, MaxColumns })
        {
            // one label before and after the tile, out of range: never looked at
            int[] labels = new[] { -1 }.Concat(Enumerable.Range(0, N).Select(_ => random.Next(c))).Append(c).ToArray();
            Assert.False(L.AnyLabelOutOfRange(ref labels[0], 1, c), $"c = {c}: in range");
            labels[1] = 0;
            labels[N] = c - 1;
            Assert.False(L.AnyLabelOutOfRange(ref labels[0], 1, c), $"c = {c}: the ends of the range");
            for (int l = 0; l < N; l++)
            {
                foreach (int bad in new[] { c, c + 1, -1, int.MinValue, int.MaxValue })
                {
                    int keep = labels[1 + l];
                    labels[1 + l] = bad;
                    Assert.True(L.AnyLabelOutOfRange(ref labels[0], 1, c), $"c = {c}: label {bad} in lane {l}");
                    labels[1 + l] = keep;
                }
            }
        }
    }

    [Fact]
    public void Labels_converts_the_tile_s_labels()
    {
        int[] labels = Enumerable.Range(0, N + 3).Select(i => i * 37 - 5).ToArray();
        float[] r = Lanes(L.Labels(ref labels[0], 3));
        for (int l = 0; l < N; l++)
            Assert.Equal((float)labels[3 + l], r[l]);
    }

    [Fact]
    public void AtLabels_GatherAtLabels_and_GatherColumn_pick_each_row_s_element()
    {
        var random = new Random(22);
        for (int c = 1; c <= MaxColumns; c++)
        {
            const int offset = 2;
            float[] data = Uniform(random, offset + N * c + 3);
            // the column-major copy worked here, independent of RowsToColumns
            var columns = new float[c * N];
            for (int l = 0; l < N; l++)
            {
                for (int j = 0; j < c; j++)
                    columns[j * N + l] = data[offset + l * c + j];
            }
            for (int round = 0; round < 4; round++)
            {
                int[] labels = Enumerable.Range(0, N + 1).Select(_ => random.Next(c)).ToArray();
                if (round == 1) labels = labels.Select(_ => c - 1).ToArray();
                if (round == 2) labels = labels.Select(_ => 0).ToArray();
                float[] at = Lanes(L.AtLabels(ref columns[0], ref data[offset], ref labels[0], 1, c));
                float[] gathered = Lanes(L.GatherAtLabels(ref data[offset], ref labels[0], 1, c));
                for (int l = 0; l < N; l++)
                {
                    float expected = data[offset + l * c + labels[1 + l]];
                    Assert.True(at[l] == expected, $"AtLabels, c = {c}: lane {l} (label {labels[1 + l]}) = {at[l]}, expected {expected}");
                    Assert.True(gathered[l] == expected, $"GatherAtLabels, c = {c}: lane {l} (label {labels[1 + l]}) = {gathered[l]}, expected {expected}");
                }
            }
            for (int j = 0; j < c; j++)
            {
                float[] column = Lanes(L.GatherColumn(ref data[offset + j], c));
                for (int l = 0; l < N; l++)
                    Assert.True(column[l] == data[offset + l * c + j], $"GatherColumn, c = {c}, column {j}: lane {l} = {column[l]}");
            }
        }
    }
}

[Trait("Category", "Kernels")]
public sealed class Float512LanesTests : LanesTests<Float512, float, float>
{
    protected override int ExpectedCount => 16;
    protected override bool ExpectedAccelerated => Vector512.IsHardwareAccelerated;
    protected override bool SigmoidOverflows => true;
}

[Trait("Category", "Kernels")]
public sealed class Float256LanesTests : LanesTests<Float256, float, float>
{
    protected override int ExpectedCount => 8;
    protected override bool ExpectedAccelerated => Vector256.IsHardwareAccelerated;
    protected override bool SigmoidOverflows => true;
}

[Trait("Category", "Kernels")]
public sealed class Float128LanesTests : LanesTests<Float128, float, float>
{
    protected override int ExpectedCount => 4;
    protected override bool ExpectedAccelerated => Vector128.IsHardwareAccelerated;
    protected override bool SigmoidOverflows => true;
}

[Trait("Category", "Kernels")]
public sealed class FloatScalarLanesTests : LanesTests<FloatScalar, float, float>
{
    protected override int ExpectedCount => 1;
    protected override bool ExpectedAccelerated => true;
    protected override bool SigmoidOverflows => false;

    [Fact]
    public void Select_takes_whenTrue_for_any_set_bit_and_whenFalse_for_zero_bits()
    {
        var t = new FloatScalar(1f);
        var e = new FloatScalar(2f);
        Assert.Equal(1f, FloatScalar.Select(new FloatScalar(BitConverter.Int32BitsToSingle(1)), t, e).Value);
        Assert.Equal(1f, FloatScalar.Select(new FloatScalar(-0f), t, e).Value);
        Assert.Equal(2f, FloatScalar.Select(new FloatScalar(0f), t, e).Value);
    }
}

[Trait("Category", "Kernels")]
public sealed class HalfScalarLanesTests : LanesTests<HalfScalar, Half, float>
{
    protected override int ExpectedCount => 1;
    protected override bool ExpectedAccelerated => true;
    protected override bool SigmoidOverflows => false;

    protected override Half Round(float x) => NearestHalf(x);

    /// <summary>The value of a half-precision bit pattern, decoded by hand: sign, five exponent bits, ten mantissa bits.</summary>
    private static double Decode(ushort bits)
    {
        int exponent = (bits >> 10) & 0x1F, mantissa = bits & 0x3FF;
        double sign = (bits & 0x8000) != 0 ? -1 : 1;
        if (exponent == 0x1F)
            return mantissa == 0 ? sign * double.PositiveInfinity : double.NaN;
        return sign * (exponent == 0 ? mantissa * Math.Pow(2, -24) : (1024 + mantissa) * Math.Pow(2, exponent - 25));
    }

    /// <summary>Every finite non-negative half, in order (bit patterns 0x0000 to 0x7BFF).</summary>
    private static readonly double[] Positives = Enumerable.Range(0, 0x7C00).Select(b => Decode((ushort)b)).ToArray();

    /// <summary>The half nearest <paramref name="x"/>, ties to the even pattern, past the largest half's half-ulp to infinity.</summary>
    private static Half NearestHalf(double x)
    {
        if (double.IsNaN(x))
            return Half.NaN;
        ushort sign = (ushort)(double.IsNegative(x) ? 0x8000 : 0);
        double a = Math.Abs(x);
        ushort bits;
        if (a >= 65520)
        {
            bits = 0x7C00;
        }
        else if (a > 65504)
        {
            bits = 0x7BFF;
        }
        else
        {
            int i = Array.BinarySearch(Positives, a);
            if (i >= 0)
            {
                bits = (ushort)i;
            }
            else
            {
                int above = ~i, below = above - 1;
                double down = a - Positives[below], up = Positives[above] - a;
                bits = (ushort)(down < up ? below : up < down ? above : (below % 2 == 0 ? below : above));
            }
        }
        return BitConverter.UInt16BitsToHalf((ushort)(bits | sign));
    }

    [Fact]
    public void Load_and_Read_widen_every_half_exactly()
    {
        Half[] all = Enumerable.Range(0, 0x10000).Select(b => BitConverter.UInt16BitsToHalf((ushort)b)).ToArray();
        for (int b = 0; b < all.Length; b++)
        {
            double expected = Decode((ushort)b);
            float read = HalfScalar.Read(ref all[0], b), load = HalfScalar.Load(ref all[0], b).Value;
            Assert.True(double.IsNaN(expected) ? float.IsNaN(read) && float.IsNaN(load) : read == expected && load == expected && float.IsNegative(read) == ((b & 0x8000) != 0),
                $"0x{b:X4}: Read {read:R}, Load {load:R}, expected {expected:R}");
        }
    }

    [Fact]
    public void Store_and_Write_round_once_to_the_nearest_half()
    {
        // every midpoint between neighbouring halves (a tie: to the even one) and the floats on either side of it,
        // the overflow threshold, the subnormals and below them, and seeded floats of every magnitude
        var values = new List<float>();
        for (int i = 0; i + 1 < Positives.Length; i++)
        {
            float mid = (float)((Positives[i] + Positives[i + 1]) / 2);
            values.AddRange(new[] { mid, MathF.BitIncrement(mid), MathF.BitDecrement(mid) });
        }
        values.AddRange(new[] { 65504f, 65519.996f, 65520f, 65536f, 1e10f, float.MaxValue, float.PositiveInfinity, float.NaN, 0f, 2.9802322e-8f, 2.9802326e-8f, 1e-30f, float.Epsilon, 5.9604645e-8f, 8.940697e-8f });
        var random = new Random(23);
        for (int i = 0; i < 20000; i++)
            values.Add((float)(Math.Pow(2, random.Next(-30, 18)) * random.NextDouble()));
        values.AddRange(values.Select(v => -v).ToArray());

        var destination = new Half[3];
        foreach (float v in values)
        {
            Half expected = NearestHalf(v);
            destination[1] = Half.MaxValue;
            HalfScalar.Store(new HalfScalar(v), ref destination[0], 1);
            Half stored = destination[1];
            HalfScalar.Write(v, ref destination[0], 2);
            Half written = destination[2];
            Assert.True(SameStored(stored, expected) && SameStored(written, expected),
                $"{v:R} (0x{BitConverter.SingleToInt32Bits(v):X8}): stored 0x{BitConverter.HalfToUInt16Bits(stored):X4}, written 0x{BitConverter.HalfToUInt16Bits(written):X4}, nearest 0x{BitConverter.HalfToUInt16Bits(expected):X4}");
        }
    }
}

/// <summary>
/// The ulp bounds of the double vector lanes, whose exponential and logarithm are the BCL's <c>Vector*.Exp</c> and
/// <c>Vector*.Log</c>: measured against <see cref="Math.Exp"/> and <see cref="Math.Log"/> over two million seeded values,
/// exp within 2 ulp and log within 3, Goldberg's log1p on top of the log within 3, the softplus tail within 5.
/// </summary>
internal static class DoubleVectorBounds
{
    public const int ExpLog = 3;
    public const int Log1p = 5;
}

[Trait("Category", "Kernels")]
public sealed class Double512LanesTests : LanesTests<Double512, double, double>
{
    protected override int ExpectedCount => 8;
    protected override bool ExpectedAccelerated => Vector512.IsHardwareAccelerated;
    protected override bool SigmoidOverflows => true;
    protected override int ExpLogUlp => DoubleVectorBounds.ExpLog;
    protected override int Log1pUlp => DoubleVectorBounds.Log1p;
}

[Trait("Category", "Kernels")]
public sealed class Double256LanesTests : LanesTests<Double256, double, double>
{
    protected override int ExpectedCount => 4;
    protected override bool ExpectedAccelerated => Vector256.IsHardwareAccelerated;
    protected override bool SigmoidOverflows => true;
    protected override int ExpLogUlp => DoubleVectorBounds.ExpLog;
    protected override int Log1pUlp => DoubleVectorBounds.Log1p;
}

[Trait("Category", "Kernels")]
public sealed class Double128LanesTests : LanesTests<Double128, double, double>
{
    protected override int ExpectedCount => 2;
    protected override bool ExpectedAccelerated => Vector128.IsHardwareAccelerated;
    protected override bool SigmoidOverflows => true;
    protected override int ExpLogUlp => DoubleVectorBounds.ExpLog;
    protected override int Log1pUlp => DoubleVectorBounds.Log1p;
}

[Trait("Category", "Kernels")]
public sealed class DoubleScalarLanesTests : LanesTests<DoubleScalar, double, double>
{
    protected override int ExpectedCount => 1;
    protected override bool ExpectedAccelerated => true;
    protected override bool SigmoidOverflows => false;
}

[Trait("Category", "Kernels")]
public sealed class Float512RowTileLanesTests : RowTileLanesTests<Float512>
{
    protected override nint ExpectedMaxTileColumns(int transposedTensors) => 15;
}

[Trait("Category", "Kernels")]
public sealed class Float256RowTileLanesTests : RowTileLanesTests<Float256>
{
    protected override nint ExpectedMaxTileColumns(int transposedTensors) => transposedTensors switch { 0 or 1 => 128, 2 => 64, 3 => 42, _ => 32 };
}
