using System.ComponentModel;

namespace DslLosses.Kernels;

/// <summary>
/// The SIMD width contract the generated kernels are written against: a value of <typeparamref name="TSelf"/> holds
/// <see cref="Count"/> lanes of <typeparamref name="TCompute"/>, read from and written to memory of
/// <typeparamref name="TStore"/>. The generator writes each kernel once, generic over this contract; the JIT compiles it
/// once per width (<c>Float512</c>, <c>Float256</c>, <c>Float128</c>, <c>FloatScalar</c>, the same for double, and
/// <c>HalfScalar</c>). Everything that depends on the width lives behind it: loads, stores, arithmetic, masks, exp and
/// log, horizontal reductions.
/// </summary>
/// <remarks>
/// Masks are values of <typeparamref name="TSelf"/> too: all bits set in a lane where a comparison holds, zero elsewhere.
/// Public for generated code; not part of the API.
/// </remarks>
/// <typeparam name="TSelf">The lanes type itself.</typeparam>
/// <typeparam name="TStore">The element type in memory (<c>float</c>, <c>double</c> or <c>Half</c>).</typeparam>
/// <typeparam name="TCompute">The element type computed in (<c>float</c> or <c>double</c>).</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface ILanes<TSelf, TStore, TCompute>
    where TSelf : struct, ILanes<TSelf, TStore, TCompute>
    where TStore : unmanaged
    where TCompute : unmanaged
{
    /// <summary>How many elements one value holds.</summary>
    static abstract int Count { get; }

    /// <summary>Whether this width runs on vector hardware here (always true for the scalar lanes).</summary>
    static abstract bool IsHardwareAccelerated { get; }

    /// <summary>Zero in every lane (also the all-false mask).</summary>
    static abstract TSelf Zero { get; }

    /// <summary>The all-true mask.</summary>
    static abstract TSelf AllBitsSet { get; }

    /// <summary>Lane <c>l</c> holds <c>l</c> (0, 1, 2, ...).</summary>
    static abstract TSelf Indices { get; }

    /// <summary><paramref name="value"/> in every lane.</summary>
    static abstract TSelf Create(TCompute value);

    /// <summary>The all-true mask when <paramref name="condition"/> holds, the all-false one otherwise.</summary>
    static abstract TSelf Mask(bool condition);

    /// <summary><see cref="Count"/> consecutive elements from <paramref name="source"/> at <paramref name="index"/>, widened to the compute type.</summary>
    static abstract TSelf Load(ref TStore source, nint index);

    /// <summary><see cref="Count"/> consecutive integers from <paramref name="source"/> at <paramref name="index"/>, converted to the compute type.</summary>
    static abstract TSelf LoadIndices(ref int source, nint index);

    /// <summary>Writes the lanes to <see cref="Count"/> consecutive elements at <paramref name="index"/>, each rounded once to the stored type.</summary>
    static abstract void Store(TSelf value, ref TStore destination, nint index);

    /// <summary>One element, widened to the compute type.</summary>
    static abstract TCompute Read(ref TStore source, nint index);

    /// <summary>Writes one element, rounded once to the stored type.</summary>
    static abstract void Write(TCompute value, ref TStore destination, nint index);

    /// <summary>The lanes at or after position <paramref name="done"/> (true where <c>l &gt;= done</c>): the part of an overlapping last vector not yet counted.</summary>
    static abstract TSelf From(nint done);

    /// <summary>Lane-wise sum.</summary>
    static abstract TSelf operator +(TSelf left, TSelf right);

    /// <summary>
    /// Lane-wise sum into these lanes, in place: what <c>total += value</c> binds to (C# 14) for the accumulators of the
    /// generated kernels. The same sum as <c>total = total + value</c>, but no new value is returned into the
    /// accumulator, which would keep the JIT from hoisting the constants of a row's exponential out of a large kernel's loop.
    /// </summary>
    void operator +=(TSelf right);

    /// <summary>Lane-wise difference.</summary>
    static abstract TSelf operator -(TSelf left, TSelf right);

    /// <summary>Lane-wise product.</summary>
    static abstract TSelf operator *(TSelf left, TSelf right);

    /// <summary>Lane-wise quotient.</summary>
    static abstract TSelf operator /(TSelf left, TSelf right);

    /// <summary>Lane-wise negation.</summary>
    static abstract TSelf operator -(TSelf value);

    /// <summary>Bitwise and (of masks).</summary>
    static abstract TSelf operator &(TSelf left, TSelf right);

    /// <summary>Bitwise or (of masks).</summary>
    static abstract TSelf operator |(TSelf left, TSelf right);

    /// <summary>Bitwise complement (of a mask).</summary>
    static abstract TSelf operator ~(TSelf value);

    /// <summary><c>|x|</c>.</summary>
    static abstract TSelf Abs(TSelf x);

    /// <summary><c>√x</c>.</summary>
    static abstract TSelf Sqrt(TSelf x);

    /// <summary>IEEE 754-2019 maximum, as <see cref="System.Math.Max(double, double)"/>: NaN wins, <c>-0 &lt; +0</c>.</summary>
    static abstract TSelf Max(TSelf x, TSelf y);

    /// <summary>IEEE 754-2019 minimum, as <see cref="System.Math.Min(double, double)"/>.</summary>
    static abstract TSelf Min(TSelf x, TSelf y);

    /// <summary><c>max(x, lo)</c> in one instruction for a bound that is neither a zero nor NaN: NaN in <paramref name="x"/> is kept.</summary>
    static abstract TSelf AtLeast(TSelf x, TSelf lo);

    /// <summary><c>min(x, hi)</c> in one instruction for a bound that is neither a zero nor NaN: NaN in <paramref name="x"/> is kept.</summary>
    static abstract TSelf AtMost(TSelf x, TSelf hi);

    /// <summary>The max that only shifts a softmax or log-sum-exp (the sign of a zero cannot show): one instruction.</summary>
    static abstract TSelf ShiftMax(TSelf x, TSelf y);

    /// <summary><c>e^x</c>.</summary>
    static abstract TSelf Exp(TSelf x);

    /// <summary><c>ln x</c>, with IEEE special values.</summary>
    static abstract TSelf Log(TSelf x);

    /// <summary><c>ln x</c> for an argument proven a positive normal finite number (or NaN): no special-value handling.</summary>
    static abstract TSelf LogPositive(TSelf x);

    /// <summary><c>ln(1 + x)</c>, accurate for tiny <paramref name="x"/>.</summary>
    static abstract TSelf Log1p(TSelf x);

    /// <summary>The logistic sigmoid <c>1 / (1 + e^-x)</c>.</summary>
    static abstract TSelf Sigmoid(TSelf x);

    /// <summary><c>ln(1 + e^x)</c> as <c>max(x, 0) + ln(1 + e^-|x|)</c>.</summary>
    static abstract TSelf Softplus(TSelf x);

    /// <summary><c>softplus(x) - y</c> in TensorFlow's order, <c>(max(x, 0) - y) + ln(1 + e^-|x|)</c>: no cancellation when y is close to max(x, 0).</summary>
    static abstract TSelf SoftplusMinus(TSelf x, TSelf y);

    /// <summary><c>x^y</c>, lane by lane as <see cref="System.Math.Pow(double, double)"/>.</summary>
    static abstract TSelf Pow(TSelf x, TSelf y);

    /// <summary><c>tanh x</c>, lane by lane as <see cref="System.Math.Tanh(double)"/> (float lanes: the double result rounded once).</summary>
    static abstract TSelf Tanh(TSelf x);

    /// <summary><c>sinh x</c>, lane by lane as <see cref="System.Math.Sinh(double)"/> (float lanes: the double result rounded once).</summary>
    static abstract TSelf Sinh(TSelf x);

    /// <summary>Lanes of <paramref name="whenTrue"/> where <paramref name="mask"/> is set, of <paramref name="whenFalse"/> elsewhere.</summary>
    static abstract TSelf Select(TSelf mask, TSelf whenTrue, TSelf whenFalse);

    /// <summary>The mask of <c>x &lt; y</c>.</summary>
    static abstract TSelf LessThan(TSelf x, TSelf y);

    /// <summary>The mask of <c>x &gt; y</c>.</summary>
    static abstract TSelf GreaterThan(TSelf x, TSelf y);

    /// <summary>The mask of <c>x &lt;= y</c>.</summary>
    static abstract TSelf LessThanOrEqual(TSelf x, TSelf y);

    /// <summary>The mask of <c>x &gt;= y</c>.</summary>
    static abstract TSelf GreaterThanOrEqual(TSelf x, TSelf y);

    /// <summary>The mask of <c>x == y</c>.</summary>
    static abstract TSelf Equal(TSelf x, TSelf y);

    /// <summary>The mask of finite lanes (not NaN, not infinite).</summary>
    static abstract TSelf IsFinite(TSelf x);

    /// <summary>Whether every lane of the mask is set.</summary>
    static abstract bool All(TSelf mask);

    /// <summary>The sum of the lanes.</summary>
    static abstract TCompute Sum(TSelf x);

    /// <summary>The max of the lanes, as a chain of <see cref="System.Math.Max(double, double)"/> would give it.</summary>
    static abstract TCompute MaxAcross(TSelf x);

    /// <summary>The min of the lanes, as a chain of <see cref="System.Math.Min(double, double)"/> would give it.</summary>
    static abstract TCompute MinAcross(TSelf x);

    /// <summary>The max of the lanes with <see cref="ShiftMax"/>'s semantics.</summary>
    static abstract TCompute ShiftMaxAcross(TSelf x);
}

