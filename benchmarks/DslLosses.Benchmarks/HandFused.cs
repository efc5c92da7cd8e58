using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DslLosses.Benchmarks;

/// <summary>
/// Hand-written single-pass kernels of the elementwise Keras losses with the BCL's own vector <c>Log</c>/<c>Exp</c>, at
/// the widest width the hardware accelerates (Vector512, else Vector256): what a programmer who writes the loop by hand
/// gets. No shape checks, no views, no reduction choice: the floor the public API's fixed costs are measured against.
/// </summary>
public static class HandFused
{
    /// <summary>The Keras default reduction (<c>SumOverBatchSize</c>) of <paramref name="loss"/>, or NaN for a row loss.</summary>
    public static float Compute(Loss loss, Inputs d)
        => Vector512.IsHardwareAccelerated ? Compute<W512>(loss, d) : Compute<W256>(loss, d);

    private static float Compute<TW>(Loss loss, Inputs d) where TW : struct, IWidth<TW>
    {
        ref float y = ref d.YTrue[0], p = ref d.YPred[0];
        nint n = d.YTrue.Length;
        return loss switch
        {
            Loss.BceProbs => (float)(Sum<TW, BceProbsOp>(ref y, ref p, n) / n),
            Loss.BceLogits => (float)(Sum<TW, BceLogitsOp>(ref y, ref p, n) / n),
            Loss.Poisson => (float)(Sum<TW, PoissonOp>(ref y, ref p, n) / n),
            Loss.KLDivergence => (float)(Sum<TW, KLDivergenceOp>(ref y, ref p, n) / d.Rows),
            _ => float.NaN,
        };
    }

    /// <summary>
    /// Σ op(y, p) over <paramref name="n"/> elements: whole vectors into one accumulator, added into a double every 1,024
    /// elements (one float accumulator over millions of elements would lose the low digits), the tail in scalars.
    /// </summary>
    private static double Sum<TW, TOp>(ref float y, ref float p, nint n) where TW : struct, IWidth<TW> where TOp : struct, IOp
    {
        double total = 0.0;
        nint i = 0;
        while (i <= n - TW.Count)
        {
            var acc = default(TW);
            nint end = Math.Min(n - TW.Count, i + 1024 - TW.Count);
            for (; i <= end; i += TW.Count)
                acc = TW.Add(acc, TOp.Apply(TW.Load(ref y, i), TW.Load(ref p, i)));
            total += TW.Sum(acc);
        }
        for (; i < n; i++)
            total += TOp.Apply(W1.Of(Unsafe.Add(ref y, i)), W1.Of(Unsafe.Add(ref p, i))).Value;
        return total;
    }

    private const float Eps = 1e-7f;

    /// <summary>One loss term per lane.</summary>
    private interface IOp
    {
        static abstract TW Apply<TW>(TW y, TW p) where TW : struct, IWidth<TW>;
    }

    /// <summary><c>-(y log(p + eps) + (1 - y) log(1 - p + eps))</c>, p clipped to <c>[eps, 1 - eps]</c>.</summary>
    private struct BceProbsOp : IOp
    {
        public static TW Apply<TW>(TW y, TW p) where TW : struct, IWidth<TW>
        {
            var one = TW.Create(1f);
            var eps = TW.Create(Eps);
            var q = TW.Min(TW.Max(p, eps), TW.Create(1f - Eps));
            var term = TW.Add(TW.Mul(y, TW.Log(TW.Add(q, eps))), TW.Mul(TW.Sub(one, y), TW.Log(TW.Add(TW.Sub(one, q), eps))));
            return TW.Sub(default, term);
        }
    }

    /// <summary><c>max(x, 0) - x y + log(1 + e^-|x|)</c>.</summary>
    private struct BceLogitsOp : IOp
    {
        public static TW Apply<TW>(TW y, TW x) where TW : struct, IWidth<TW>
            => TW.Add(TW.Sub(TW.Max(x, default), TW.Mul(x, y)), TW.Log(TW.Add(TW.Create(1f), TW.Exp(TW.Sub(default, TW.Abs(x))))));
    }

    /// <summary><c>p - y log(p + eps)</c>.</summary>
    private struct PoissonOp : IOp
    {
        public static TW Apply<TW>(TW y, TW p) where TW : struct, IWidth<TW>
            => TW.Sub(p, TW.Mul(y, TW.Log(TW.Add(p, TW.Create(Eps)))));
    }

