using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DslLosses.Kernels;

/// <summary>
/// The row tiles of <see cref="Float512"/> and <see cref="Float256"/> (<see cref="IRowTileLanes{TSelf}"/>): a tile of
/// rows of a narrow class axis turned column-major, labels picked from it, elements gathered from scattered rows.
/// </summary>
internal static class RowTiles
{
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

    /// <summary>
    /// The row tile of a narrow class axis turned column-major: <paramref name="tile"/><c>[j * 16 + l]</c> becomes
    /// <paramref name="rows"/><c>[l * c + j]</c> for 16 rows <c>l</c> and every column <c>j &lt; c</c>
    /// (<paramref name="tile"/> holds <c>c * 16</c> floats). On AVX-512 an axis of up to 15 columns (the widest the
    /// generated kernels tile on Vector512) is 16 row loads and one 16 x 16 in-register transpose (four rounds of
    /// shuffles): gathers cost several times more per element on current cores. A wider axis is transposed in 16 x 16
    /// blocks the same way (the last block of a row reads on into the next row; a last column on its own is copied
    /// element by element); without AVX-512, element by element. No element at or past <paramref name="available"/>
    /// (counted from <paramref name="rows"/>) is read: the rows that would reach it are loaded under a mask.
    /// </summary>
    // the transpose is inlined here, and this is kept out of the kernels' tile loops, as when it was one method body
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void RowsToColumns16(ref float rows, nint c, nint available, ref float tile)
    {
        if (c == 1)
        {
            Vector512.LoadUnsafe(ref rows).StoreUnsafe(ref tile);
            return;
        }
        if (!Avx512F.IsSupported)
        {
            RowsToColumns(ref rows, c, 16, ref tile);
            return;
        }
        if (c > 15)
        {
            Blocks16(ref rows, c, available, ref tile);
            return;
        }
        Block16(ref rows, c, available, c, ref tile);
    }

    /// <summary><see cref="RowsToColumns16"/> on AVX-512 for an axis of 16 columns or more: a 16 x 16 block per 16 columns.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Blocks16(ref float rows, nint c, nint available, ref float tile)
    {
        nint j = 0;
        for (; j < c - 1; j += 16)
        {
            Vector512<float> column15 = Block16(ref Unsafe.Add(ref rows, j), c, available - j, c - j, ref Unsafe.Add(ref tile, j * 16));
            if (c - j > 15)
                column15.StoreUnsafe(ref tile, (nuint)(j * 16 + 240));
        }
        // a last column on its own (c = 16k + 1): Block16 stores at least two
        if (j < c)
        {
            for (nint l = 0; l < 16; l++)
                Unsafe.Add(ref tile, j * 16 + l) = Unsafe.Add(ref rows, l * c + j);
        }
    }

