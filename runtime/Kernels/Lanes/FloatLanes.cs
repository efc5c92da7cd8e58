using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Math128 = DslLosses.Kernels.FastMath<DslLosses.Kernels.FloatBits128, System.Runtime.Intrinsics.Vector128<float>, System.Runtime.Intrinsics.Vector128<int>>;
using Math256 = DslLosses.Kernels.FastMath<DslLosses.Kernels.FloatBits256, System.Runtime.Intrinsics.Vector256<float>, System.Runtime.Intrinsics.Vector256<int>>;
using Math512 = DslLosses.Kernels.FastMath<DslLosses.Kernels.FloatBits512, System.Runtime.Intrinsics.Vector512<float>, System.Runtime.Intrinsics.Vector512<int>>;

namespace DslLosses.Kernels;

/// <summary>
/// Sixteen float lanes in a <see cref="Vector512{T}"/>: the inlined exponential and logarithms (exp and log within 1 ulp), IEEE
/// <see cref="Vector512.Max{T}(Vector512{T}, Vector512{T})"/> and <see cref="Vector512.Min{T}(Vector512{T}, Vector512{T})"/>;
/// row tiles of 16 rows (<see cref="RowsToColumns"/>). Public for generated code; not part of the API.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct Float512 : IRowTileLanes<Float512>
{
    /// <summary>The lanes.</summary>
    public readonly Vector512<float> Value;

    /// <summary>Wraps <paramref name="value"/>.</summary>
    /// <param name="value">The lanes.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Float512(Vector512<float> value) => Value = value;

    /// <inheritdoc/>
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512<float>.Count;
    }

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.IsHardwareAccelerated;
    }

    /// <inheritdoc/>
    public static Float512 Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector512<float>.Zero);
    }

    /// <inheritdoc/>
    public static Float512 AllBitsSet
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector512<float>.AllBitsSet);
    }

    /// <inheritdoc/>
    public static Float512 Indices
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector512<float>.Indices);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Create(float value) => new(Vector512.Create(value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Mask(bool condition) => condition ? AllBitsSet : Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Load(ref float source, nint index) => new(Vector512.LoadUnsafe(ref source, (nuint)index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 LoadIndices(ref int source, nint index) => new(Vector512.ConvertToSingle(Vector512.LoadUnsafe(ref source, (nuint)index)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Float512 value, ref float destination, nint index) => value.Value.StoreUnsafe(ref destination, (nuint)index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Read(ref float source, nint index) => Unsafe.Add(ref source, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(float value, ref float destination, nint index) => Unsafe.Add(ref destination, index) = value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 From(nint done) => new(Vector512.GreaterThanOrEqual(Vector512<float>.Indices, Vector512.Create((float)done)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 operator +(Float512 left, Float512 right) => new(left.Value + right.Value);

    // the one member that writes (the reason this struct is not readonly): see ILanes's operator +=
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void operator +=(Float512 right) => Unsafe.AsRef(in Value) = Value + right.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 operator -(Float512 left, Float512 right) => new(left.Value - right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 operator *(Float512 left, Float512 right) => new(left.Value * right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 operator /(Float512 left, Float512 right) => new(left.Value / right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 operator -(Float512 value) => new(-value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 operator &(Float512 left, Float512 right) => new(left.Value & right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 operator |(Float512 left, Float512 right) => new(left.Value | right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 operator ~(Float512 value) => new(~value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Abs(Float512 x) => new(Vector512.Abs(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Sqrt(Float512 x) => new(Vector512.Sqrt(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Max(Float512 x, Float512 y) => new(Vector512.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Min(Float512 x, Float512 y) => new(Vector512.Min(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 AtLeast(Float512 x, Float512 lo) => new(Avx512F.IsSupported ? Avx512F.Max(lo.Value, x.Value) : Vector512.Max(x.Value, lo.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 AtMost(Float512 x, Float512 hi) => new(Avx512F.IsSupported ? Avx512F.Min(hi.Value, x.Value) : Vector512.Min(x.Value, hi.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 ShiftMax(Float512 x, Float512 y) => new(Avx512F.IsSupported ? Avx512F.Max(x.Value, y.Value) : Vector512.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Exp(Float512 x) => new(Math512.Exp(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Log(Float512 x) => new(Math512.Log(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 LogPositive(Float512 x) => new(Math512.LogPositive(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Log1p(Float512 x) => new(Math512.Log1p(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Sigmoid(Float512 x) => new(Vector512<float>.One / (Vector512<float>.One + Math512.Exp(-x.Value)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Softplus(Float512 x) => new(AtLeast(x, Zero).Value + Math512.Log1pExpNegAbs(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 SoftplusMinus(Float512 x, Float512 y)
        => new((AtLeast(x, Zero).Value - y.Value) + Math512.Log1pExpNegAbs(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Pow(Float512 x, Float512 y) => LaneMath.Pow<Float512, float>(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Tanh(Float512 x) => LaneMath.Tanh<Float512, float>(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Sinh(Float512 x) => LaneMath.Sinh<Float512, float>(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Select(Float512 mask, Float512 whenTrue, Float512 whenFalse)
        => new(Vector512.ConditionalSelect(mask.Value, whenTrue.Value, whenFalse.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 LessThan(Float512 x, Float512 y) => new(Vector512.LessThan(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 GreaterThan(Float512 x, Float512 y) => new(Vector512.GreaterThan(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 LessThanOrEqual(Float512 x, Float512 y) => new(Vector512.LessThanOrEqual(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 GreaterThanOrEqual(Float512 x, Float512 y) => new(Vector512.GreaterThanOrEqual(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Equal(Float512 x, Float512 y) => new(Vector512.Equals(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 IsFinite(Float512 x)
        => new(~(Vector512.IsNaN(x.Value) | Vector512.IsPositiveInfinity(x.Value) | Vector512.IsNegativeInfinity(x.Value)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Float512 mask) => Vector512.EqualsAll(mask.Value.AsInt32(), Vector512<int>.AllBitsSet);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Float512 x) => Vector512.Sum(x.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Float512 x) => Float256.MaxAcross(new(Vector256.Max(x.Value.GetLower(), x.Value.GetUpper())));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MinAcross(Float512 x) => Float256.MinAcross(new(Vector256.Min(x.Value.GetLower(), x.Value.GetUpper())));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ShiftMaxAcross(Float512 x) => Float256.ShiftMaxAcross(Float256.ShiftMax(new(x.Value.GetLower()), new(x.Value.GetUpper())));

    // ---- row tiles ----------------------------------------------------------------------------------------------

    /// <inheritdoc/>
    /// <remarks>
    /// 15 whatever the count: 16-row tiles stay below one vector per row, and wider rows have whole vectors of their own
    /// (measured on Zen 4).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint MaxTileColumns(int transposedTensors) => 15;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RowsToColumns(ref float rows, nint c, nint available, ref float tile) => RowTiles.RowsToColumns16(ref rows, c, available, ref tile);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyLabelOutOfRange(ref int labels, nint row, nint c)
        => Vector512.GreaterThanOrEqualAny(Vector512.LoadUnsafe(ref labels, (nuint)row).AsUInt32(), Vector512.Create((uint)c));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 Labels(ref int labels, nint row) => new(Vector512.ConvertToSingle(Vector512.LoadUnsafe(ref labels, (nuint)row)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 AtLabels(ref float columns, ref float rows, ref int labels, nint row, nint c)
        => new(RowTiles.AtLabels(ref columns, ref rows, Vector512.LoadUnsafe(ref labels, (nuint)row), c));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 GatherAtLabels(ref float start, ref int labels, nint row, nint c)
        => new(RowTiles.Gather(ref start, Vector512<int>.Indices * Vector512.Create((int)c) + Vector512.LoadUnsafe(ref labels, (nuint)row)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float512 GatherColumn(ref float start, nint c) => new(RowTiles.Gather(ref start, Vector512<int>.Indices * Vector512.Create((int)c)));
}

/// <summary>
/// Eight float lanes in a <see cref="Vector256{T}"/>: the inlined exponential and logarithms (exp and log within 1 ulp), IEEE
/// <see cref="Vector256.Max{T}(Vector256{T}, Vector256{T})"/> and <see cref="Vector256.Min{T}(Vector256{T}, Vector256{T})"/>;
/// row tiles of 8 rows (<see cref="RowsToColumns"/>). Public for generated code; not part of the API.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct Float256 : IRowTileLanes<Float256>
{
    /// <summary>The lanes.</summary>
    public readonly Vector256<float> Value;

    /// <summary>Wraps <paramref name="value"/>.</summary>
    /// <param name="value">The lanes.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Float256(Vector256<float> value) => Value = value;

    /// <inheritdoc/>
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256<float>.Count;
    }

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.IsHardwareAccelerated;
    }

    /// <inheritdoc/>
    public static Float256 Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector256<float>.Zero);
    }

    /// <inheritdoc/>
    public static Float256 AllBitsSet
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector256<float>.AllBitsSet);
    }

    /// <inheritdoc/>
    public static Float256 Indices
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector256<float>.Indices);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Create(float value) => new(Vector256.Create(value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Mask(bool condition) => condition ? AllBitsSet : Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Load(ref float source, nint index) => new(Vector256.LoadUnsafe(ref source, (nuint)index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 LoadIndices(ref int source, nint index) => new(Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref source, (nuint)index)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Float256 value, ref float destination, nint index) => value.Value.StoreUnsafe(ref destination, (nuint)index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Read(ref float source, nint index) => Unsafe.Add(ref source, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(float value, ref float destination, nint index) => Unsafe.Add(ref destination, index) = value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 From(nint done) => new(Vector256.GreaterThanOrEqual(Vector256<float>.Indices, Vector256.Create((float)done)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 operator +(Float256 left, Float256 right) => new(left.Value + right.Value);

    // the one member that writes (the reason this struct is not readonly): see ILanes's operator +=
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void operator +=(Float256 right) => Unsafe.AsRef(in Value) = Value + right.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 operator -(Float256 left, Float256 right) => new(left.Value - right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 operator *(Float256 left, Float256 right) => new(left.Value * right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 operator /(Float256 left, Float256 right) => new(left.Value / right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 operator -(Float256 value) => new(-value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 operator &(Float256 left, Float256 right) => new(left.Value & right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 operator |(Float256 left, Float256 right) => new(left.Value | right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 operator ~(Float256 value) => new(~value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Abs(Float256 x) => new(Vector256.Abs(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Sqrt(Float256 x) => new(Vector256.Sqrt(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Max(Float256 x, Float256 y) => new(Vector256.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Min(Float256 x, Float256 y) => new(Vector256.Min(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 AtLeast(Float256 x, Float256 lo) => new(Avx.IsSupported ? Avx.Max(lo.Value, x.Value) : Vector256.Max(x.Value, lo.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 AtMost(Float256 x, Float256 hi) => new(Avx.IsSupported ? Avx.Min(hi.Value, x.Value) : Vector256.Min(x.Value, hi.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 ShiftMax(Float256 x, Float256 y) => new(Avx.IsSupported ? Avx.Max(x.Value, y.Value) : Vector256.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Exp(Float256 x) => new(Math256.Exp(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Log(Float256 x) => new(Math256.Log(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 LogPositive(Float256 x) => new(Math256.LogPositive(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Log1p(Float256 x) => new(Math256.Log1p(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Sigmoid(Float256 x) => new(Vector256<float>.One / (Vector256<float>.One + Math256.Exp(-x.Value)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Softplus(Float256 x) => new(AtLeast(x, Zero).Value + Math256.Log1pExpNegAbs(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 SoftplusMinus(Float256 x, Float256 y)
        => new((AtLeast(x, Zero).Value - y.Value) + Math256.Log1pExpNegAbs(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Pow(Float256 x, Float256 y) => LaneMath.Pow<Float256, float>(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Tanh(Float256 x) => LaneMath.Tanh<Float256, float>(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Sinh(Float256 x) => LaneMath.Sinh<Float256, float>(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Select(Float256 mask, Float256 whenTrue, Float256 whenFalse)
        => new(Vector256.ConditionalSelect(mask.Value, whenTrue.Value, whenFalse.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 LessThan(Float256 x, Float256 y) => new(Vector256.LessThan(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 GreaterThan(Float256 x, Float256 y) => new(Vector256.GreaterThan(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 LessThanOrEqual(Float256 x, Float256 y) => new(Vector256.LessThanOrEqual(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 GreaterThanOrEqual(Float256 x, Float256 y) => new(Vector256.GreaterThanOrEqual(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Equal(Float256 x, Float256 y) => new(Vector256.Equals(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 IsFinite(Float256 x)
        => new(~(Vector256.IsNaN(x.Value) | Vector256.IsPositiveInfinity(x.Value) | Vector256.IsNegativeInfinity(x.Value)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Float256 mask) => Vector256.EqualsAll(mask.Value.AsInt32(), Vector256<int>.AllBitsSet);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Float256 x) => Vector256.Sum(x.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Float256 x) => Float128.MaxAcross(new(Vector128.Max(x.Value.GetLower(), x.Value.GetUpper())));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MinAcross(Float256 x) => Float128.MinAcross(new(Vector128.Min(x.Value.GetLower(), x.Value.GetUpper())));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ShiftMaxAcross(Float256 x) => Float128.ShiftMaxAcross(Float128.ShiftMax(new(x.Value.GetLower()), new(x.Value.GetUpper())));

    // ---- row tiles ----------------------------------------------------------------------------------------------

    /// <inheritdoc/>
    /// <remarks>
    /// 128 columns with one tensor transposed, 64 with two (<c>128 / n</c>): row by row, each row's chain waits on the one
    /// before it, while a tile's lanes are independent rows; but a tile reads 8 rows side by side per transposed tensor,
    /// which the hardware prefetchers follow less well than one stream (measured on Zen 2).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint MaxTileColumns(int transposedTensors) => 128 / Math.Max(1, transposedTensors);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RowsToColumns(ref float rows, nint c, nint available, ref float tile) => RowTiles.RowsToColumns8(ref rows, c, available, ref tile);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyLabelOutOfRange(ref int labels, nint row, nint c)
        => Vector256.GreaterThanOrEqualAny(Vector256.LoadUnsafe(ref labels, (nuint)row).AsUInt32(), Vector256.Create((uint)c));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 Labels(ref int labels, nint row) => new(Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref labels, (nuint)row)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 AtLabels(ref float columns, ref float rows, ref int labels, nint row, nint c)
        => new(RowTiles.AtLabels(ref columns, ref rows, Vector256.LoadUnsafe(ref labels, (nuint)row), c));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 GatherAtLabels(ref float start, ref int labels, nint row, nint c)
        => new(RowTiles.Gather(ref start, Vector256<int>.Indices * Vector256.Create((int)c) + Vector256.LoadUnsafe(ref labels, (nuint)row)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float256 GatherColumn(ref float start, nint c) => new(RowTiles.Gather(ref start, Vector256<int>.Indices * Vector256.Create((int)c)));
}

/// <summary>
/// Four float lanes in a <see cref="Vector128{T}"/>: the inlined exponential and logarithms (exp and log within 1 ulp), IEEE
/// <see cref="Vector128.Max{T}(Vector128{T}, Vector128{T})"/> and <see cref="Vector128.Min{T}(Vector128{T}, Vector128{T})"/>.
/// Public for generated code; not part of the API.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct Float128 : ILanes<Float128, float, float>
{
    /// <summary>The lanes.</summary>
    public readonly Vector128<float> Value;

    /// <summary>Wraps <paramref name="value"/>.</summary>
    /// <param name="value">The lanes.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Float128(Vector128<float> value) => Value = value;

    /// <inheritdoc/>
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128<float>.Count;
    }

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128.IsHardwareAccelerated;
    }

    /// <inheritdoc/>
    public static Float128 Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector128<float>.Zero);
    }

    /// <inheritdoc/>
    public static Float128 AllBitsSet
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector128<float>.AllBitsSet);
    }

    /// <inheritdoc/>
    public static Float128 Indices
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Vector128<float>.Indices);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Create(float value) => new(Vector128.Create(value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Mask(bool condition) => condition ? AllBitsSet : Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Load(ref float source, nint index) => new(Vector128.LoadUnsafe(ref source, (nuint)index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 LoadIndices(ref int source, nint index) => new(Vector128.ConvertToSingle(Vector128.LoadUnsafe(ref source, (nuint)index)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Float128 value, ref float destination, nint index) => value.Value.StoreUnsafe(ref destination, (nuint)index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Read(ref float source, nint index) => Unsafe.Add(ref source, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(float value, ref float destination, nint index) => Unsafe.Add(ref destination, index) = value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 From(nint done) => new(Vector128.GreaterThanOrEqual(Vector128<float>.Indices, Vector128.Create((float)done)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 operator +(Float128 left, Float128 right) => new(left.Value + right.Value);

    // the one member that writes (the reason this struct is not readonly): see ILanes's operator +=
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void operator +=(Float128 right) => Unsafe.AsRef(in Value) = Value + right.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 operator -(Float128 left, Float128 right) => new(left.Value - right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 operator *(Float128 left, Float128 right) => new(left.Value * right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 operator /(Float128 left, Float128 right) => new(left.Value / right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 operator -(Float128 value) => new(-value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 operator &(Float128 left, Float128 right) => new(left.Value & right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 operator |(Float128 left, Float128 right) => new(left.Value | right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 operator ~(Float128 value) => new(~value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Abs(Float128 x) => new(Vector128.Abs(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Sqrt(Float128 x) => new(Vector128.Sqrt(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Max(Float128 x, Float128 y) => new(Vector128.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Min(Float128 x, Float128 y) => new(Vector128.Min(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 AtLeast(Float128 x, Float128 lo) => new(Sse.IsSupported ? Sse.Max(lo.Value, x.Value) : Vector128.Max(x.Value, lo.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 AtMost(Float128 x, Float128 hi) => new(Sse.IsSupported ? Sse.Min(hi.Value, x.Value) : Vector128.Min(x.Value, hi.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 ShiftMax(Float128 x, Float128 y) => new(Sse.IsSupported ? Sse.Max(x.Value, y.Value) : Vector128.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Exp(Float128 x) => new(Math128.Exp(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Log(Float128 x) => new(Math128.Log(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 LogPositive(Float128 x) => new(Math128.LogPositive(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Log1p(Float128 x) => new(Math128.Log1p(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Sigmoid(Float128 x) => new(Vector128<float>.One / (Vector128<float>.One + Math128.Exp(-x.Value)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Softplus(Float128 x) => new(AtLeast(x, Zero).Value + Math128.Log1pExpNegAbs(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 SoftplusMinus(Float128 x, Float128 y)
        => new((AtLeast(x, Zero).Value - y.Value) + Math128.Log1pExpNegAbs(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Pow(Float128 x, Float128 y) => LaneMath.Pow<Float128, float>(x, y);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Tanh(Float128 x) => LaneMath.Tanh<Float128, float>(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Sinh(Float128 x) => LaneMath.Sinh<Float128, float>(x);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Select(Float128 mask, Float128 whenTrue, Float128 whenFalse)
        => new(Vector128.ConditionalSelect(mask.Value, whenTrue.Value, whenFalse.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 LessThan(Float128 x, Float128 y) => new(Vector128.LessThan(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 GreaterThan(Float128 x, Float128 y) => new(Vector128.GreaterThan(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 LessThanOrEqual(Float128 x, Float128 y) => new(Vector128.LessThanOrEqual(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 GreaterThanOrEqual(Float128 x, Float128 y) => new(Vector128.GreaterThanOrEqual(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 Equal(Float128 x, Float128 y) => new(Vector128.Equals(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Float128 IsFinite(Float128 x)
        => new(~(Vector128.IsNaN(x.Value) | Vector128.IsPositiveInfinity(x.Value) | Vector128.IsNegativeInfinity(x.Value)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Float128 mask) => Vector128.EqualsAll(mask.Value.AsInt32(), Vector128<int>.AllBitsSet);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Float128 x) => Vector128.Sum(x.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Float128 x)
    {
        Vector128<float> v = Vector128.Max(x.Value, Vector128.Shuffle(x.Value, Vector128.Create(2, 3, 0, 1)));
        return Vector128.Max(v, Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2))).ToScalar();
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MinAcross(Float128 x)
    {
        Vector128<float> v = Vector128.Min(x.Value, Vector128.Shuffle(x.Value, Vector128.Create(2, 3, 0, 1)));
        return Vector128.Min(v, Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2))).ToScalar();
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ShiftMaxAcross(Float128 x)
    {
        Float128 v = ShiftMax(x, new(Vector128.Shuffle(x.Value, Vector128.Create(2, 3, 0, 1))));
        return ShiftMax(v, new(Vector128.Shuffle(v.Value, Vector128.Create(1, 0, 3, 2)))).Value.ToScalar();
    }
}
