using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DslLosses.Kernels;

/// <summary>
/// The lane algorithms that are the same at every width, written once over <see cref="ILanes{TSelf, TStore, TCompute}"/>
/// and specialised by the JIT per lanes type: Goldberg's log1p and the softplus of the double lanes, and the functions
/// without a vector form (pow, tanh, sinh), lane by lane.
/// </summary>
internal static class LaneMath
{
    /// <summary>
    /// <c>log(1 + x)</c> per lane, accurate for tiny <paramref name="x"/> (Goldberg: <c>log(u) * x / (u - 1)</c> with
    /// <c>u = 1 + x</c> rounded; <c>u - 1 = 0</c> gives <paramref name="x"/> itself, <c>u = +inf</c> gives +inf).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static L Log1p<L>(L x) where L : struct, ILanes<L, double, double>
    {
        L one = L.Create(1.0);
        L u = one + x;
        L d = u - one;
        L general = L.Select(L.Equal(u, L.Create(double.PositiveInfinity)), u, L.Log(u) * (x / d));
        return L.Select(L.Equal(d, L.Zero), x, general);
    }

    /// <summary><c>ln(1 + e^x)</c> as <c>max(x, 0) + log1p(e^-|x|)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static L Softplus<L>(L x) where L : struct, ILanes<L, double, double>
        => L.AtLeast(x, L.Zero) + Log1p(L.Exp(-L.Abs(x)));

    /// <summary><c>softplus(x) - y</c> in TensorFlow's order, <c>(max(x, 0) - y) + log1p(e^-|x|)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static L SoftplusMinus<L>(L x, L y) where L : struct, ILanes<L, double, double>
        => (L.AtLeast(x, L.Zero) - y) + Log1p(L.Exp(-L.Abs(x)));

    /// <summary><c>x^y</c> per lane, exactly as <see cref="Math.Pow(double, double)"/> (<see cref="MathF.Pow(float, float)"/> for float).</summary>
    public static L Pow<L, T>(L x, L y) where L : struct, ILanes<L, T, T> where T : unmanaged
        => PerLane<L, T, PowOf>(x, y);

    /// <summary><c>tanh x</c> per lane, as <see cref="LossMath.Tanh(double)"/> (<see cref="LossMath.Tanh(float)"/>: in double, rounded once).</summary>
    public static L Tanh<L, T>(L x) where L : struct, ILanes<L, T, T> where T : unmanaged
        => PerLane<L, T, TanhOf>(x, x);

    /// <summary><c>sinh x</c> per lane, as <see cref="LossMath.Sinh(double)"/> (<see cref="LossMath.Sinh(float)"/>: in double, rounded once).</summary>
    public static L Sinh<L, T>(L x) where L : struct, ILanes<L, T, T> where T : unmanaged
        => PerLane<L, T, SinhOf>(x, x);

    /// <summary>
    /// Lane <c>l</c>: <typeparamref name="F"/> of lane <c>l</c> of <paramref name="x"/> and of <paramref name="y"/>
    /// (<typeparamref name="T"/> is float or double; the JIT keeps the one branch).
    /// </summary>
    private static L PerLane<L, T, F>(L x, L y) where L : struct, ILanes<L, T, T> where T : unmanaged where F : IScalarFunction
    {
        Span<T> a = stackalloc T[L.Count];
        Span<T> b = stackalloc T[L.Count];
        L.Store(x, ref MemoryMarshal.GetReference(a), 0);
        L.Store(y, ref MemoryMarshal.GetReference(b), 0);
        for (int l = 0; l < a.Length; l++)
        {
            if (typeof(T) == typeof(float))
                Unsafe.As<T, float>(ref a[l]) = F.Apply(Unsafe.As<T, float>(ref a[l]), Unsafe.As<T, float>(ref b[l]));
            else
                Unsafe.As<T, double>(ref a[l]) = F.Apply(Unsafe.As<T, double>(ref a[l]), Unsafe.As<T, double>(ref b[l]));
        }
        return L.Load(ref MemoryMarshal.GetReference(a), 0);
    }

    /// <summary>A function of one lane (its second operand unused) or of two, in float and in double.</summary>
    private interface IScalarFunction
    {
        static abstract float Apply(float x, float y);

        static abstract double Apply(double x, double y);
    }

    private readonly struct PowOf : IScalarFunction
    {
        public static float Apply(float x, float y) => MathF.Pow(x, y);

        public static double Apply(double x, double y) => Math.Pow(x, y);
    }

    private readonly struct TanhOf : IScalarFunction
    {
        public static float Apply(float x, float unused) => LossMath.Tanh(x);

        public static double Apply(double x, double unused) => LossMath.Tanh(x);
    }

    private readonly struct SinhOf : IScalarFunction
    {
        public static float Apply(float x, float unused) => LossMath.Sinh(x);

        public static double Apply(double x, double unused) => LossMath.Sinh(x);
    }
}
