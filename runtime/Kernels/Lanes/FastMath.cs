using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace DslLosses.Kernels;

/// <summary>
/// The inlined single-precision <c>exp</c>, <c>log</c> and <c>log1p</c> of the float lanes (<see cref="Float512"/>,
/// <see cref="Float256"/>, <see cref="Float128"/>, and <see cref="LossMath.Log(float)"/> for one float): the BCL's vector
/// <c>Exp</c>/<c>Log</c> are calls that cost about as much as reading the data. Each algorithm is written once, over the
/// width-specific operations of <typeparamref name="L"/>, and specialised by the JIT per width.
/// </summary>
/// <remarks>
/// Accuracy (tested over a sweep of every 2^k-th float bit pattern and the edges): <c>Exp</c> within 1 ulp of the
/// correctly rounded result, subnormal results included; <c>Log</c> within 1 ulp, subnormal inputs included;
/// <c>Log1p</c> within 2 ulp, tiny inputs included. Special
/// values as IEEE 754: <c>exp(NaN) = NaN</c>, <c>exp(+inf) = +inf</c>, <c>exp(-inf) = 0</c>, overflow to +inf, underflow
/// to 0; <c>log(NaN) = NaN</c>, <c>log(+inf) = +inf</c>, <c>log(±0) = -inf</c>, <c>log(x &lt; 0) = NaN</c>.
/// </remarks>
/// <typeparam name="L">The width's operations (<see cref="FloatBits512"/>, <see cref="FloatBits256"/>, <see cref="FloatBits128"/>).</typeparam>
/// <typeparam name="TF">The float vector of that width.</typeparam>
/// <typeparam name="TI">The int vector of that width.</typeparam>
internal static class FastMath<L, TF, TI> where L : struct, IFloatBits<TF, TI>
{
    /// <summary>
    /// Cody–Waite reduction <c>x = n ln2 + r</c>, |r| ≤ ln2/2, a degree-7 polynomial for <c>e^r</c> (Cephes <c>expf</c>)
    /// evaluated with fused multiply-adds, and the scale <c>2^n</c>: one <c>vscalefps</c> where AVX-512 has it (exact
    /// scaling, one rounding, overflow and subnormal results by the hardware), else applied in two halves so that
    /// results near overflow and subnormal results are formed without an intermediate overflow and rounded once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Exp(TF x)
    {
        // |x| <= 87 in every lane (NaN compares false and flows through the polynomial): 2^n is a normal float, formed
        // from n's bits in two integer operations, with no clamp. Only where vscalefps is missing; rare lanes beyond go
        // the two-step way.
        if (ScalesDirectly(x))
            return ExpInRange(x);
        // the clamp keeps NaN, and NaN then flows through the polynomial into the result
        return ExpCore(L.AtMost(L.AtLeast(x, -104f), 89f));
    }

    /// <summary>The bound below which <see cref="ExpInRange"/> applies: |x ln2| ≤ 125.6, so |n| ≤ 126.</summary>
    private const float InRange = 87f;

    /// <summary>Whether <see cref="ExpInRange"/> takes every lane of <c>±x</c>: no vscalefps here and no |x| above <see cref="InRange"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ScalesDirectly(TF x)
        => !L.HasScale && !L.AnyAbove(L.Abs(x), InRange);

    /// <summary>
    /// <c>e^x</c> for |x| ≤ 87 (or NaN): the polynomial of <see cref="ExpCore"/>, scaled by <c>2^n</c> built directly
    /// in the exponent field (<c>t</c>'s low bits hold <c>n</c>, so <c>t &lt;&lt; 23</c> is <c>n &lt;&lt; 23</c>), one rounding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TF ExpInRange(TF x)
    {
        TF t = L.Fma(x, L.Splat(1.44269504088896341f), L.Splat(Magic));
        TF p = ExpPolynomial(x, L.Sub(t, L.Splat(Magic)));
        TF scale = L.AsFloat(L.AddI(L.ShiftLeftI(L.AsInt(t), 23), L.SplatI(0x3f800000)));
        return L.Mul(p, scale);
    }

    /// <summary>1.5 * 2^23: adding it rounds to an integer held in the low mantissa bits.</summary>
    private const float Magic = 12582912f;

