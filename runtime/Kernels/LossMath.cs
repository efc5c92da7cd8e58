using System;
using System.ComponentModel;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DslLosses.Kernels;

/// <summary>
/// Scalar numerics the generated kernels call. They follow TensorFlow's CPU kernels: NaN propagates through
/// <see cref="Clip(float, float, float)"/>, <see cref="Math.Max(float, float)"/> and friends; <see cref="Log1p(float)"/>
/// is accurate near 0 (the BCL's <c>float.LogP1</c> is not); <see cref="Sigmoid(float)"/> and <see cref="Softplus(float)"/>
/// never overflow.
/// </summary>
/// <remarks>Used by generated code; not meant to be called directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class LossMath
{
    /// <summary>
    /// The natural logarithm of one float, inlined (the float lanes' polynomial, within 1 ulp, IEEE special values): the
    /// per-row <c>log Σ exp</c> of the vectorised kernels, where a call into the C library would also make the JIT save
    /// and restore every vector register it keeps across the row loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Log(float x) => FastMath<FloatBits128, Vector128<float>, Vector128<int>>.Log(Vector128.CreateScalarUnsafe(x)).ToScalar();

    /// <summary><c>log(1 + x)</c> in float, accurate to a rounding of the double result.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Log1p(float x)
    {
        // 1 + x is exact in double for |x| >= 2^-29; below that log1p(x) rounds to x.
        if (MathF.Abs(x) < 1e-9f)
            return x;
        return (float)Math.Log(1.0 + x);
    }

    /// <summary><c>log(1 + x)</c> in double (Goldberg's correction: a few ulp).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Log1p(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0)
            return x;
        if (double.IsPositiveInfinity(u))
            return u;
        return Math.Log(u) * (x / (u - 1.0));
    }

    /// <summary>Logistic sigmoid without overflow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x)
    {
        if (x >= 0f)
            return 1f / (1f + MathF.Exp(-x));
        float e = MathF.Exp(x);
        return e / (1f + e);
    }

    /// <summary>Logistic sigmoid without overflow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sigmoid(double x)
    {
        if (x >= 0.0)
            return 1.0 / (1.0 + Math.Exp(-x));
        double e = Math.Exp(x);
        return e / (1.0 + e);
    }

    /// <summary><c>log(1 + exp(x))</c> as <c>max(x, 0) + log1p(exp(-|x|))</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Softplus(float x) => MathF.Max(x, 0f) + Log1p(MathF.Exp(-MathF.Abs(x)));

    /// <summary><c>log(1 + exp(x))</c> as <c>max(x, 0) + log1p(exp(-|x|))</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Softplus(double x) => Math.Max(x, 0.0) + Log1p(Math.Exp(-Math.Abs(x)));

    /// <summary><c>softplus(x) - y</c> in TensorFlow's order, <c>(max(x, 0) - y) + log1p(exp(-|x|))</c>: exact when <c>y</c> cancels <c>max(x, 0)</c> (sigmoid cross-entropy of a confident, correct logit).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SoftplusMinus(float x, float y) => (MathF.Max(x, 0f) - y) + Log1p(MathF.Exp(-MathF.Abs(x)));

    /// <summary><c>softplus(x) - y</c> in TensorFlow's order, <c>(max(x, 0) - y) + log1p(exp(-|x|))</c>: exact when <c>y</c> cancels <c>max(x, 0)</c> (sigmoid cross-entropy of a confident, correct logit).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SoftplusMinus(double x, double y) => (Math.Max(x, 0.0) - y) + Log1p(Math.Exp(-Math.Abs(x)));

    /// <summary><c>tanh x</c> computed in double and rounded once (<see cref="MathF.Tanh(float)"/> is off by up to 2 ulp).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x) => (float)Math.Tanh(x);

    /// <summary><c>tanh x</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Tanh(double x) => Math.Tanh(x);

    /// <summary><c>sinh x</c> computed in double and rounded once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sinh(float x) => (float)Math.Sinh(x);

    /// <summary><c>sinh x</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sinh(double x) => Math.Sinh(x);

    /// <summary><c>cosh x</c> computed in double and rounded once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Cosh(float x) => (float)Math.Cosh(x);

    /// <summary><c>cosh x</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Cosh(double x) => Math.Cosh(x);

    /// <summary>TensorFlow's <c>clip_by_value</c>: <c>max(min(x, hi), lo)</c>; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Clip(float x, float lo, float hi) => MathF.Max(MathF.Min(x, hi), lo);

    /// <summary>TensorFlow's <c>clip_by_value</c>: <c>max(min(x, hi), lo)</c>; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Clip(double x, double lo, double hi) => Math.Max(Math.Min(x, hi), lo);

    /// <summary>A double total rounded once to the element type <typeparamref name="T"/> (float, double or Half).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Round<T>(double value) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            return Unsafe.BitCast<float, T>((float)value);
        if (typeof(T) == typeof(double))
            return Unsafe.BitCast<double, T>(value);
        if (typeof(T) == typeof(Half))
            return Unsafe.BitCast<Half, T>((Half)value);
        throw new NotSupportedException($"DslLosses computes losses in float, double and Half, not {typeof(T).Name}.");
    }

    /// <summary>The reduced total divided by its count, 0 when the count is 0 (TensorFlow's <c>divide_no_nan</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double DivideNoNan(double total, nint count) => count == 0 ? 0.0 : total / count;

    /// <summary>
    /// The divisor of <see cref="Reduction.MeanWithSampleWeight"/>: the sum of the weights as given (not broadcast to the
    /// loss shape), or <paramref name="count"/> without weights.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The weights are not dense.</exception>
    public static double MeanDivisor<T>(string loss, scoped in ReadOnlyTensorSpan<T> sampleWeight, nint count) where T : unmanaged
    {
        if (sampleWeight.Rank == 0)
            return count;
        Shapes.RequireDense(loss, "sampleWeight", sampleWeight.Lengths, sampleWeight.Strides);
        nint n = Shapes.Product(sampleWeight.Lengths);
        if (n == 0)
            return 0.0;
        ref T w = ref Shapes.Data(in sampleWeight);
        double sum = 0.0;
        for (nint i = 0; i < n; i++)
            sum += ToDouble(Unsafe.Add(ref w, i));
        return sum;
    }

    /// <summary>The reduced total divided by a real divisor, 0 when the divisor is 0 (TensorFlow's <c>divide_no_nan</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double DivideNoNan(double total, double divisor) => divisor == 0 ? 0.0 : total / divisor;

    /// <summary>A value of the element or compute type <typeparamref name="T"/> (float, double or Half) widened exactly to double: a compute-type value added into a kernel's double total.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ToDouble<T>(T value) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
            return Unsafe.BitCast<T, float>(value);
        if (typeof(T) == typeof(double))
            return Unsafe.BitCast<T, double>(value);
        if (typeof(T) == typeof(Half))
            return (double)Unsafe.BitCast<T, Half>(value);
        throw new NotSupportedException($"DslLosses computes losses in float, double and Half, not {typeof(T).Name}.");
    }

    /// <summary>
    /// <see cref="Reduction.SumOverBatchSize"/> with ignored entries, as tf_keras computes it: the total divided by the
    /// number of entries kept; 0 for an empty loss, NaN when every entry is ignored (tf-keras#734).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MeanOverKept(double total, nint kept, nint count)
    {
        if (count == 0)
            return 0.0;
        return kept == 0 ? double.NaN : total / kept;
    }

    /// <summary>
    /// The reduced loss as the entry points return it: the total for <see cref="Reduction.Sum"/>, over the sum of the
    /// weights (<see cref="MeanDivisor"/>) for <see cref="Reduction.MeanWithSampleWeight"/>, else over the number of loss
    /// entries; rounded once to <typeparamref name="T"/>.
    /// </summary>
    /// <param name="loss">The loss's name, for errors.</param>
    /// <param name="reduction">Sum, SumOverBatchSize or MeanWithSampleWeight.</param>
    /// <param name="total">The (weighted) total of the loss entries.</param>
    /// <param name="count">The number of loss entries.</param>
    /// <param name="sampleWeight">The weights as given (rank 0 when none).</param>
    public static T Reduce<T>(string loss, Reduction reduction, double total, nint count, scoped in ReadOnlyTensorSpan<T> sampleWeight) where T : unmanaged
        => Round<T>(reduction == Reduction.Sum ? total : reduction == Reduction.MeanWithSampleWeight ? DivideNoNan(total, MeanDivisor(loss, sampleWeight, count)) : DivideNoNan(total, count));

    /// <summary>
    /// <see cref="Reduce{T}"/> for a formula with a keep mask: the means count the <paramref name="kept"/> entries
    /// (<see cref="MeanOverKept"/>), not all <paramref name="count"/>.
    /// </summary>
    /// <param name="loss">The loss's name, for errors.</param>
    /// <param name="reduction">Sum, SumOverBatchSize or MeanWithSampleWeight.</param>
    /// <param name="total">The (weighted) total of the kept loss entries.</param>
    /// <param name="kept">The number of loss entries kept.</param>
    /// <param name="count">The number of loss entries.</param>
    /// <param name="sampleWeight">The weights as given (rank 0 when none).</param>
    public static T ReduceKept<T>(string loss, Reduction reduction, double total, nint kept, nint count, scoped in ReadOnlyTensorSpan<T> sampleWeight) where T : unmanaged
        => Round<T>(reduction == Reduction.Sum ? total : reduction == Reduction.MeanWithSampleWeight ? DivideNoNan(total, MeanDivisor(loss, sampleWeight, kept)) : MeanOverKept(total, kept, count));
}
