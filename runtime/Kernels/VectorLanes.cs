using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

    // ---- across the lanes: Math.Max/Math.Min semantics (NaN wins, -0 < +0), in log2(lanes) steps ----------------

    /// <summary>The max of every lane, as a chain of <see cref="Math.Max(double, double)"/> would give it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector512<float> v) => MaxAcross(Vector256.Max(v.GetLower(), v.GetUpper()));

    /// <summary>The max of every lane, as a chain of <see cref="Math.Max(double, double)"/> would give it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector256<float> v) => MaxAcross(Vector128.Max(v.GetLower(), v.GetUpper()));

    /// <summary>The max of every lane, as a chain of <see cref="Math.Max(double, double)"/> would give it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector128<float> v)
    {
        v = Vector128.Max(v, Vector128.Shuffle(v, Vector128.Create(2, 3, 0, 1)));
        v = Vector128.Max(v, Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2)));
        return v.ToScalar();
    }

    /// <summary>The max of every lane, as a chain of <see cref="Math.Max(double, double)"/> would give it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MaxAcross(Vector512<double> v) => MaxAcross(Vector256.Max(v.GetLower(), v.GetUpper()));

    /// <summary>The max of every lane, as a chain of <see cref="Math.Max(double, double)"/> would give it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MaxAcross(Vector256<double> v) => MaxAcross(Vector128.Max(v.GetLower(), v.GetUpper()));

    /// <summary>The max of every lane, as a chain of <see cref="Math.Max(double, double)"/> would give it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MaxAcross(Vector128<double> v)
    {
        v = Vector128.Max(v, Vector128.Shuffle(v, Vector128.Create(1L, 0L)));
        return v.ToScalar();
    }

    /// <summary>The min of every lane, as a chain of <see cref="Math.Min(double, double)"/> would give it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MinAcross(Vector512<float> v) => MinAcross(Vector256.Min(v.GetLower(), v.GetUpper()));

    /// <summary>The min of every lane, as a chain of <see cref="Math.Min(double, double)"/> would give it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MinAcross(Vector256<float> v) => MinAcross(Vector128.Min(v.GetLower(), v.GetUpper()));

    /// <summary>The min of every lane, as a chain of <see cref="Math.Min(double, double)"/> would give it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MinAcross(Vector128<float> v)
    {
        v = Vector128.Min(v, Vector128.Shuffle(v, Vector128.Create(2, 3, 0, 1)));
        v = Vector128.Min(v, Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2)));
        return v.ToScalar();
    }

    /// <summary>The min of every lane, as a chain of <see cref="Math.Min(double, double)"/> would give it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MinAcross(Vector512<double> v) => MinAcross(Vector256.Min(v.GetLower(), v.GetUpper()));

    /// <summary>The min of every lane, as a chain of <see cref="Math.Min(double, double)"/> would give it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MinAcross(Vector256<double> v) => MinAcross(Vector128.Min(v.GetLower(), v.GetUpper()));

    /// <summary>The min of every lane, as a chain of <see cref="Math.Min(double, double)"/> would give it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MinAcross(Vector128<double> v)
    {
        v = Vector128.Min(v, Vector128.Shuffle(v, Vector128.Create(1L, 0L)));
        return v.ToScalar();
    }

    // ---- lanes from scattered elements: the row-tiled kernels of narrow class axes ---------------------------------

    /// <summary>
    /// <c>Unsafe.Add(ref start, index[l])</c> in lane <c>l</c>: two AVX2 gathers where the hardware has them (every
    /// machine whose <see cref="Vector512"/> is accelerated), element by element otherwise. The caller guarantees every
    /// index is inside the data.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<float> Gather(ref float start, Vector512<int> index)
    {
        if (Avx2.IsSupported)
        {
            fixed (float* p = &start)
                return Vector512.Create(Avx2.GatherVector256(p, index.GetLower(), 4), Avx2.GatherVector256(p, index.GetUpper(), 4));
        }
        Vector512<float> result = default;
        for (int l = 0; l < Vector512<float>.Count; l++)
            result = result.WithElement(l, Unsafe.Add(ref start, index.GetElement(l)));
        return result;
    }

    /// <inheritdoc cref="Gather(ref float, Vector512{int})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<float> Gather(ref float start, Vector256<int> index)
    {
        if (Avx2.IsSupported)
        {
            fixed (float* p = &start)
                return Avx2.GatherVector256(p, index, 4);
        }
        Vector256<float> result = default;
        for (int l = 0; l < Vector256<float>.Count; l++)
            result = result.WithElement(l, Unsafe.Add(ref start, index.GetElement(l)));
        return result;
    }
}
