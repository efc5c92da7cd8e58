using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace DslLosses.Kernels;

/// <summary>
/// One float lane: the row-by-row kernels and the tails of the vector loops, with <see cref="MathF"/>'s exponential and
/// logarithm and <see cref="LossMath"/>'s log1p, sigmoid and softplus. A mask is a float whose bits are all set (a NaN)
/// or +0; the bitwise operators act on the bits. Public for generated code; not part of the API.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct FloatScalar : ILanes<FloatScalar, float, float>
{
    /// <summary>The lane.</summary>
    public readonly float Value;

    /// <summary>Wraps <paramref name="value"/>.</summary>
    /// <param name="value">The lane.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public FloatScalar(float value) => Value = value;

    /// <inheritdoc/>
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 1;
    }

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => true;
    }

    /// <inheritdoc/>
    public static FloatScalar Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(0f);
    }

    /// <inheritdoc/>
    public static FloatScalar AllBitsSet
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(BitConverter.Int32BitsToSingle(-1));
    }

    /// <inheritdoc/>
    public static FloatScalar Indices
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(0f);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar Create(float value) => new(value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar Mask(bool condition) => condition ? AllBitsSet : Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar Load(ref float source, nint index) => new(Unsafe.Add(ref source, index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(FloatScalar value, ref float destination, nint index) => Unsafe.Add(ref destination, index) = value.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Read(ref float source, nint index) => Unsafe.Add(ref source, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(float value, ref float destination, nint index) => Unsafe.Add(ref destination, index) = value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar LoadIndices(ref int source, nint index) => new(Unsafe.Add(ref source, index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar From(nint done) => done <= 0 ? AllBitsSet : Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar operator +(FloatScalar left, FloatScalar right) => new(left.Value + right.Value);

    // the one member that writes (the reason this struct is not readonly): see ILanes's operator +=
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void operator +=(FloatScalar right) => Unsafe.AsRef(in Value) = Value + right.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar operator -(FloatScalar left, FloatScalar right) => new(left.Value - right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar operator *(FloatScalar left, FloatScalar right) => new(left.Value * right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar operator /(FloatScalar left, FloatScalar right) => new(left.Value / right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar operator -(FloatScalar value) => new(-value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar operator &(FloatScalar left, FloatScalar right) => FromBits(Bits(left) & Bits(right));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar operator |(FloatScalar left, FloatScalar right) => FromBits(Bits(left) | Bits(right));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar operator ~(FloatScalar value) => FromBits(~Bits(value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar Abs(FloatScalar x) => new(MathF.Abs(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar Sqrt(FloatScalar x) => new(MathF.Sqrt(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar Max(FloatScalar x, FloatScalar y) => new(MathF.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar Min(FloatScalar x, FloatScalar y) => new(MathF.Min(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar AtLeast(FloatScalar x, FloatScalar lo) => new(MathF.Max(x.Value, lo.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar AtMost(FloatScalar x, FloatScalar hi) => new(MathF.Min(x.Value, hi.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar ShiftMax(FloatScalar x, FloatScalar y) => new(MathF.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar Exp(FloatScalar x) => new(MathF.Exp(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar Log(FloatScalar x) => new(MathF.Log(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar LogPositive(FloatScalar x) => new(MathF.Log(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar Log1p(FloatScalar x) => new(LossMath.Log1p(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar Sigmoid(FloatScalar x) => new(LossMath.Sigmoid(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar Softplus(FloatScalar x) => new(LossMath.Softplus(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar SoftplusMinus(FloatScalar x, FloatScalar y) => new(LossMath.SoftplusMinus(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar Pow(FloatScalar x, FloatScalar y) => new(MathF.Pow(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar Tanh(FloatScalar x) => new(LossMath.Tanh(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar Sinh(FloatScalar x) => new(LossMath.Sinh(x.Value));

    /// <inheritdoc/>
    /// <remarks>Any set bit selects <paramref name="whenTrue"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar Select(FloatScalar mask, FloatScalar whenTrue, FloatScalar whenFalse) => Bits(mask) != 0 ? whenTrue : whenFalse;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar LessThan(FloatScalar x, FloatScalar y) => Mask(x.Value < y.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar GreaterThan(FloatScalar x, FloatScalar y) => Mask(x.Value > y.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar LessThanOrEqual(FloatScalar x, FloatScalar y) => Mask(x.Value <= y.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar GreaterThanOrEqual(FloatScalar x, FloatScalar y) => Mask(x.Value >= y.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar Equal(FloatScalar x, FloatScalar y) => Mask(x.Value == y.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatScalar IsFinite(FloatScalar x) => Mask(float.IsFinite(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(FloatScalar mask) => Bits(mask) != 0;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(FloatScalar x) => x.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(FloatScalar x) => x.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MinAcross(FloatScalar x) => x.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ShiftMaxAcross(FloatScalar x) => x.Value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bits(FloatScalar x) => BitConverter.SingleToInt32Bits(x.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FloatScalar FromBits(int bits) => new(BitConverter.Int32BitsToSingle(bits));
}

/// <summary>
/// One <see cref="Half"/> element computed in float: widened exactly on the way in, rounded once to the nearest
/// <see cref="Half"/> on the way out; in between everything is <see cref="FloatScalar"/>'s. Public for generated code;
/// not part of the API.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct HalfScalar : ILanes<HalfScalar, Half, float>
{
    /// <summary>The lane.</summary>
    public readonly float Value;

    /// <summary>Wraps <paramref name="value"/>.</summary>
    /// <param name="value">The lane.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public HalfScalar(float value) => Value = value;

    /// <inheritdoc/>
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 1;
    }

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => true;
    }

    /// <inheritdoc/>
    public static HalfScalar Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(0f);
    }

    /// <inheritdoc/>
    public static HalfScalar AllBitsSet
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(BitConverter.Int32BitsToSingle(-1));
    }

    /// <inheritdoc/>
    public static HalfScalar Indices
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(0f);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar Create(float value) => new(value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar Mask(bool condition) => condition ? AllBitsSet : Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar Load(ref Half source, nint index) => new((float)Unsafe.Add(ref source, index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(HalfScalar value, ref Half destination, nint index) => Unsafe.Add(ref destination, index) = (Half)value.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Read(ref Half source, nint index) => (float)Unsafe.Add(ref source, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(float value, ref Half destination, nint index) => Unsafe.Add(ref destination, index) = (Half)value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar LoadIndices(ref int source, nint index) => new(Unsafe.Add(ref source, index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar From(nint done) => done <= 0 ? AllBitsSet : Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar operator +(HalfScalar left, HalfScalar right) => new(left.Value + right.Value);

    // the one member that writes (the reason this struct is not readonly): see ILanes's operator +=
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void operator +=(HalfScalar right) => Unsafe.AsRef(in Value) = Value + right.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar operator -(HalfScalar left, HalfScalar right) => new(left.Value - right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar operator *(HalfScalar left, HalfScalar right) => new(left.Value * right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar operator /(HalfScalar left, HalfScalar right) => new(left.Value / right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar operator -(HalfScalar value) => new(-value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar operator &(HalfScalar left, HalfScalar right) => FromBits(Bits(left) & Bits(right));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar operator |(HalfScalar left, HalfScalar right) => FromBits(Bits(left) | Bits(right));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar operator ~(HalfScalar value) => FromBits(~Bits(value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar Abs(HalfScalar x) => new(MathF.Abs(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar Sqrt(HalfScalar x) => new(MathF.Sqrt(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar Max(HalfScalar x, HalfScalar y) => new(MathF.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar Min(HalfScalar x, HalfScalar y) => new(MathF.Min(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar AtLeast(HalfScalar x, HalfScalar lo) => new(MathF.Max(x.Value, lo.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar AtMost(HalfScalar x, HalfScalar hi) => new(MathF.Min(x.Value, hi.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar ShiftMax(HalfScalar x, HalfScalar y) => new(MathF.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar Exp(HalfScalar x) => new(MathF.Exp(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar Log(HalfScalar x) => new(MathF.Log(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar LogPositive(HalfScalar x) => new(MathF.Log(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar Log1p(HalfScalar x) => new(LossMath.Log1p(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar Sigmoid(HalfScalar x) => new(LossMath.Sigmoid(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar Softplus(HalfScalar x) => new(LossMath.Softplus(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar SoftplusMinus(HalfScalar x, HalfScalar y) => new(LossMath.SoftplusMinus(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar Pow(HalfScalar x, HalfScalar y) => new(MathF.Pow(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar Tanh(HalfScalar x) => new(LossMath.Tanh(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar Sinh(HalfScalar x) => new(LossMath.Sinh(x.Value));

    /// <inheritdoc/>
    /// <remarks>Any set bit selects <paramref name="whenTrue"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar Select(HalfScalar mask, HalfScalar whenTrue, HalfScalar whenFalse) => Bits(mask) != 0 ? whenTrue : whenFalse;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar LessThan(HalfScalar x, HalfScalar y) => Mask(x.Value < y.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar GreaterThan(HalfScalar x, HalfScalar y) => Mask(x.Value > y.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar LessThanOrEqual(HalfScalar x, HalfScalar y) => Mask(x.Value <= y.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar GreaterThanOrEqual(HalfScalar x, HalfScalar y) => Mask(x.Value >= y.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar Equal(HalfScalar x, HalfScalar y) => Mask(x.Value == y.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfScalar IsFinite(HalfScalar x) => Mask(float.IsFinite(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(HalfScalar mask) => Bits(mask) != 0;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(HalfScalar x) => x.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(HalfScalar x) => x.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MinAcross(HalfScalar x) => x.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ShiftMaxAcross(HalfScalar x) => x.Value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bits(HalfScalar x) => BitConverter.SingleToInt32Bits(x.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static HalfScalar FromBits(int bits) => new(BitConverter.Int32BitsToSingle(bits));
}

/// <summary>
/// One double lane: the row-by-row kernels and the tails of the vector loops, with <see cref="Math"/>'s exponential and
/// logarithm and <see cref="LossMath"/>'s log1p, sigmoid and softplus. A mask is a double whose bits are all set (a
/// NaN) or +0; the bitwise operators act on the bits. Public for generated code; not part of the API.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct DoubleScalar : ILanes<DoubleScalar, double, double>
{
    /// <summary>The lane.</summary>
    public readonly double Value;

    /// <summary>Wraps <paramref name="value"/>.</summary>
    /// <param name="value">The lane.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public DoubleScalar(double value) => Value = value;

    /// <inheritdoc/>
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 1;
    }

    /// <inheritdoc/>
    public static bool IsHardwareAccelerated
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => true;
    }

    /// <inheritdoc/>
    public static DoubleScalar Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(0.0);
    }

    /// <inheritdoc/>
    public static DoubleScalar AllBitsSet
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(BitConverter.Int64BitsToDouble(-1L));
    }

    /// <inheritdoc/>
    public static DoubleScalar Indices
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(0.0);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar Create(double value) => new(value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar Mask(bool condition) => condition ? AllBitsSet : Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar Load(ref double source, nint index) => new(Unsafe.Add(ref source, index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(DoubleScalar value, ref double destination, nint index) => Unsafe.Add(ref destination, index) = value.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Read(ref double source, nint index) => Unsafe.Add(ref source, index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(double value, ref double destination, nint index) => Unsafe.Add(ref destination, index) = value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar LoadIndices(ref int source, nint index) => new(Unsafe.Add(ref source, index));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar From(nint done) => done <= 0 ? AllBitsSet : Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar operator +(DoubleScalar left, DoubleScalar right) => new(left.Value + right.Value);

    // the one member that writes (the reason this struct is not readonly): see ILanes's operator +=
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void operator +=(DoubleScalar right) => Unsafe.AsRef(in Value) = Value + right.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar operator -(DoubleScalar left, DoubleScalar right) => new(left.Value - right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar operator *(DoubleScalar left, DoubleScalar right) => new(left.Value * right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar operator /(DoubleScalar left, DoubleScalar right) => new(left.Value / right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar operator -(DoubleScalar value) => new(-value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar operator &(DoubleScalar left, DoubleScalar right) => FromBits(Bits(left) & Bits(right));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar operator |(DoubleScalar left, DoubleScalar right) => FromBits(Bits(left) | Bits(right));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar operator ~(DoubleScalar value) => FromBits(~Bits(value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar Abs(DoubleScalar x) => new(Math.Abs(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar Sqrt(DoubleScalar x) => new(Math.Sqrt(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar Max(DoubleScalar x, DoubleScalar y) => new(Math.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar Min(DoubleScalar x, DoubleScalar y) => new(Math.Min(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar AtLeast(DoubleScalar x, DoubleScalar lo) => new(Math.Max(x.Value, lo.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar AtMost(DoubleScalar x, DoubleScalar hi) => new(Math.Min(x.Value, hi.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar ShiftMax(DoubleScalar x, DoubleScalar y) => new(Math.Max(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar Exp(DoubleScalar x) => new(Math.Exp(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar Log(DoubleScalar x) => new(Math.Log(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar LogPositive(DoubleScalar x) => new(Math.Log(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar Log1p(DoubleScalar x) => new(LossMath.Log1p(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar Sigmoid(DoubleScalar x) => new(LossMath.Sigmoid(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar Softplus(DoubleScalar x) => new(LossMath.Softplus(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar SoftplusMinus(DoubleScalar x, DoubleScalar y) => new(LossMath.SoftplusMinus(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar Pow(DoubleScalar x, DoubleScalar y) => new(Math.Pow(x.Value, y.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar Tanh(DoubleScalar x) => new(LossMath.Tanh(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar Sinh(DoubleScalar x) => new(LossMath.Sinh(x.Value));

    /// <inheritdoc/>
    /// <remarks>Any set bit selects <paramref name="whenTrue"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar Select(DoubleScalar mask, DoubleScalar whenTrue, DoubleScalar whenFalse) => Bits(mask) != 0 ? whenTrue : whenFalse;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar LessThan(DoubleScalar x, DoubleScalar y) => Mask(x.Value < y.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar GreaterThan(DoubleScalar x, DoubleScalar y) => Mask(x.Value > y.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar LessThanOrEqual(DoubleScalar x, DoubleScalar y) => Mask(x.Value <= y.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar GreaterThanOrEqual(DoubleScalar x, DoubleScalar y) => Mask(x.Value >= y.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar Equal(DoubleScalar x, DoubleScalar y) => Mask(x.Value == y.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DoubleScalar IsFinite(DoubleScalar x) => Mask(double.IsFinite(x.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(DoubleScalar mask) => Bits(mask) != 0;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(DoubleScalar x) => x.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MaxAcross(DoubleScalar x) => x.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double MinAcross(DoubleScalar x) => x.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ShiftMaxAcross(DoubleScalar x) => x.Value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Bits(DoubleScalar x) => BitConverter.DoubleToInt64Bits(x.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static DoubleScalar FromBits(long bits) => new(BitConverter.Int64BitsToDouble(bits));
}