    /// <summary>
    /// Columns <c>0 .. min(n, 15) - 1</c> (<paramref name="n"/> at least 2) of a 16-row block, row <c>l</c> at
    /// <c>l * c</c>, transposed into <paramref name="tile"/>, loads masked at the end of the data; column 15 is returned
    /// for the caller to store (an axis of up to 15 columns has none, and computes none once this is inlined).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Block16(ref float rows, nint c, nint available, nint n, ref float tile)
    {
        var r0 = Row512(ref rows, 0, c, available); var r1 = Row512(ref rows, 1, c, available);
        var r2 = Row512(ref rows, 2, c, available); var r3 = Row512(ref rows, 3, c, available);
        var r4 = Row512(ref rows, 4, c, available); var r5 = Row512(ref rows, 5, c, available);
        var r6 = Row512(ref rows, 6, c, available); var r7 = Row512(ref rows, 7, c, available);
        var r8 = Row512(ref rows, 8, c, available); var r9 = Row512(ref rows, 9, c, available);
        var r10 = Row512(ref rows, 10, c, available); var r11 = Row512(ref rows, 11, c, available);
        var r12 = Row512(ref rows, 12, c, available); var r13 = Row512(ref rows, 13, c, available);
        var r14 = Row512(ref rows, 14, c, available); var r15 = Row512(ref rows, 15, c, available);
        // pairs of rows interleaved by element, then by pairs of elements, then by 128-bit quarters twice
        var t0 = Avx512F.UnpackLow(r0, r1); var t1 = Avx512F.UnpackHigh(r0, r1);
        var t2 = Avx512F.UnpackLow(r2, r3); var t3 = Avx512F.UnpackHigh(r2, r3);
        var t4 = Avx512F.UnpackLow(r4, r5); var t5 = Avx512F.UnpackHigh(r4, r5);
        var t6 = Avx512F.UnpackLow(r6, r7); var t7 = Avx512F.UnpackHigh(r6, r7);
        var t8 = Avx512F.UnpackLow(r8, r9); var t9 = Avx512F.UnpackHigh(r8, r9);
        var t10 = Avx512F.UnpackLow(r10, r11); var t11 = Avx512F.UnpackHigh(r10, r11);
        var t12 = Avx512F.UnpackLow(r12, r13); var t13 = Avx512F.UnpackHigh(r12, r13);
        var t14 = Avx512F.UnpackLow(r14, r15); var t15 = Avx512F.UnpackHigh(r14, r15);
        r0 = PairsLow(t0, t2); r1 = PairsHigh(t0, t2); r2 = PairsLow(t1, t3); r3 = PairsHigh(t1, t3);
        r4 = PairsLow(t4, t6); r5 = PairsHigh(t4, t6); r6 = PairsLow(t5, t7); r7 = PairsHigh(t5, t7);
        r8 = PairsLow(t8, t10); r9 = PairsHigh(t8, t10); r10 = PairsLow(t9, t11); r11 = PairsHigh(t9, t11);
        r12 = PairsLow(t12, t14); r13 = PairsHigh(t12, t14); r14 = PairsLow(t13, t15); r15 = PairsHigh(t13, t15);
        t0 = Avx512F.Shuffle4x128(r0, r4, 0x88); t1 = Avx512F.Shuffle4x128(r1, r5, 0x88);
        t2 = Avx512F.Shuffle4x128(r2, r6, 0x88); t3 = Avx512F.Shuffle4x128(r3, r7, 0x88);
        t4 = Avx512F.Shuffle4x128(r0, r4, 0xDD); t5 = Avx512F.Shuffle4x128(r1, r5, 0xDD);
        t6 = Avx512F.Shuffle4x128(r2, r6, 0xDD); t7 = Avx512F.Shuffle4x128(r3, r7, 0xDD);
        t8 = Avx512F.Shuffle4x128(r8, r12, 0x88); t9 = Avx512F.Shuffle4x128(r9, r13, 0x88);
        t10 = Avx512F.Shuffle4x128(r10, r14, 0x88); t11 = Avx512F.Shuffle4x128(r11, r15, 0x88);
        t12 = Avx512F.Shuffle4x128(r8, r12, 0xDD); t13 = Avx512F.Shuffle4x128(r9, r13, 0xDD);
        t14 = Avx512F.Shuffle4x128(r10, r14, 0xDD); t15 = Avx512F.Shuffle4x128(r11, r15, 0xDD);
        // column j is the j-th result; only the first n (of at most 15) are stored
        Avx512F.Shuffle4x128(t0, t8, 0x88).StoreUnsafe(ref tile, 0);
        Avx512F.Shuffle4x128(t1, t9, 0x88).StoreUnsafe(ref tile, 16);
        if (n > 2) Avx512F.Shuffle4x128(t2, t10, 0x88).StoreUnsafe(ref tile, 32);
        if (n > 3) Avx512F.Shuffle4x128(t3, t11, 0x88).StoreUnsafe(ref tile, 48);
        if (n > 4) Avx512F.Shuffle4x128(t4, t12, 0x88).StoreUnsafe(ref tile, 64);
        if (n > 5) Avx512F.Shuffle4x128(t5, t13, 0x88).StoreUnsafe(ref tile, 80);
        if (n > 6) Avx512F.Shuffle4x128(t6, t14, 0x88).StoreUnsafe(ref tile, 96);
        if (n > 7) Avx512F.Shuffle4x128(t7, t15, 0x88).StoreUnsafe(ref tile, 112);
        if (n > 8) Avx512F.Shuffle4x128(t0, t8, 0xDD).StoreUnsafe(ref tile, 128);
        if (n > 9) Avx512F.Shuffle4x128(t1, t9, 0xDD).StoreUnsafe(ref tile, 144);
        if (n > 10) Avx512F.Shuffle4x128(t2, t10, 0xDD).StoreUnsafe(ref tile, 160);
        if (n > 11) Avx512F.Shuffle4x128(t3, t11, 0xDD).StoreUnsafe(ref tile, 176);
        if (n > 12) Avx512F.Shuffle4x128(t4, t12, 0xDD).StoreUnsafe(ref tile, 192);
        if (n > 13) Avx512F.Shuffle4x128(t5, t13, 0xDD).StoreUnsafe(ref tile, 208);
        if (n > 14) Avx512F.Shuffle4x128(t6, t14, 0xDD).StoreUnsafe(ref tile, 224);
        return Avx512F.Shuffle4x128(t7, t15, 0xDD);
    }

