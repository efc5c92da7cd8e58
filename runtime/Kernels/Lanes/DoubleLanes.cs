using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DslLosses.Kernels;

/// <summary>
/// Eight double lanes in a <see cref="Vector512{T}"/>: the BCL's vector <c>Exp</c> and <c>Log</c>, Goldberg's log1p
/// (<see cref="Log1p"/>), IEEE <see cref="Vector512.Max{T}(Vector512{T}, Vector512{T})"/>
/// and <see cref="Vector512.Min{T}(Vector512{T}, Vector512{T})"/>. Public for generated code; not part of the API.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct Double512 : ILanes<Double512, double, double>
{
    /// <summary>The lanes.</summary>
    public readonly Vector512<double> Value;

    /// <summary>Wraps <paramref name="value"/>.</summary>
    /// <param name="value">The lanes.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Double512(Vector512<double> value) => Value = value;

    /// <inheritdoc/>
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512<double>.Count;
    }

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.IsHardwareAccelerated;
    }

    /// <inheritdoc/>
    public static Double512 Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector512<double>.Zero);
    }

    /// <inheritdoc/>
    public static Double512 AllBitsSet
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector512<double>.AllBitsSet);
    }

    /// <inheritdoc/>
    public static Double512 Indices
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector512<double>.Indices);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 Create(double value) => new(Vector512.Create(value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 Mask(bool condition) => condition ? AllBitsSet : Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 Load(ref double source, nint index) => new(Vector512.LoadUnsafe(ref source, (nuint)index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 LoadIndices(ref int source, nint index)
    {
        // eight ints widened in one vcvtdq2pd where AVX-512 has it
        Vector256<int> ints = Vector256.LoadUnsafe(ref source, (nuint)index);
        return new(Avx512F.IsSupported ? Avx512F.ConvertToVector512Double(ints) : Vector512.ConvertToDouble(Vector512.WidenLower(ints.ToVector512Unsafe())));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Double512 value, ref double destination, nint index) => value.Value.StoreUnsafe(ref destination, (nuint)index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Read(ref double source, nint index) => Unsafe.Add(ref source, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(double value, ref double destination, nint index) => Unsafe.Add(ref destination, index) = value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 From(nint done) => new(Vector512.GreaterThanOrEqual(Vector512<double>.Indices, Vector512.Create((double)done)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 operator +(Double512 left, Double512 right) => new(left.Value + right.Value);

    // the one member that writes (the reason this struct is not readonly): see ILanes's operator +=
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void operator +=(Double512 right) => Unsafe.AsRef(in Value) = Value + right.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 operator -(Double512 left, Double512 right) => new(left.Value - right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 operator *(Double512 left, Double512 right) => new(left.Value * right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 operator /(Double512 left, Double512 right) => new(left.Value / right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 operator -(Double512 value) => new(-value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 operator &(Double512 left, Double512 right) => new(left.Value & right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 operator |(Double512 left, Double512 right) => new(left.Value | right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 operator ~(Double512 value) => new(~value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 Abs(Double512 x) => new(Vector512.Abs(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 Sqrt(Double512 x) => new(Vector512.Sqrt(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 Max(Double512 x, Double512 y) => new(Vector512.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 Min(Double512 x, Double512 y) => new(Vector512.Min(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 AtLeast(Double512 x, Double512 lo) => new(Avx512F.IsSupported ? Avx512F.Max(lo.Value, x.Value) : Vector512.Max(x.Value, lo.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 AtMost(Double512 x, Double512 hi) => new(Avx512F.IsSupported ? Avx512F.Min(hi.Value, x.Value) : Vector512.Min(x.Value, hi.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 ShiftMax(Double512 x, Double512 y) => new(Avx512F.IsSupported ? Avx512F.Max(x.Value, y.Value) : Vector512.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 Exp(Double512 x) => new(Vector512.Exp(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 Log(Double512 x) => new(Vector512.Log(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 LogPositive(Double512 x) => new(Vector512.Log(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 Log1p(Double512 x) => LaneMath.Log1p(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 Sigmoid(Double512 x) => new(Vector512<double>.One / (Vector512<double>.One + Vector512.Exp(-x.Value)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 Softplus(Double512 x) => LaneMath.Softplus(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 SoftplusMinus(Double512 x, Double512 y) => LaneMath.SoftplusMinus(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 Pow(Double512 x, Double512 y) => LaneMath.Pow<Double512, double>(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 Tanh(Double512 x) => LaneMath.Tanh<Double512, double>(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 Sinh(Double512 x) => LaneMath.Sinh<Double512, double>(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 Select(Double512 mask, Double512 whenTrue, Double512 whenFalse)
        => new(Vector512.ConditionalSelect(mask.Value, whenTrue.Value, whenFalse.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 LessThan(Double512 x, Double512 y) => new(Vector512.LessThan(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 GreaterThan(Double512 x, Double512 y) => new(Vector512.GreaterThan(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 LessThanOrEqual(Double512 x, Double512 y) => new(Vector512.LessThanOrEqual(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 GreaterThanOrEqual(Double512 x, Double512 y) => new(Vector512.GreaterThanOrEqual(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 Equal(Double512 x, Double512 y) => new(Vector512.Equals(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double512 IsFinite(Double512 x)
        => new(~(Vector512.IsNaN(x.Value) | Vector512.IsPositiveInfinity(x.Value) | Vector512.IsNegativeInfinity(x.Value)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Double512 mask) => Vector512.EqualsAll(mask.Value.AsInt64(), Vector512<long>.AllBitsSet);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Double512 x) => Vector512.Sum(x.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MaxAcross(Double512 x) => Double256.MaxAcross(new(Vector256.Max(x.Value.GetLower(), x.Value.GetUpper())));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MinAcross(Double512 x) => Double256.MinAcross(new(Vector256.Min(x.Value.GetLower(), x.Value.GetUpper())));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ShiftMaxAcross(Double512 x) => Double256.ShiftMaxAcross(Double256.ShiftMax(new(x.Value.GetLower()), new(x.Value.GetUpper())));
}

/// <summary>
/// Four double lanes in a <see cref="Vector256{T}"/>: the BCL's vector <c>Exp</c> and <c>Log</c>, Goldberg's log1p
/// (<see cref="Log1p"/>), IEEE <see cref="Vector256.Max{T}(Vector256{T}, Vector256{T})"/>
/// and <see cref="Vector256.Min{T}(Vector256{T}, Vector256{T})"/>. Public for generated code; not part of the API.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct Double256 : ILanes<Double256, double, double>
{
    /// <summary>The lanes.</summary>
    public readonly Vector256<double> Value;

    /// <summary>Wraps <paramref name="value"/>.</summary>
    /// <param name="value">The lanes.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Double256(Vector256<double> value) => Value = value;

    /// <inheritdoc/>
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256<double>.Count;
    }

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.IsHardwareAccelerated;
    }

    /// <inheritdoc/>
    public static Double256 Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector256<double>.Zero);
    }

    /// <inheritdoc/>
    public static Double256 AllBitsSet
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector256<double>.AllBitsSet);
    }

    /// <inheritdoc/>
    public static Double256 Indices
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector256<double>.Indices);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 Create(double value) => new(Vector256.Create(value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 Mask(bool condition) => condition ? AllBitsSet : Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 Load(ref double source, nint index) => new(Vector256.LoadUnsafe(ref source, (nuint)index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 LoadIndices(ref int source, nint index)
    {
        // four ints widened in one vcvtdq2pd where AVX has it
        Vector128<int> ints = Vector128.LoadUnsafe(ref source, (nuint)index);
        return new(Avx.IsSupported ? Avx.ConvertToVector256Double(ints) : Vector256.ConvertToDouble(Vector256.WidenLower(ints.ToVector256Unsafe())));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Double256 value, ref double destination, nint index) => value.Value.StoreUnsafe(ref destination, (nuint)index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Read(ref double source, nint index) => Unsafe.Add(ref source, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(double value, ref double destination, nint index) => Unsafe.Add(ref destination, index) = value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 From(nint done) => new(Vector256.GreaterThanOrEqual(Vector256<double>.Indices, Vector256.Create((double)done)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 operator +(Double256 left, Double256 right) => new(left.Value + right.Value);

    // the one member that writes (the reason this struct is not readonly): see ILanes's operator +=
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void operator +=(Double256 right) => Unsafe.AsRef(in Value) = Value + right.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 operator -(Double256 left, Double256 right) => new(left.Value - right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 operator *(Double256 left, Double256 right) => new(left.Value * right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 operator /(Double256 left, Double256 right) => new(left.Value / right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 operator -(Double256 value) => new(-value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 operator &(Double256 left, Double256 right) => new(left.Value & right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 operator |(Double256 left, Double256 right) => new(left.Value | right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 operator ~(Double256 value) => new(~value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 Abs(Double256 x) => new(Vector256.Abs(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 Sqrt(Double256 x) => new(Vector256.Sqrt(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 Max(Double256 x, Double256 y) => new(Vector256.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 Min(Double256 x, Double256 y) => new(Vector256.Min(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 AtLeast(Double256 x, Double256 lo) => new(Avx.IsSupported ? Avx.Max(lo.Value, x.Value) : Vector256.Max(x.Value, lo.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 AtMost(Double256 x, Double256 hi) => new(Avx.IsSupported ? Avx.Min(hi.Value, x.Value) : Vector256.Min(x.Value, hi.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 ShiftMax(Double256 x, Double256 y) => new(Avx.IsSupported ? Avx.Max(x.Value, y.Value) : Vector256.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 Exp(Double256 x) => new(Vector256.Exp(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 Log(Double256 x) => new(Vector256.Log(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 LogPositive(Double256 x) => new(Vector256.Log(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 Log1p(Double256 x) => LaneMath.Log1p(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 Sigmoid(Double256 x) => new(Vector256<double>.One / (Vector256<double>.One + Vector256.Exp(-x.Value)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 Softplus(Double256 x) => LaneMath.Softplus(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 SoftplusMinus(Double256 x, Double256 y) => LaneMath.SoftplusMinus(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 Pow(Double256 x, Double256 y) => LaneMath.Pow<Double256, double>(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 Tanh(Double256 x) => LaneMath.Tanh<Double256, double>(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 Sinh(Double256 x) => LaneMath.Sinh<Double256, double>(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 Select(Double256 mask, Double256 whenTrue, Double256 whenFalse)
        => new(Vector256.ConditionalSelect(mask.Value, whenTrue.Value, whenFalse.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 LessThan(Double256 x, Double256 y) => new(Vector256.LessThan(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 GreaterThan(Double256 x, Double256 y) => new(Vector256.GreaterThan(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 LessThanOrEqual(Double256 x, Double256 y) => new(Vector256.LessThanOrEqual(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 GreaterThanOrEqual(Double256 x, Double256 y) => new(Vector256.GreaterThanOrEqual(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 Equal(Double256 x, Double256 y) => new(Vector256.Equals(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double256 IsFinite(Double256 x)
        => new(~(Vector256.IsNaN(x.Value) | Vector256.IsPositiveInfinity(x.Value) | Vector256.IsNegativeInfinity(x.Value)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Double256 mask) => Vector256.EqualsAll(mask.Value.AsInt64(), Vector256<long>.AllBitsSet);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Double256 x) => Vector256.Sum(x.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MaxAcross(Double256 x) => Double128.MaxAcross(new(Vector128.Max(x.Value.GetLower(), x.Value.GetUpper())));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MinAcross(Double256 x) => Double128.MinAcross(new(Vector128.Min(x.Value.GetLower(), x.Value.GetUpper())));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ShiftMaxAcross(Double256 x) => Double128.ShiftMaxAcross(Double128.ShiftMax(new(x.Value.GetLower()), new(x.Value.GetUpper())));
}

/// <summary>
/// Two double lanes in a <see cref="Vector128{T}"/>: the BCL's vector <c>Exp</c> and <c>Log</c>, Goldberg's log1p
/// (<see cref="Log1p"/>), IEEE <see cref="Vector128.Max{T}(Vector128{T}, Vector128{T})"/>
/// and <see cref="Vector128.Min{T}(Vector128{T}, Vector128{T})"/>. Public for generated code; not part of the API.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct Double128 : ILanes<Double128, double, double>
{
    /// <summary>The lanes.</summary>
    public readonly Vector128<double> Value;

    /// <summary>Wraps <paramref name="value"/>.</summary>
    /// <param name="value">The lanes.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Double128(Vector128<double> value) => Value = value;

    /// <inheritdoc/>
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128<double>.Count;
    }

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128.IsHardwareAccelerated;
    }

    /// <inheritdoc/>
    public static Double128 Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector128<double>.Zero);
    }

    /// <inheritdoc/>
    public static Double128 AllBitsSet
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector128<double>.AllBitsSet);
    }

    /// <inheritdoc/>
    public static Double128 Indices
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector128<double>.Indices);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 Create(double value) => new(Vector128.Create(value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 Mask(bool condition) => condition ? AllBitsSet : Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 Load(ref double source, nint index) => new(Vector128.LoadUnsafe(ref source, (nuint)index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 LoadIndices(ref int source, nint index)
    {
        // two ints (one 64-bit load) widened in one cvtdq2pd where SSE2 has it
        Vector128<int> ints = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<long>(ref Unsafe.As<int, byte>(ref Unsafe.Add(ref source, index)))).AsInt32();
        return new(Sse2.IsSupported ? Sse2.ConvertToVector128Double(ints) : Vector128.ConvertToDouble(Vector128.WidenLower(ints)));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Double128 value, ref double destination, nint index) => value.Value.StoreUnsafe(ref destination, (nuint)index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Read(ref double source, nint index) => Unsafe.Add(ref source, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(double value, ref double destination, nint index) => Unsafe.Add(ref destination, index) = value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 From(nint done) => new(Vector128.GreaterThanOrEqual(Vector128<double>.Indices, Vector128.Create((double)done)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 operator +(Double128 left, Double128 right) => new(left.Value + right.Value);

    // the one member that writes (the reason this struct is not readonly): see ILanes's operator +=
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void operator +=(Double128 right) => Unsafe.AsRef(in Value) = Value + right.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 operator -(Double128 left, Double128 right) => new(left.Value - right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 operator *(Double128 left, Double128 right) => new(left.Value * right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 operator /(Double128 left, Double128 right) => new(left.Value / right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 operator -(Double128 value) => new(-value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 operator &(Double128 left, Double128 right) => new(left.Value & right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 operator |(Double128 left, Double128 right) => new(left.Value | right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 operator ~(Double128 value) => new(~value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 Abs(Double128 x) => new(Vector128.Abs(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 Sqrt(Double128 x) => new(Vector128.Sqrt(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 Max(Double128 x, Double128 y) => new(Vector128.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 Min(Double128 x, Double128 y) => new(Vector128.Min(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 AtLeast(Double128 x, Double128 lo) => new(Sse2.IsSupported ? Sse2.Max(lo.Value, x.Value) : Vector128.Max(x.Value, lo.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 AtMost(Double128 x, Double128 hi) => new(Sse2.IsSupported ? Sse2.Min(hi.Value, x.Value) : Vector128.Min(x.Value, hi.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 ShiftMax(Double128 x, Double128 y) => new(Sse2.IsSupported ? Sse2.Max(x.Value, y.Value) : Vector128.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 Exp(Double128 x) => new(Vector128.Exp(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 Log(Double128 x) => new(Vector128.Log(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 LogPositive(Double128 x) => new(Vector128.Log(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 Log1p(Double128 x) => LaneMath.Log1p(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 Sigmoid(Double128 x) => new(Vector128<double>.One / (Vector128<double>.One + Vector128.Exp(-x.Value)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 Softplus(Double128 x) => LaneMath.Softplus(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 SoftplusMinus(Double128 x, Double128 y) => LaneMath.SoftplusMinus(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 Pow(Double128 x, Double128 y) => LaneMath.Pow<Double128, double>(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 Tanh(Double128 x) => LaneMath.Tanh<Double128, double>(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 Sinh(Double128 x) => LaneMath.Sinh<Double128, double>(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 Select(Double128 mask, Double128 whenTrue, Double128 whenFalse)
        => new(Vector128.ConditionalSelect(mask.Value, whenTrue.Value, whenFalse.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 LessThan(Double128 x, Double128 y) => new(Vector128.LessThan(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 GreaterThan(Double128 x, Double128 y) => new(Vector128.GreaterThan(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 LessThanOrEqual(Double128 x, Double128 y) => new(Vector128.LessThanOrEqual(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 GreaterThanOrEqual(Double128 x, Double128 y) => new(Vector128.GreaterThanOrEqual(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 Equal(Double128 x, Double128 y) => new(Vector128.Equals(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Double128 IsFinite(Double128 x)
        => new(~(Vector128.IsNaN(x.Value) | Vector128.IsPositiveInfinity(x.Value) | Vector128.IsNegativeInfinity(x.Value)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Double128 mask) => Vector128.EqualsAll(mask.Value.AsInt64(), Vector128<long>.AllBitsSet);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Double128 x) => Vector128.Sum(x.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MaxAcross(Double128 x) => Vector128.Max(x.Value, Vector128.Shuffle(x.Value, Vector128.Create(1L, 0L))).ToScalar();

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MinAcross(Double128 x) => Vector128.Min(x.Value, Vector128.Shuffle(x.Value, Vector128.Create(1L, 0L))).ToScalar();

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ShiftMaxAcross(Double128 x) => ShiftMax(x, new(Vector128.Shuffle(x.Value, Vector128.Create(1L, 0L)))).Value.ToScalar();
}
