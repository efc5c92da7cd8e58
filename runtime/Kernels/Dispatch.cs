using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace DslLosses.Kernels;

/// <summary>
/// The kernels of one formula, as the generator emits them: a ref struct holding the kernel arguments (the formula's
/// inputs as references to their first elements, the sample weights, the output), its facts as constants, and one
/// forwarding member per kernel body it has. <see cref="Dispatch"/> picks the body for the element type, the width the
/// hardware accelerates and the shape allows, the row tiles and the flat total; the JIT compiles it once per formula
/// and folds every fact.
/// </summary>
/// <remarks>
/// The bodies take the loop geometry (<c>outer</c> rows of <c>c</c> x <c>inner</c> elements, from row <c>start</c>) as
/// arguments, since the dispatcher changes it for the flat total and after the row tiles. A body the formula does not
/// have (an element type or reduction it was generated without) keeps the default, which throws.
/// Implemented by generated code; not meant to be implemented by hand.
/// </remarks>
/// <typeparam name="TSelf">The kernels type itself.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IFormulaKernels<TSelf> where TSelf : IFormulaKernels<TSelf>, allows ref struct
{
    /// <summary>The loss's name, for errors.</summary>
    static abstract string LossName { get; }

    /// <summary>The element types the formula was generated for.</summary>
    static abstract LossElementTypes ElementTypes { get; }

    /// <summary>Whether the formula loops over elements (the vector length is the number of elements), not over rows along a loss axis (it is the axis length).</summary>
    static abstract bool Elementwise { get; }

    /// <summary>Whether lanes wider than one element may run the bodies (not for unrolled literal axes, per-element labels or masks).</summary>
    static abstract bool Vectorizable { get; }

    /// <summary>Whether a sample weight applies per element: then weighted bodies run one element per lane.</summary>
    static abstract bool PerElementWeights { get; }

    /// <summary>Whether the unweighted total has a flat body over every element (the row sums add up to it).</summary>
    static virtual bool FlatTotal => false;

    /// <summary>Whether the flat total is divided by the loss-axis length (a mean along it).</summary>
    static virtual bool FlatMean => false;

    /// <summary>How many tensors a float row tile transposes; 0 when the formula has no row-tiled body.</summary>
    static virtual int RowTileTensors => 0;

    /// <summary>The loss body computed in float (float and Half data).</summary>
    static virtual double LossInFloat<TS, TL, TOut, TW>(ref TSelf a, nint outer, nint c, nint inner, nint start)
        where TS : unmanaged where TL : struct, ILanes<TL, TS, float> where TOut : struct, IKernelOutput where TW : struct, IWeighting
        => throw Shapes.UnsupportedElementType(TSelf.LossName, typeof(TS));

    /// <summary>The loss body computed in double.</summary>
    static virtual double LossInDouble<TS, TL, TOut, TW>(ref TSelf a, nint outer, nint c, nint inner, nint start)
        where TS : unmanaged where TL : struct, ILanes<TL, TS, double> where TOut : struct, IKernelOutput where TW : struct, IWeighting
        => throw Shapes.UnsupportedElementType(TSelf.LossName, typeof(TS));

    /// <summary>The flat unweighted total computed in float.</summary>
    static virtual double FlatTotalInFloat<TS, TL, TOut, TW>(ref TSelf a, nint outer, nint c, nint inner, nint start)
        where TS : unmanaged where TL : struct, ILanes<TL, TS, float> where TOut : struct, IKernelOutput where TW : struct, IWeighting
        => throw Shapes.UnsupportedElementType(TSelf.LossName, typeof(TS));

    /// <summary>The flat unweighted total computed in double.</summary>
    static virtual double FlatTotalInDouble<TS, TL, TOut, TW>(ref TSelf a, nint outer, nint c, nint inner, nint start)
        where TS : unmanaged where TL : struct, ILanes<TL, TS, double> where TOut : struct, IKernelOutput where TW : struct, IWeighting
        => throw Shapes.UnsupportedElementType(TSelf.LossName, typeof(TS));

    /// <summary>The row-tiled float loss body: whole tiles of rows, one row per lane; <paramref name="rows"/> is the first row it left over.</summary>
    static virtual double LossInRowTiles<TL, TOut>(ref TSelf a, nint outer, nint c, nint inner, nint start, out nint rows)
        where TL : struct, IRowTileLanes<TL> where TOut : struct, IKernelOutput
        => throw Shapes.UnsupportedElementType(TSelf.LossName, typeof(float));

    /// <summary>The gradient body computed in float (float and Half data).</summary>
    static virtual double GradientInFloat<TS, TL, TOut, TW>(ref TSelf a, nint outer, nint c, nint inner, nint start)
        where TS : unmanaged where TL : struct, ILanes<TL, TS, float> where TOut : struct, IKernelOutput where TW : struct, IWeighting
        => throw Shapes.UnsupportedElementType(TSelf.LossName, typeof(TS));

    /// <summary>The gradient body computed in double.</summary>
    static virtual double GradientInDouble<TS, TL, TOut, TW>(ref TSelf a, nint outer, nint c, nint inner, nint start)
        where TS : unmanaged where TL : struct, ILanes<TL, TS, double> where TOut : struct, IKernelOutput where TW : struct, IWeighting
        => throw Shapes.UnsupportedElementType(TSelf.LossName, typeof(TS));
}