/// <summary>
/// Float lanes that also serve row tiles: for a class axis narrower than a few vectors, one row per lane, a tile of
/// <see cref="ILanes{TSelf, TStore, TCompute}.Count"/> rows at a time. A tensor read along the class axis is
/// transposed into a column-major copy on the stack; integer labels (one per row) pick elements from it.
/// </summary>
/// <typeparam name="TSelf">The lanes type itself.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IRowTileLanes<TSelf> : ILanes<TSelf, float, float>
    where TSelf : struct, IRowTileLanes<TSelf>
{
    /// <summary>The widest class axis a tile of this width takes when <paramref name="transposedTensors"/> tensors are transposed per tile (measured: wider rows are faster one at a time).</summary>
    static abstract nint MaxTileColumns(int transposedTensors);

    /// <summary>
    /// Column-major copy of a tile: <paramref name="tile"/><c>[j * Count + l]</c> = <paramref name="rows"/><c>[l * c + j]</c>
    /// for <c>j &lt; c</c>; nothing at or past <paramref name="available"/> (counted from <paramref name="rows"/>) is read.
    /// Any <paramref name="c"/> up to <see cref="MaxTileColumns"/> is served.
    /// </summary>
    static abstract void RowsToColumns(ref float rows, nint c, nint available, ref float tile);

    /// <summary>Whether a label of the tile's rows (<paramref name="labels"/> at <paramref name="row"/>, one per lane) is outside <c>[0, c)</c>.</summary>
    static abstract bool AnyLabelOutOfRange(ref int labels, nint row, nint c);

    /// <summary>The tile's labels as compute values, lane <c>l</c> from row <paramref name="row"/> + l.</summary>
    static abstract TSelf Labels(ref int labels, nint row);

    /// <summary>
    /// Lane <c>l</c>: row <c>l</c> of the tile at its label, from the column-major copy <paramref name="columns"/> or
    /// from the rows themselves (<paramref name="rows"/>, row <c>l</c> at <c>l * c</c>), whichever is faster for <paramref name="c"/>.
    /// Every label is in range.
    /// </summary>
    static abstract TSelf AtLabels(ref float columns, ref float rows, ref int labels, nint row, nint c);

    /// <summary>Lane <c>l</c>: <paramref name="start"/><c>[l * c + labels[row + l]]</c>. Every label is in range.</summary>
    static abstract TSelf GatherAtLabels(ref float start, ref int labels, nint row, nint c);

    /// <summary>Lane <c>l</c>: <paramref name="start"/><c>[l * c]</c>, the same column of each row of the tile.</summary>
    static abstract TSelf GatherColumn(ref float start, nint c);
}