    /// <summary><c>e^r</c> for <c>r = x - n ln2</c> (Cody–Waite, in two parts), |r| ≤ ln2/2: Cephes <c>expf</c>'s polynomial.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TF ExpPolynomial(TF x, TF nf)
    {
        TF r = L.Fma(nf, L.Splat(2.12194440e-4f), L.Fma(nf, L.Splat(-0.693359375f), x));
        // Estrin's scheme: three independent pairs, then two steps, instead of a chain of five fused multiply-adds
        // (the exponential is latency-bound where its chain fills the out-of-order window)
        TF r2 = L.Mul(r, r);
        TF p01 = L.Fma(L.Splat(1.6666665459e-1f), r, L.Splat(5.0000001201e-1f));
        TF p23 = L.Fma(L.Splat(8.3334519073e-3f), r, L.Splat(4.1665795894e-2f));
        TF p45 = L.Fma(L.Splat(1.9875691500e-4f), r, L.Splat(1.3981999507e-3f));
        TF r4 = L.Mul(r2, r2);
        TF p = L.Fma(p45, r4, L.Fma(p23, r2, p01));
        return L.Add(L.Fma(p, r2, r), L.Splat(1f));
    }

    /// <summary><c>e^x</c> for <paramref name="xc"/> already clamped to [-104, 89] (NaN gives NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TF ExpCore(TF xc)
    {
        TF t = L.Fma(xc, L.Splat(1.44269504088896341f), L.Splat(Magic));
        TF nf = L.Sub(t, L.Splat(Magic));
        TF p = ExpPolynomial(xc, nf);
        TF result;
        if (L.HasScale)
        {
            result = L.Scale(p, nf);
        }
        else
        {
            TI n = L.SubI(L.AsInt(t), L.AsInt(L.Splat(Magic)));
            TI half = L.ShiftRightI(n, 1);
            TF s1 = L.AsFloat(L.ShiftLeftI(L.AddI(half, L.SplatI(127)), 23));
            TF s2 = L.AsFloat(L.ShiftLeftI(L.AddI(L.SubI(n, half), L.SplatI(127)), 23));
            result = L.Mul(L.Mul(p, s1), s2);
        }
        return result;
    }

    /// <summary>
    /// <c>x = 2^k m</c> with <c>m</c> in [√½, √2) (subnormals scaled by 2^23 first), <c>f = m - 1</c>,
    /// <c>s = f / (2 + f)</c> and musl's <c>logf</c> polynomial in <c>s²</c>, <c>k ln2</c> added in two parts.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Log(TF x)
    {
        TF tiny = L.LessThan(x, L.Splat(1.17549435e-38f)); // below the smallest normal (zero and negatives too)
        TF xs = L.Select(tiny, L.Mul(x, L.Splat(8388608f)), x);
        TF result = LogCore(xs, L.Select(tiny, L.Splat(23f), L.Splat(0f)));
        result = L.Select(L.Equals(x, L.Splat(float.PositiveInfinity)), x, result);
        result = L.Select(L.Equals(x, L.Splat(0f)), L.Splat(float.NegativeInfinity), result);
        result = L.Select(L.LessThan(x, L.Splat(0f)), L.Splat(float.NaN), result);
        return L.Select(L.IsNaN(x), x, result);
    }

    /// <summary>The logarithm of a positive normal finite <paramref name="x"/>, NaN passed through.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF LogPositive(TF x)
        => L.Select(L.IsNaN(x), x, LogCore(x, L.Splat(0f)));

    /// <summary>
    /// The logarithm of a positive normal finite <paramref name="xs"/> (no special values), less
    /// <paramref name="kAdjust"/> ln2 (the scaling of a subnormal input).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TF LogCore(TF xs, TF kAdjust)
    {
        TI ix = L.AddI(L.AsInt(xs), L.SplatI(0x3f800000 - 0x3f3504f3));
        TI k = L.SubI(L.ShiftRightI(ix, 23), L.SplatI(0x7f));
        TF kf = L.Sub(L.ToFloat(k), kAdjust);
        TF m = L.AsFloat(L.AddI(L.AndI(ix, L.SplatI(0x007fffff)), L.SplatI(0x3f3504f3)));
        TF f = L.Sub(m, L.Splat(1f));
        TF s = L.Div(f, L.Add(L.Splat(2f), f));
        TF z = L.Mul(s, s);
        TF w = L.Mul(z, z);
        TF t1 = L.Mul(w, L.Fma(w, L.Splat(0.24279078841f), L.Splat(0.40000972152f)));
        TF t2 = L.Mul(z, L.Fma(w, L.Splat(0.28498786688f), L.Splat(0.66666662693f)));
        TF hfsq = L.Mul(L.Mul(L.Splat(0.5f), f), f);
        return L.Fma(kf, L.Splat(6.9313812256e-01f),
            L.Add(L.Sub(L.Fma(s, L.Add(hfsq, L.Add(t2, t1)), L.Mul(kf, L.Splat(9.0580006145e-06f))), hfsq), f));
    }