    /// <summary>
    /// <see cref="RowsToColumns16"/> for a tile of 8 rows and any <paramref name="c"/>: on AVX, 8 x 8 blocks of 8 row
    /// loads and an in-register transpose each (the last block of a row reads on into the next row or, at the end of
    /// the data, under a mask); element by element otherwise. <paramref name="tile"/> holds <c>c * 8</c> floats.
    /// </summary>
    public static unsafe void RowsToColumns8(ref float rows, nint c, nint available, ref float tile)
    {
        if (c == 1)
        {
            Vector256.LoadUnsafe(ref rows).StoreUnsafe(ref tile);
            return;
        }
        if (!Avx.IsSupported)
        {
            RowsToColumns(ref rows, c, 8, ref tile);
            return;
        }
        nint j = 0;
        // whole blocks (eight columns, every row's eight elements inside the data): plain loads and stores
        for (; j <= c - 8 && 7 * c + j + 8 <= available; j += 8)
        {
            ref float block = ref Unsafe.Add(ref rows, j);
            var r0 = Vector256.LoadUnsafe(ref block); var r1 = Vector256.LoadUnsafe(ref block, (nuint)c);
            var r2 = Vector256.LoadUnsafe(ref block, (nuint)(2 * c)); var r3 = Vector256.LoadUnsafe(ref block, (nuint)(3 * c));
            var r4 = Vector256.LoadUnsafe(ref block, (nuint)(4 * c)); var r5 = Vector256.LoadUnsafe(ref block, (nuint)(5 * c));
            var r6 = Vector256.LoadUnsafe(ref block, (nuint)(6 * c)); var r7 = Vector256.LoadUnsafe(ref block, (nuint)(7 * c));
            Transpose8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
            // the next tile's rows (contiguous, 8c floats), four cache lines per block of this one: eight rows read
            // side by side are eight streams the hardware prefetchers follow less well than one
            if (Sse.IsSupported)
            {
                ref float ahead = ref Unsafe.Add(ref block, 8 * c + 7 * j);
                Sse.Prefetch0(Unsafe.AsPointer(ref ahead));
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref ahead, 16)));
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref ahead, 32)));
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref ahead, 48)));
            }
            ref float to = ref Unsafe.Add(ref tile, j * 8);
            r0.StoreUnsafe(ref to, 0); r1.StoreUnsafe(ref to, 8); r2.StoreUnsafe(ref to, 16); r3.StoreUnsafe(ref to, 24);
            r4.StoreUnsafe(ref to, 32); r5.StoreUnsafe(ref to, 40); r6.StoreUnsafe(ref to, 48); r7.StoreUnsafe(ref to, 56);
        }
        // the rest: a block narrower than eight columns, or one that reaches the end of the data
        for (; j < c; j += 8)
            Block8(ref Unsafe.Add(ref rows, j), c, available - j, c - j, ref Unsafe.Add(ref tile, j * 8));
    }

    /// <summary>Columns <c>0 .. min(n, 8) - 1</c> of an 8-row block transposed into <paramref name="tile"/>, loads masked at the end of the data.</summary>
    private static void Block8(ref float rows, nint c, nint available, nint n, ref float tile)
    {
        var r0 = Row256(ref rows, 0, c, available); var r1 = Row256(ref rows, 1, c, available);
        var r2 = Row256(ref rows, 2, c, available); var r3 = Row256(ref rows, 3, c, available);
        var r4 = Row256(ref rows, 4, c, available); var r5 = Row256(ref rows, 5, c, available);
        var r6 = Row256(ref rows, 6, c, available); var r7 = Row256(ref rows, 7, c, available);
        Transpose8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        r0.StoreUnsafe(ref tile, 0);
        if (n > 1) r1.StoreUnsafe(ref tile, 8);
        if (n > 2) r2.StoreUnsafe(ref tile, 16);
        if (n > 3) r3.StoreUnsafe(ref tile, 24);
        if (n > 4) r4.StoreUnsafe(ref tile, 32);
        if (n > 5) r5.StoreUnsafe(ref tile, 40);
        if (n > 6) r6.StoreUnsafe(ref tile, 48);
        if (n > 7) r7.StoreUnsafe(ref tile, 56);
    }

    /// <summary>An 8 x 8 transpose in registers: element k of row l becomes element l of row k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(ref Vector256<float> r0, ref Vector256<float> r1, ref Vector256<float> r2, ref Vector256<float> r3,
        ref Vector256<float> r4, ref Vector256<float> r5, ref Vector256<float> r6, ref Vector256<float> r7)
    {
        // pairs of rows interleaved by element, then by pairs of elements, then the 128-bit halves exchanged
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        r0 = Avx.Permute2x128(s0, s4, 0x20); r1 = Avx.Permute2x128(s1, s5, 0x20);
        r2 = Avx.Permute2x128(s2, s6, 0x20); r3 = Avx.Permute2x128(s3, s7, 0x20);
        r4 = Avx.Permute2x128(s0, s4, 0x31); r5 = Avx.Permute2x128(s1, s5, 0x31);
        r6 = Avx.Permute2x128(s2, s6, 0x31); r7 = Avx.Permute2x128(s3, s7, 0x31);
    }

    private static void RowsToColumns(ref float rows, nint c, int lanes, ref float tile)
    {
        for (nint l = 0; l < lanes; l++)
        {
            for (nint j = 0; j < c; j++)
                Unsafe.Add(ref tile, j * lanes + l) = Unsafe.Add(ref rows, l * c + j);
        }
    }

    /// <summary>Row <paramref name="l"/> of a tile and the elements after it, zero from <paramref name="available"/> on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> Row512(ref float rows, nint l, nint c, nint available)
    {
        nint at = l * c;
        if (at + 16 <= available)
            return Vector512.LoadUnsafe(ref rows, (nuint)at);
        Vector512<float> inside = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create((int)(available - at))).AsSingle();
        fixed (float* p = &rows)
            return Avx512F.MaskLoad(p + at, inside, Vector512<float>.Zero);
    }

    /// <inheritdoc cref="Row512"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Row256(ref float rows, nint l, nint c, nint available)
    {
        nint at = l * c;
        if (at + 8 <= available)
            return Vector256.LoadUnsafe(ref rows, (nuint)at);
        Vector256<float> inside = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create((int)(available - at))).AsSingle();
        fixed (float* p = &rows)
            return Avx.MaskLoad(p + at, inside);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> PairsLow(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> PairsHigh(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).AsSingle();

    /// <summary>
    /// Lane <c>l</c> of column <paramref name="label"/><c>[l]</c> of a column-major tile (<see cref="RowsToColumns16"/>):
    /// one compare and blend per column instead of a gather. Every label is below <paramref name="c"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> AtLabels(ref float tile, Vector512<int> label, nint c)
    {
        Vector512<float> result = Vector512.LoadUnsafe(ref tile);
        for (nint j = 1; j < c; j++)
            result = Vector512.ConditionalSelect(Vector512.Equals(label, Vector512.Create((int)j)).AsSingle(), Vector512.LoadUnsafe(ref tile, (nuint)(j * 16)), result);
        return result;
    }

    /// <summary>
    /// Lane <c>l</c> of row <c>l</c> at column <paramref name="label"/><c>[l]</c>, from the tile's column-major copy
    /// (<paramref name="tile"/>, a blend per column) for axes of up to 16, else from the rows themselves
    /// (<paramref name="rows"/>, row <c>l</c> at <c>l * c</c>; one load per lane instead of a blend per column).
    /// Every label is below <paramref name="c"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> AtLabels(ref float tile, ref float rows, Vector256<int> label, nint c)
    {
        if (c <= 16)
            return AtLabels(ref tile, label, c);
        return Vector256.Create(
            rows.At(label.GetElement(0)), rows.At(c + label.GetElement(1)), rows.At(2 * c + label.GetElement(2)), rows.At(3 * c + label.GetElement(3)),
            rows.At(4 * c + label.GetElement(4)), rows.At(5 * c + label.GetElement(5)), rows.At(6 * c + label.GetElement(6)), rows.At(7 * c + label.GetElement(7)));
    }

    /// <inheritdoc cref="AtLabels(ref float, ref float, Vector256{int}, nint)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> AtLabels(ref float tile, ref float rows, Vector512<int> label, nint c)
    {
        if (c <= 16)
            return AtLabels(ref tile, label, c);
        return Vector512.Create(AtLabels(ref tile, ref rows, label.GetLower(), c), AtLabels(ref tile, ref Unsafe.Add(ref rows, 8 * c), label.GetUpper(), c));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float At(this ref float start, nint index) => Unsafe.Add(ref start, index);

    /// <inheritdoc cref="AtLabels(ref float, Vector512{int}, nint)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> AtLabels(ref float tile, Vector256<int> label, nint c)
    {
        Vector256<float> result = Vector256.LoadUnsafe(ref tile);
        for (nint j = 1; j < c; j++)
            result = Vector256.ConditionalSelect(Vector256.Equals(label, Vector256.Create((int)j)).AsSingle(), Vector256.LoadUnsafe(ref tile, (nuint)(j * 8)), result);
        return result;
    }
}