/// <summary>What a kernel does with its loss values and whether it also writes a gradient; the JIT folds every test of it.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IKernelOutput
{
    /// <summary>Whether the loss values are added into the returned total (otherwise they are written per sample, or not computed at all by a gradient-only kernel).</summary>
    static abstract bool AddsTotal { get; }
}

/// <summary>Loss kernels: add every (weighted) loss into the returned total (Sum and SumOverBatchSize).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct Totals : IKernelOutput
{
    /// <inheritdoc/>
    public static bool AddsTotal => true;
}

/// <summary>Loss kernels: write every (weighted) loss into the destination (Keras's <c>reduction="none"</c>).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct PerSample : IKernelOutput
{
    /// <inheritdoc/>
    public static bool AddsTotal => false;
}

/// <summary>Gradient kernels: write the gradient only.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct GradientOnly : IKernelOutput
{
    /// <inheritdoc/>
    public static bool AddsTotal => false;
}

/// <summary>Gradient kernels: write the gradient and, in the same pass, add every (weighted) loss into the returned total.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct GradientAndTotal : IKernelOutput
{
    /// <inheritdoc/>
    public static bool AddsTotal => true;
}

/// <summary>Whether a kernel multiplies each loss entry by a sample weight; the JIT folds every test of it.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IWeighting
{
    /// <summary>Whether sample weights are read.</summary>
    static abstract bool IsWeighted { get; }
}

/// <summary>No sample weights: every loss entry counts once.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct Unweighted : IWeighting
{
    /// <inheritdoc/>
    public static bool IsWeighted => false;
}

/// <summary>Each loss entry multiplied by its sample weight (through a <see cref="WeightMap"/>).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct Weighted : IWeighting
{
    /// <inheritdoc/>
    public static bool IsWeighted => true;
}