    /// <summary>
    /// <c>log(1 + e^-|x|)</c>, the tail of the softplus and of the sigmoid cross-entropy in TensorFlow's order, fused:
    /// <c>e = e^-|x|</c> is in [0, 1], so neither the exponential nor the logarithm of <c>u = 1 + e</c> (in [1, 2]) meets a
    /// special value, and the rounding of <c>u</c> is corrected by <c>c / u</c> with <c>c = e - (u - 1)</c> exact. About
    /// two thirds of the work of <c>Log1p(Exp(-Abs(x)))</c>; NaN stays NaN, ±inf gives 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Log1pExpNegAbs(TF x)
    {
        // NaN passes the clamp and the exponential; the logarithm of its bits is some finite number, but c / u is NaN
        TF negAbs = L.Or(x, L.Splat(-0f));
        TF e = ScalesDirectly(x) ? ExpInRange(negAbs) : ExpCore(L.AtLeast(negAbs, -104f));
        TF u = L.Add(L.Splat(1f), e);
        TF c = L.Sub(e, L.Sub(u, L.Splat(1f)));
        return L.Add(LogCore(u, L.Splat(0f)), L.Div(c, u));
    }

    /// <summary>
    /// Goldberg's <c>log1p(x) = log(u) * x / (u - 1)</c> with <c>u = 1 + x</c> rounded: the ratio corrects the rounding
    /// of <c>u</c>. <c>d = u - 1</c> is exact, and so is <c>x - d</c> where it matters (|x| ≤ 1), so the ratio is formed
    /// as <c>1 + (x - d) / d</c> and the product is one fused multiply-add. <c>d = 0</c> gives <c>x</c> itself. Within 2 ulp over the tested sweep.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Log1p(TF x)
    {
        TF u = L.Add(L.Splat(1f), x);
        TF d = L.Sub(u, L.Splat(1f));
        TF logU = Log(u);
        TF general = L.Fma(logU, L.Div(L.Sub(x, d), d), logU);
        // the infinite logarithms (u = +inf, u = 0) are returned as they are: the correction would turn them into NaN
        general = L.Select(L.Equals(u, L.Splat(float.PositiveInfinity)), u, general);
        general = L.Select(L.Equals(u, L.Splat(0f)), L.Splat(float.NegativeInfinity), general);
        return L.Select(L.Equals(d, L.Splat(0f)), x, general);
    }
}

/// <summary>
/// The width-specific operations <see cref="FastMath{L, TF, TI}"/> is written over: float lanes <typeparamref name="TF"/> and their
/// bits as integer lanes <typeparamref name="TI"/> of the same width.
/// </summary>
/// <typeparam name="TF">The float vector.</typeparam>
/// <typeparam name="TI">The int vector of the same width.</typeparam>
internal interface IFloatBits<TF, TI>
{
    static abstract TF Splat(float value);
    static abstract TI SplatI(int value);
    static abstract TF Add(TF a, TF b);
    static abstract TF Sub(TF a, TF b);
    static abstract TF Mul(TF a, TF b);
    static abstract TF Div(TF a, TF b);
    static abstract TF Min(TF a, TF b);
    static abstract TF Max(TF a, TF b);
    /// <summary><c>max(x, lo)</c> in one instruction, NaN kept (x86's max returns its second operand when either is NaN).</summary>
    static abstract TF AtLeast(TF x, float lo);
    /// <summary><c>min(x, hi)</c> in one instruction, NaN kept.</summary>
    static abstract TF AtMost(TF x, float hi);
    /// <summary><c>a * b + c</c>, rounded once where the hardware fuses it, else rounded twice (never emulated in software).</summary>
    static abstract TF Fma(TF a, TF b, TF c);
    /// <summary>Whether <see cref="Scale"/> is one hardware instruction here.</summary>
    static abstract bool HasScale { get; }
    /// <summary><c>a * 2^n</c> for integral <paramref name="n"/>, rounded once (only when <see cref="HasScale"/>).</summary>
    static abstract TF Scale(TF a, TF n);
    static abstract TF LessThan(TF a, TF b);
    static abstract TF Equals(TF a, TF b);
    static abstract TF IsNaN(TF a);
    static abstract TF Select(TF mask, TF whenTrue, TF whenFalse);
    static abstract TF Or(TF a, TF b);
    static abstract TF Abs(TF a);
    /// <summary>Whether any lane of <paramref name="a"/> is above <paramref name="limit"/> (NaN is not).</summary>
    static abstract bool AnyAbove(TF a, float limit);
    static abstract TI AsInt(TF a);
    static abstract TF AsFloat(TI a);
    static abstract TF ToFloat(TI a);
    static abstract TI AddI(TI a, TI b);
    static abstract TI SubI(TI a, TI b);
    static abstract TI AndI(TI a, TI b);
    static abstract TI ShiftLeftI(TI a, int count);
    static abstract TI ShiftRightI(TI a, int count);
}

