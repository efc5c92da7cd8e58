using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DslLosses.Kernels;

/// <summary>
/// Vector operations the generated kernels need beyond <c>Vector256</c>/<c>Vector512</c>: an accurate log1p and a
/// lane-wise pow. Public for generated code; not part of the API.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class VectorLanes
{
    /// <summary><c>log(1 + x)</c> per lane, accurate for tiny <paramref name="x"/> (Goldberg: <c>log(u) * x / (u - 1)</c> with <c>u = 1 + x</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Log1p(Vector512<float> x)
    {
        Vector512<float> u = Vector512<float>.One + x;
        Vector512<float> d = u - Vector512<float>.One;
        Vector512<float> general = Vector512.ConditionalSelect(Vector512.IsPositiveInfinity(u), u, FastMath.Log(u) * (x / d));
        return Vector512.ConditionalSelect(Vector512.Equals(d, Vector512<float>.Zero), x, general);
    }

    /// <summary><c>x^y</c> per lane, exactly as <see cref="MathF.Pow(float, float)"/>.</summary>
    public static Vector512<float> Pow(Vector512<float> x, Vector512<float> y)
    {
        Vector512<float> result = Vector512<float>.Zero;
        for (int i = 0; i < Vector512<float>.Count; i++)
            result = result.WithElement(i, MathF.Pow(x.GetElement(i), y.GetElement(i)));
        return result;
    }

    /// <summary><c>log(1 + x)</c> per lane, accurate for tiny <paramref name="x"/> (Goldberg: <c>log(u) * x / (u - 1)</c> with <c>u = 1 + x</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Log1p(Vector512<double> x)
    {
        Vector512<double> u = Vector512<double>.One + x;
        Vector512<double> d = u - Vector512<double>.One;
        Vector512<double> general = Vector512.ConditionalSelect(Vector512.IsPositiveInfinity(u), u, Vector512.Log(u) * (x / d));
        return Vector512.ConditionalSelect(Vector512.Equals(d, Vector512<double>.Zero), x, general);
    }

    /// <summary><c>x^y</c> per lane, exactly as <see cref="Math.Pow(double, double)"/>.</summary>
    public static Vector512<double> Pow(Vector512<double> x, Vector512<double> y)
    {
        Vector512<double> result = Vector512<double>.Zero;
        for (int i = 0; i < Vector512<double>.Count; i++)
            result = result.WithElement(i, Math.Pow(x.GetElement(i), y.GetElement(i)));
        return result;
    }

    /// <summary><c>log(1 + x)</c> per lane, accurate for tiny <paramref name="x"/> (Goldberg: <c>log(u) * x / (u - 1)</c> with <c>u = 1 + x</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Log1p(Vector256<float> x)
    {
        Vector256<float> u = Vector256<float>.One + x;
        Vector256<float> d = u - Vector256<float>.One;
        Vector256<float> general = Vector256.ConditionalSelect(Vector256.IsPositiveInfinity(u), u, FastMath.Log(u) * (x / d));
        return Vector256.ConditionalSelect(Vector256.Equals(d, Vector256<float>.Zero), x, general);
    }

    /// <summary><c>x^y</c> per lane, exactly as <see cref="MathF.Pow(float, float)"/>.</summary>
    public static Vector256<float> Pow(Vector256<float> x, Vector256<float> y)
    {
        Vector256<float> result = Vector256<float>.Zero;
        for (int i = 0; i < Vector256<float>.Count; i++)
            result = result.WithElement(i, MathF.Pow(x.GetElement(i), y.GetElement(i)));
        return result;
    }

    /// <summary><c>log(1 + x)</c> per lane, accurate for tiny <paramref name="x"/> (Goldberg: <c>log(u) * x / (u - 1)</c> with <c>u = 1 + x</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Log1p(Vector256<double> x)
    {
        Vector256<double> u = Vector256<double>.One + x;
        Vector256<double> d = u - Vector256<double>.One;
        Vector256<double> general = Vector256.ConditionalSelect(Vector256.IsPositiveInfinity(u), u, Vector256.Log(u) * (x / d));
        return Vector256.ConditionalSelect(Vector256.Equals(d, Vector256<double>.Zero), x, general);
    }

    /// <summary><c>x^y</c> per lane, exactly as <see cref="Math.Pow(double, double)"/>.</summary>
    public static Vector256<double> Pow(Vector256<double> x, Vector256<double> y)
    {
        Vector256<double> result = Vector256<double>.Zero;
        for (int i = 0; i < Vector256<double>.Count; i++)
            result = result.WithElement(i, Math.Pow(x.GetElement(i), y.GetElement(i)));
        return result;
    }

    /// <summary><c>log(1 + x)</c> per lane, accurate for tiny <paramref name="x"/> (Goldberg: <c>log(u) * x / (u - 1)</c> with <c>u = 1 + x</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Log1p(Vector128<float> x)
    {
        Vector128<float> u = Vector128<float>.One + x;
        Vector128<float> d = u - Vector128<float>.One;
        Vector128<float> general = Vector128.ConditionalSelect(Vector128.IsPositiveInfinity(u), u, FastMath.Log(u) * (x / d));
        return Vector128.ConditionalSelect(Vector128.Equals(d, Vector128<float>.Zero), x, general);
    }

    /// <summary><c>x^y</c> per lane, exactly as <see cref="MathF.Pow(float, float)"/>.</summary>
    public static Vector128<float> Pow(Vector128<float> x, Vector128<float> y)
    {
        Vector128<float> result = Vector128<float>.Zero;
        for (int i = 0; i < Vector128<float>.Count; i++)
            result = result.WithElement(i, MathF.Pow(x.GetElement(i), y.GetElement(i)));
        return result;
    }

    /// <summary><c>log(1 + x)</c> per lane, accurate for tiny <paramref name="x"/> (Goldberg: <c>log(u) * x / (u - 1)</c> with <c>u = 1 + x</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Log1p(Vector128<double> x)
    {
        Vector128<double> u = Vector128<double>.One + x;
        Vector128<double> d = u - Vector128<double>.One;
        Vector128<double> general = Vector128.ConditionalSelect(Vector128.IsPositiveInfinity(u), u, Vector128.Log(u) * (x / d));
        return Vector128.ConditionalSelect(Vector128.Equals(d, Vector128<double>.Zero), x, general);
    }

    /// <summary><c>x^y</c> per lane, exactly as <see cref="Math.Pow(double, double)"/>.</summary>
    public static Vector128<double> Pow(Vector128<double> x, Vector128<double> y)
    {
        Vector128<double> result = Vector128<double>.Zero;
        for (int i = 0; i < Vector128<double>.Count; i++)
            result = result.WithElement(i, Math.Pow(x.GetElement(i), y.GetElement(i)));
        return result;
    }
}