    /// <summary><c>y log(y / p)</c>, both clipped to <c>[eps, 1]</c>.</summary>
    private struct KLDivergenceOp : IOp
    {
        public static TW Apply<TW>(TW y, TW p) where TW : struct, IWidth<TW>
        {
            var eps = TW.Create(Eps);
            var one = TW.Create(1f);
            var yc = TW.Min(TW.Max(y, eps), one);
            return TW.Mul(yc, TW.Log(TW.Div(yc, TW.Min(TW.Max(p, eps), one))));
        }
    }

    /// <summary>The few vector operations the kernels need, per width, each one BCL call.</summary>
    private interface IWidth<TW> where TW : struct, IWidth<TW>
    {
        static abstract int Count { get; }
        static abstract TW Load(ref float source, nint index);
        static abstract TW Create(float value);
        static abstract TW Add(TW a, TW b);
        static abstract TW Sub(TW a, TW b);
        static abstract TW Mul(TW a, TW b);
        static abstract TW Div(TW a, TW b);
        static abstract TW Max(TW a, TW b);
        static abstract TW Min(TW a, TW b);
        static abstract TW Abs(TW a);
        static abstract TW Log(TW a);
        static abstract TW Exp(TW a);
        static abstract float Sum(TW a);
    }

    private readonly struct W512(Vector512<float> v) : IWidth<W512>
    {
        private readonly Vector512<float> _v = v;
        public static int Count => Vector512<float>.Count;
        public static W512 Load(ref float source, nint index) => new(Vector512.LoadUnsafe(ref source, (nuint)index));
        public static W512 Create(float value) => new(Vector512.Create(value));
        public static W512 Add(W512 a, W512 b) => new(a._v + b._v);
        public static W512 Sub(W512 a, W512 b) => new(a._v - b._v);
        public static W512 Mul(W512 a, W512 b) => new(a._v * b._v);
        public static W512 Div(W512 a, W512 b) => new(a._v / b._v);
        public static W512 Max(W512 a, W512 b) => new(Vector512.Max(a._v, b._v));
        public static W512 Min(W512 a, W512 b) => new(Vector512.Min(a._v, b._v));
        public static W512 Abs(W512 a) => new(Vector512.Abs(a._v));
        public static W512 Log(W512 a) => new(Vector512.Log(a._v));
        public static W512 Exp(W512 a) => new(Vector512.Exp(a._v));
        public static float Sum(W512 a) => Vector512.Sum(a._v);
    }

    private readonly struct W256(Vector256<float> v) : IWidth<W256>
    {
        private readonly Vector256<float> _v = v;
        public static int Count => Vector256<float>.Count;
        public static W256 Load(ref float source, nint index) => new(Vector256.LoadUnsafe(ref source, (nuint)index));
        public static W256 Create(float value) => new(Vector256.Create(value));
        public static W256 Add(W256 a, W256 b) => new(a._v + b._v);
        public static W256 Sub(W256 a, W256 b) => new(a._v - b._v);
        public static W256 Mul(W256 a, W256 b) => new(a._v * b._v);
        public static W256 Div(W256 a, W256 b) => new(a._v / b._v);
        public static W256 Max(W256 a, W256 b) => new(Vector256.Max(a._v, b._v));
        public static W256 Min(W256 a, W256 b) => new(Vector256.Min(a._v, b._v));
        public static W256 Abs(W256 a) => new(Vector256.Abs(a._v));
        public static W256 Log(W256 a) => new(Vector256.Log(a._v));
        public static W256 Exp(W256 a) => new(Vector256.Exp(a._v));
        public static float Sum(W256 a) => Vector256.Sum(a._v);
    }

    /// <summary>One scalar lane, for the tail.</summary>
    private readonly struct W1(float v) : IWidth<W1>
    {
        public float Value { get; } = v;
        public static W1 Of(float v) => new(v);
        public static int Count => 1;
        public static W1 Load(ref float source, nint index) => new(Unsafe.Add(ref source, index));
        public static W1 Create(float value) => new(value);
        public static W1 Add(W1 a, W1 b) => new(a.Value + b.Value);
        public static W1 Sub(W1 a, W1 b) => new(a.Value - b.Value);
        public static W1 Mul(W1 a, W1 b) => new(a.Value * b.Value);
        public static W1 Div(W1 a, W1 b) => new(a.Value / b.Value);
        public static W1 Max(W1 a, W1 b) => new(MathF.Max(a.Value, b.Value));
        public static W1 Min(W1 a, W1 b) => new(MathF.Min(a.Value, b.Value));
        public static W1 Abs(W1 a) => new(MathF.Abs(a.Value));
        public static W1 Log(W1 a) => new(MathF.Log(a.Value));
        public static W1 Exp(W1 a) => new(MathF.Exp(a.Value));
        public static float Sum(W1 a) => a.Value;
    }
}