/// <summary>
/// Runs a formula's kernels (<see cref="IFormulaKernels{TSelf}"/>) on data of element type <c>T</c>: the element type
/// picks the bodies (float and Half computed in float, double in double; Half one element per lane), then the widest
/// lanes the hardware accelerates and the shape allows, the float row tiles for narrow loss axes, and the flat total.
/// Every test is on a constant of the JIT (a type or a fact) except the lengths.
/// </summary>
/// <remarks>Used by generated code; not meant to be called directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Dispatch
{
    /// <summary>The loss body (total or per-sample, by <typeparamref name="TOut"/>) over rows <paramref name="start"/> to <paramref name="outer"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Loss<T, TK, TOut, TW>(ref TK a, nint outer, nint c, nint inner, nint start)
        where T : unmanaged where TK : IFormulaKernels<TK>, allows ref struct where TOut : struct, IKernelOutput where TW : struct, IWeighting
    {
        if (typeof(T) == typeof(float) && (TK.ElementTypes & LossElementTypes.Single) != 0)
        {
            if (TK.FlatTotal && TOut.AddsTotal && !TW.IsWeighted)
            {
                // Σ over rows of Σ_c h = Σ over every element of h: one flat loop, no per-row sums
                double flat = FlatFloat<TK, TOut, TW>(ref a, outer * c * inner, c, (outer - start) * c * inner, start * c * inner);
                return !TK.FlatMean ? flat : c == 0 ? 0.0 : flat / c;
            }
            if (TK.RowTileTensors > 0)
            {
                // a narrow loss axis: whole tiles of rows first, one row per lane; the rows left over row by row
                double tiles = 0.0;
                if (!TW.IsWeighted)
                {
                    int lanes = RowTileLanes<TK>(outer - start, c, inner);
                    if (lanes == Float512.Count)
                        tiles = TK.LossInRowTiles<Float512, TOut>(ref a, outer, c, inner, start, out start);
                    else if (lanes == Float256.Count)
                        tiles = TK.LossInRowTiles<Float256, TOut>(ref a, outer, c, inner, start, out start);
                }
                return tiles + LossFloat<TK, TOut, TW>(ref a, outer, c, inner, start);
            }
            return LossFloat<TK, TOut, TW>(ref a, outer, c, inner, start);
        }
        if (typeof(T) == typeof(double) && (TK.ElementTypes & LossElementTypes.Double) != 0)
        {
            if (TK.FlatTotal && TOut.AddsTotal && !TW.IsWeighted)
            {
                double flat = FlatDouble<TK, TOut, TW>(ref a, outer * c * inner, c, (outer - start) * c * inner, start * c * inner);
                return !TK.FlatMean ? flat : c == 0 ? 0.0 : flat / c;
            }
            if (Wide<TK, TW>(inner))
            {
                nint length = TK.Elementwise ? outer - start : c;
                if (Double512.IsHardwareAccelerated && length >= Double512.Count)
                    return TK.LossInDouble<double, Double512, TOut, TW>(ref a, outer, c, inner, start);
                if (Double256.IsHardwareAccelerated && length >= Double256.Count)
                    return TK.LossInDouble<double, Double256, TOut, TW>(ref a, outer, c, inner, start);
                if (Double128.IsHardwareAccelerated && length >= Double128.Count)
                    return TK.LossInDouble<double, Double128, TOut, TW>(ref a, outer, c, inner, start);
            }
            return TK.LossInDouble<double, DoubleScalar, TOut, TW>(ref a, outer, c, inner, start);
        }
        if (typeof(T) == typeof(System.Half) && (TK.ElementTypes & LossElementTypes.Half) != 0)
        {
            if (TK.FlatTotal && TOut.AddsTotal && !TW.IsWeighted)
            {
                double flat = TK.FlatTotalInFloat<System.Half, HalfScalar, TOut, TW>(ref a, outer * c * inner, c, 1, start * c * inner);
                return !TK.FlatMean ? flat : c == 0 ? 0.0 : flat / c;
            }
            return TK.LossInFloat<System.Half, HalfScalar, TOut, TW>(ref a, outer, c, inner, start);
        }
        throw Shapes.UnsupportedElementType(TK.LossName, typeof(T));
    }

    /// <summary>
    /// Whether <see cref="Loss{T, TK, TOut, TW}"/> runs float row tiles for the unweighted total over
    /// <paramref name="rows"/> rows of <paramref name="c"/> x <paramref name="inner"/> elements: the same test it makes.
    /// Where it does, the total adds the tiles' row losses, which the row-by-row bodies (and the gradient bodies, which
    /// have no row tiles) may round differently; where it does not, the gradient body's total is the loss body's.
    /// </summary>
    /// <typeparam name="T">The element type of the data.</typeparam>
    /// <typeparam name="TK">The formula's kernels.</typeparam>
    /// <param name="rows">How many rows the total runs over (a chunk's, for a chunked run).</param>
    /// <param name="c">The loss-axis length.</param>
    /// <param name="inner">The elements after the loss axis.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TotalTakesRowTiles<T, TK>(nint rows, nint c, nint inner)
        where T : unmanaged where TK : IFormulaKernels<TK>, allows ref struct
        => typeof(T) == typeof(float) && (TK.ElementTypes & LossElementTypes.Single) != 0 && !TK.FlatTotal
           && TK.RowTileTensors > 0 && RowTileLanes<TK>(rows, c, inner) != 0;

    /// <summary>
    /// The lanes of the float row tiles an unweighted loss body runs over <paramref name="rows"/> rows: 16 (Vector512),
    /// 8 (Vector256), or 0 when it runs no tiles (a loss axis too wide or not contiguous, too few rows).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RowTileLanes<TK>(nint rows, nint c, nint inner)
        where TK : IFormulaKernels<TK>, allows ref struct
    {
        if (TK.RowTileTensors == 0 || inner != 1)
            return 0;
        if (Float512.IsHardwareAccelerated && c <= Float512.MaxTileColumns(TK.RowTileTensors) && rows >= Float512.Count)
            return Float512.Count;
        if (Float256.IsHardwareAccelerated && c <= Float256.MaxTileColumns(TK.RowTileTensors) && rows >= Float256.Count)
            return Float256.Count;
        return 0;
    }

    /// <summary>The gradient body (with the loss total too, by <typeparamref name="TOut"/>) over rows <paramref name="start"/> to <paramref name="outer"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Gradient<T, TK, TOut, TW>(ref TK a, nint outer, nint c, nint inner, nint start)
        where T : unmanaged where TK : IFormulaKernels<TK>, allows ref struct where TOut : struct, IKernelOutput where TW : struct, IWeighting
    {
        if (typeof(T) == typeof(float) && (TK.ElementTypes & LossElementTypes.Single) != 0)
        {
            if (Wide<TK, TW>(inner))
            {
                nint length = TK.Elementwise ? outer - start : c;
                if (Float512.IsHardwareAccelerated && length >= Float512.Count)
                    return TK.GradientInFloat<float, Float512, TOut, TW>(ref a, outer, c, inner, start);
                if (Float256.IsHardwareAccelerated && length >= Float256.Count)
                    return TK.GradientInFloat<float, Float256, TOut, TW>(ref a, outer, c, inner, start);
                if (Float128.IsHardwareAccelerated && length >= Float128.Count)
                    return TK.GradientInFloat<float, Float128, TOut, TW>(ref a, outer, c, inner, start);
            }
            return TK.GradientInFloat<float, FloatScalar, TOut, TW>(ref a, outer, c, inner, start);
        }
        if (typeof(T) == typeof(double) && (TK.ElementTypes & LossElementTypes.Double) != 0)
        {
            if (Wide<TK, TW>(inner))
            {
                nint length = TK.Elementwise ? outer - start : c;
                if (Double512.IsHardwareAccelerated && length >= Double512.Count)
                    return TK.GradientInDouble<double, Double512, TOut, TW>(ref a, outer, c, inner, start);
                if (Double256.IsHardwareAccelerated && length >= Double256.Count)
                    return TK.GradientInDouble<double, Double256, TOut, TW>(ref a, outer, c, inner, start);
                if (Double128.IsHardwareAccelerated && length >= Double128.Count)
                    return TK.GradientInDouble<double, Double128, TOut, TW>(ref a, outer, c, inner, start);
            }
            return TK.GradientInDouble<double, DoubleScalar, TOut, TW>(ref a, outer, c, inner, start);
        }
        if (typeof(T) == typeof(System.Half) && (TK.ElementTypes & LossElementTypes.Half) != 0)
            return TK.GradientInFloat<System.Half, HalfScalar, TOut, TW>(ref a, outer, c, inner, start);
        throw Shapes.UnsupportedElementType(TK.LossName, typeof(T));
    }

    /// <summary>
    /// Whether lanes wider than one element may run: the body allows them, a weighted body with a weight per element
    /// runs one element per lane, and whole vectors need a contiguous loss axis (<c>inner == 1</c>; always so for
    /// elementwise formulas and for loss axes that are the last).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Wide<TK, TW>(nint inner)
        where TK : IFormulaKernels<TK>, allows ref struct where TW : struct, IWeighting
        => TK.Vectorizable && !(TK.PerElementWeights && TW.IsWeighted) && inner == 1;

    /// <summary>The row-by-row float loss body at the widest lanes allowed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double LossFloat<TK, TOut, TW>(ref TK a, nint outer, nint c, nint inner, nint start)
        where TK : IFormulaKernels<TK>, allows ref struct where TOut : struct, IKernelOutput where TW : struct, IWeighting
    {
        if (Wide<TK, TW>(inner))
        {
            nint length = TK.Elementwise ? outer - start : c;
            if (Float512.IsHardwareAccelerated && length >= Float512.Count)
                return TK.LossInFloat<float, Float512, TOut, TW>(ref a, outer, c, inner, start);
            if (Float256.IsHardwareAccelerated && length >= Float256.Count)
                return TK.LossInFloat<float, Float256, TOut, TW>(ref a, outer, c, inner, start);
            if (Float128.IsHardwareAccelerated && length >= Float128.Count)
                return TK.LossInFloat<float, Float128, TOut, TW>(ref a, outer, c, inner, start);
        }
        return TK.LossInFloat<float, FloatScalar, TOut, TW>(ref a, outer, c, inner, start);
    }

    /// <summary>The flat float total over the <paramref name="count"/> elements from <paramref name="first"/> to <paramref name="all"/>, as one flat axis (<c>inner</c> = 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double FlatFloat<TK, TOut, TW>(ref TK a, nint all, nint c, nint count, nint first)
        where TK : IFormulaKernels<TK>, allows ref struct where TOut : struct, IKernelOutput where TW : struct, IWeighting
    {
        if (Float512.IsHardwareAccelerated && count >= Float512.Count)
            return TK.FlatTotalInFloat<float, Float512, TOut, TW>(ref a, all, c, 1, first);
        if (Float256.IsHardwareAccelerated && count >= Float256.Count)
            return TK.FlatTotalInFloat<float, Float256, TOut, TW>(ref a, all, c, 1, first);
        if (Float128.IsHardwareAccelerated && count >= Float128.Count)
            return TK.FlatTotalInFloat<float, Float128, TOut, TW>(ref a, all, c, 1, first);
        return TK.FlatTotalInFloat<float, FloatScalar, TOut, TW>(ref a, all, c, 1, first);
    }

    /// <summary>The flat double total, as <see cref="FlatFloat"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double FlatDouble<TK, TOut, TW>(ref TK a, nint all, nint c, nint count, nint first)
        where TK : IFormulaKernels<TK>, allows ref struct where TOut : struct, IKernelOutput where TW : struct, IWeighting
    {
        if (Double512.IsHardwareAccelerated && count >= Double512.Count)
            return TK.FlatTotalInDouble<double, Double512, TOut, TW>(ref a, all, c, 1, first);
        if (Double256.IsHardwareAccelerated && count >= Double256.Count)
            return TK.FlatTotalInDouble<double, Double256, TOut, TW>(ref a, all, c, 1, first);
        if (Double128.IsHardwareAccelerated && count >= Double128.Count)
            return TK.FlatTotalInDouble<double, Double128, TOut, TW>(ref a, all, c, 1, first);
        return TK.FlatTotalInDouble<double, DoubleScalar, TOut, TW>(ref a, all, c, 1, first);
    }

    /// <summary>A scalar argument of <typeparamref name="T"/> data (float or Half) in the float compute type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToFloat<T>(T value) where T : unmanaged
        => typeof(T) == typeof(System.Half) ? (float)Unsafe.BitCast<T, System.Half>(value) : Unsafe.BitCast<T, float>(value);

    /// <summary>A scalar argument of <typeparamref name="T"/> data (double) in the double compute type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ToDouble<T>(T value) where T : unmanaged => Unsafe.BitCast<T, double>(value);
}