/// <summary>The operations of <see cref="IFloatBits{TF, TI}"/> on <see cref="Vector512{T}"/>.</summary>
internal readonly struct FloatBits512 : IFloatBits<Vector512<float>, Vector512<int>>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Splat(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> SplatI(int value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sub(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Mul(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Div(Vector512<float> a, Vector512<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Vector512.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    // Float512.AtLeast and AtMost on the bare vector: through the lanes struct, each clamp leaves three more temporaries in
    // the caller's loop, and the exponential of a large kernel then no longer gets its constants hoisted (benchmarks/README.md)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> AtLeast(Vector512<float> x, float lo) => Avx512F.IsSupported ? Avx512F.Max(Vector512.Create(lo), x) : Vector512.Max(x, Vector512.Create(lo));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> AtMost(Vector512<float> x, float hi) => Avx512F.IsSupported ? Avx512F.Min(Vector512.Create(hi), x) : Vector512.Min(x, Vector512.Create(hi));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Avx512F.IsSupported ? Vector512.FusedMultiplyAdd(a, b, c) : a * b + c;
    public static bool HasScale => Avx512F.IsSupported;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Scale(Vector512<float> a, Vector512<float> n) => Avx512F.Scale(a, n);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Equals(Vector512<float> a, Vector512<float> b) => Vector512.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> IsNaN(Vector512<float> a) => Vector512.IsNaN(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Select(Vector512<float> m, Vector512<float> t, Vector512<float> f) => Vector512.ConditionalSelect(m, t, f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Or(Vector512<float> a, Vector512<float> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Abs(Vector512<float> a) => Vector512.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyAbove(Vector512<float> a, float limit) => Vector512.GreaterThanAny(a, Vector512.Create(limit));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> AsInt(Vector512<float> a) => a.AsInt32();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> AsFloat(Vector512<int> a) => a.AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ToFloat(Vector512<int> a) => Vector512.ConvertToSingle(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> AddI(Vector512<int> a, Vector512<int> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> SubI(Vector512<int> a, Vector512<int> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> AndI(Vector512<int> a, Vector512<int> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> ShiftLeftI(Vector512<int> a, int count) => Vector512.ShiftLeft(a, count);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> ShiftRightI(Vector512<int> a, int count) => Vector512.ShiftRightArithmetic(a, count);
}

/// <summary>The operations of <see cref="IFloatBits{TF, TI}"/> on <see cref="Vector256{T}"/>.</summary>
internal readonly struct FloatBits256 : IFloatBits<Vector256<float>, Vector256<int>>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Splat(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> SplatI(int value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sub(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Mul(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Div(Vector256<float> a, Vector256<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Min(Vector256<float> a, Vector256<float> b) => Vector256.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    // Float256.AtLeast and AtMost on the bare vector: through the lanes struct, each clamp leaves three more temporaries in
    // the caller's loop, and the exponential of a large kernel then no longer gets its constants hoisted (benchmarks/README.md)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> AtLeast(Vector256<float> x, float lo) => Avx.IsSupported ? Avx.Max(Vector256.Create(lo), x) : Vector256.Max(x, Vector256.Create(lo));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> AtMost(Vector256<float> x, float hi) => Avx.IsSupported ? Avx.Min(Vector256.Create(hi), x) : Vector256.Min(x, Vector256.Create(hi));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => System.Runtime.Intrinsics.X86.Fma.IsSupported || AdvSimd.IsSupported ? Vector256.FusedMultiplyAdd(a, b, c) : a * b + c;
    public static bool HasScale => Avx512F.VL.IsSupported;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Scale(Vector256<float> a, Vector256<float> n) => Avx512F.VL.Scale(a, n);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LessThan(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Equals(Vector256<float> a, Vector256<float> b) => Vector256.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> IsNaN(Vector256<float> a) => Vector256.IsNaN(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Select(Vector256<float> m, Vector256<float> t, Vector256<float> f) => Vector256.ConditionalSelect(m, t, f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Or(Vector256<float> a, Vector256<float> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Abs(Vector256<float> a) => Vector256.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyAbove(Vector256<float> a, float limit) => Vector256.GreaterThanAny(a, Vector256.Create(limit));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> AsInt(Vector256<float> a) => a.AsInt32();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> AsFloat(Vector256<int> a) => a.AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ToFloat(Vector256<int> a) => Vector256.ConvertToSingle(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> AddI(Vector256<int> a, Vector256<int> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> SubI(Vector256<int> a, Vector256<int> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> AndI(Vector256<int> a, Vector256<int> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> ShiftLeftI(Vector256<int> a, int count) => Vector256.ShiftLeft(a, count);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> ShiftRightI(Vector256<int> a, int count) => Vector256.ShiftRightArithmetic(a, count);
}

/// <summary>The operations of <see cref="IFloatBits{TF, TI}"/> on <see cref="Vector128{T}"/>.</summary>
internal readonly struct FloatBits128 : IFloatBits<Vector128<float>, Vector128<int>>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Splat(float value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> SplatI(int value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sub(Vector128<float> a, Vector128<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Mul(Vector128<float> a, Vector128<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Div(Vector128<float> a, Vector128<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Min(Vector128<float> a, Vector128<float> b) => Vector128.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);
    // Float128.AtLeast and AtMost on the bare vector: through the lanes struct, each clamp leaves three more temporaries in
    // the caller's loop, and the exponential of a large kernel then no longer gets its constants hoisted (benchmarks/README.md)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> AtLeast(Vector128<float> x, float lo) => Sse.IsSupported ? Sse.Max(Vector128.Create(lo), x) : Vector128.Max(x, Vector128.Create(lo));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> AtMost(Vector128<float> x, float hi) => Sse.IsSupported ? Sse.Min(Vector128.Create(hi), x) : Vector128.Min(x, Vector128.Create(hi));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Fma(Vector128<float> a, Vector128<float> b, Vector128<float> c) => System.Runtime.Intrinsics.X86.Fma.IsSupported || AdvSimd.IsSupported ? Vector128.FusedMultiplyAdd(a, b, c) : a * b + c;
    public static bool HasScale => Avx512F.VL.IsSupported;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Scale(Vector128<float> a, Vector128<float> n) => Avx512F.VL.Scale(a, n);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LessThan(Vector128<float> a, Vector128<float> b) => Vector128.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Equals(Vector128<float> a, Vector128<float> b) => Vector128.Equals(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> IsNaN(Vector128<float> a) => Vector128.IsNaN(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Select(Vector128<float> m, Vector128<float> t, Vector128<float> f) => Vector128.ConditionalSelect(m, t, f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Or(Vector128<float> a, Vector128<float> b) => a | b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Abs(Vector128<float> a) => Vector128.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyAbove(Vector128<float> a, float limit) => Vector128.GreaterThanAny(a, Vector128.Create(limit));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> AsInt(Vector128<float> a) => a.AsInt32();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> AsFloat(Vector128<int> a) => a.AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ToFloat(Vector128<int> a) => Vector128.ConvertToSingle(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> AddI(Vector128<int> a, Vector128<int> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> SubI(Vector128<int> a, Vector128<int> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> AndI(Vector128<int> a, Vector128<int> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> ShiftLeftI(Vector128<int> a, int count) => Vector128.ShiftLeft(a, count);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> ShiftRightI(Vector128<int> a, int count) => Vector128.ShiftRightArithmetic(a, count);
}
