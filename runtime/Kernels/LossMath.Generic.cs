using System;
using System.Runtime.CompilerServices;

namespace DslLosses.Kernels;

// The scalar numerics of the kernel bodies that are generic over their compute type TF (float or double). Each is one
// test of typeof(TF), which the JIT folds when it compiles the body for float or for double (both value types, so each
// gets its own code), leaving exactly the call the float or double body would make: the same instructions, the same bits.
public static partial class LossMath
{
    /// <summary>
    /// A constant of the formula in the compute type <typeparamref name="TF"/>, for a value that float and double both
    /// hold exactly as written or that rounds to float as written: <paramref name="value"/> rounded to <typeparamref name="TF"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Constant<TF>(double value) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>((float)value);
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(value);
        throw NotACompute<TF>();
    }

    /// <summary>
    /// A constant of the formula in the compute type <typeparamref name="TF"/>, given as the float and the double
    /// literal each kernel reads (a float literal is the decimal rounded once to float, not the double rounded again).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Constant<TF>(float single, double value) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(single);
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(value);
        throw NotACompute<TF>();
    }

    /// <summary>An integer (a label, a position along the loss axis) converted to the compute type <typeparamref name="TF"/>, as a cast would.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF ToCompute<TF>(int value) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(value);
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(value);
        throw NotACompute<TF>();
    }

    /// <summary>A native integer (a position along the loss axis, its length) converted to the compute type <typeparamref name="TF"/>, as a cast would.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF ToCompute<TF>(nint value) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(value);
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(value);
        throw NotACompute<TF>();
    }

    /// <summary><c>ln x</c> in the compute type: <see cref="Log(float)"/> (inlined) in float, <see cref="Math.Log(double)"/> in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Log<TF>(TF x) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(Log(Unsafe.BitCast<TF, float>(x)));
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(Math.Log(Unsafe.BitCast<TF, double>(x)));
        throw NotACompute<TF>();
    }

    /// <summary><c>e^x</c> in the compute type: <see cref="MathF.Exp(float)"/> or <see cref="Math.Exp(double)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Exp<TF>(TF x) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(MathF.Exp(Unsafe.BitCast<TF, float>(x)));
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(Math.Exp(Unsafe.BitCast<TF, double>(x)));
        throw NotACompute<TF>();
    }

    /// <summary><c>|x|</c> in the compute type: <see cref="MathF.Abs(float)"/> or <see cref="Math.Abs(double)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Abs<TF>(TF x) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(MathF.Abs(Unsafe.BitCast<TF, float>(x)));
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(Math.Abs(Unsafe.BitCast<TF, double>(x)));
        throw NotACompute<TF>();
    }

    /// <summary><c>√x</c> in the compute type: <see cref="MathF.Sqrt(float)"/> or <see cref="Math.Sqrt(double)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Sqrt<TF>(TF x) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(MathF.Sqrt(Unsafe.BitCast<TF, float>(x)));
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(Math.Sqrt(Unsafe.BitCast<TF, double>(x)));
        throw NotACompute<TF>();
    }

    /// <summary>IEEE 754-2019 maximum in the compute type: <see cref="MathF.Max(float, float)"/> or <see cref="Math.Max(double, double)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Max<TF>(TF x, TF y) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(MathF.Max(Unsafe.BitCast<TF, float>(x), Unsafe.BitCast<TF, float>(y)));
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(Math.Max(Unsafe.BitCast<TF, double>(x), Unsafe.BitCast<TF, double>(y)));
        throw NotACompute<TF>();
    }

    /// <summary>IEEE 754-2019 minimum in the compute type: <see cref="MathF.Min(float, float)"/> or <see cref="Math.Min(double, double)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Min<TF>(TF x, TF y) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(MathF.Min(Unsafe.BitCast<TF, float>(x), Unsafe.BitCast<TF, float>(y)));
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(Math.Min(Unsafe.BitCast<TF, double>(x), Unsafe.BitCast<TF, double>(y)));
        throw NotACompute<TF>();
    }

    /// <summary><c>x^y</c> in the compute type: <see cref="MathF.Pow(float, float)"/> or <see cref="Math.Pow(double, double)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Pow<TF>(TF x, TF y) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(MathF.Pow(Unsafe.BitCast<TF, float>(x), Unsafe.BitCast<TF, float>(y)));
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(Math.Pow(Unsafe.BitCast<TF, double>(x), Unsafe.BitCast<TF, double>(y)));
        throw NotACompute<TF>();
    }

    /// <summary><see cref="Log1p(float)"/> or <see cref="Log1p(double)"/>, by the compute type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Log1p<TF>(TF x) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(Log1p(Unsafe.BitCast<TF, float>(x)));
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(Log1p(Unsafe.BitCast<TF, double>(x)));
        throw NotACompute<TF>();
    }

    /// <summary><see cref="Sigmoid(float)"/> or <see cref="Sigmoid(double)"/>, by the compute type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Sigmoid<TF>(TF x) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(Sigmoid(Unsafe.BitCast<TF, float>(x)));
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(Sigmoid(Unsafe.BitCast<TF, double>(x)));
        throw NotACompute<TF>();
    }

    /// <summary><see cref="Softplus(float)"/> or <see cref="Softplus(double)"/>, by the compute type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Softplus<TF>(TF x) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(Softplus(Unsafe.BitCast<TF, float>(x)));
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(Softplus(Unsafe.BitCast<TF, double>(x)));
        throw NotACompute<TF>();
    }

    /// <summary><see cref="SoftplusMinus(float, float)"/> or <see cref="SoftplusMinus(double, double)"/>, by the compute type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF SoftplusMinus<TF>(TF x, TF y) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(SoftplusMinus(Unsafe.BitCast<TF, float>(x), Unsafe.BitCast<TF, float>(y)));
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(SoftplusMinus(Unsafe.BitCast<TF, double>(x), Unsafe.BitCast<TF, double>(y)));
        throw NotACompute<TF>();
    }

    /// <summary><see cref="Tanh(float)"/> or <see cref="Tanh(double)"/>, by the compute type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Tanh<TF>(TF x) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(Tanh(Unsafe.BitCast<TF, float>(x)));
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(Tanh(Unsafe.BitCast<TF, double>(x)));
        throw NotACompute<TF>();
    }

    /// <summary><see cref="Sinh(float)"/> or <see cref="Sinh(double)"/>, by the compute type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Sinh<TF>(TF x) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(Sinh(Unsafe.BitCast<TF, float>(x)));
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(Sinh(Unsafe.BitCast<TF, double>(x)));
        throw NotACompute<TF>();
    }

    /// <summary><see cref="Cosh(float)"/> or <see cref="Cosh(double)"/>, by the compute type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Cosh<TF>(TF x) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(Cosh(Unsafe.BitCast<TF, float>(x)));
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(Cosh(Unsafe.BitCast<TF, double>(x)));
        throw NotACompute<TF>();
    }

    /// <summary><see cref="Clip(float, float, float)"/> or <see cref="Clip(double, double, double)"/>, by the compute type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TF Clip<TF>(TF x, TF lo, TF hi) where TF : unmanaged
    {
        if (typeof(TF) == typeof(float))
            return Unsafe.BitCast<float, TF>(Clip(Unsafe.BitCast<TF, float>(x), Unsafe.BitCast<TF, float>(lo), Unsafe.BitCast<TF, float>(hi)));
        if (typeof(TF) == typeof(double))
            return Unsafe.BitCast<double, TF>(Clip(Unsafe.BitCast<TF, double>(x), Unsafe.BitCast<TF, double>(lo), Unsafe.BitCast<TF, double>(hi)));
        throw NotACompute<TF>();
    }

    private static NotSupportedException NotACompute<TF>()
        => new($"DslLosses kernels compute in float or double, not {typeof(TF).Name}.");
}
