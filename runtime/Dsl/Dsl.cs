using System;

namespace DslLosses;

/// <summary>
/// The vocabulary loss formulas are written in: import it with <c>using static DslLosses.Dsl;</c>.
/// Every member is a marker read by the generator; calling one at run time throws <see cref="System.NotSupportedException"/>.
/// </summary>
/// <remarks>
/// Axis operations reduce (or normalise along) the formula's loss axis (<see cref="LossAttribute.Axis"/>); their
/// <c>axis</c> must be a constant and must name that axis. Written with <c>axes:</c> instead (a list of constants, or
/// <see cref="NonBatchAxes"/>), they reduce several trailing axes, which every axis operation of the formula then names.
/// Numerics follow TensorFlow: <see cref="Clip"/> keeps NaN, <see cref="Log1p"/> is accurate near 0,
/// <see cref="Sigmoid"/> and <see cref="Softplus"/> do not overflow, <c>LogSumExp</c>, <c>LogSoftmax</c> and
/// <c>Softmax</c> subtract the maximum first.
/// </remarks>
public static class Dsl
{
    /// <summary>Keras's fuzz factor <c>backend.epsilon()</c>, 1e-7, in the kernel's element type.</summary>
    public static Scalar Epsilon => throw Marker.Fail();

    /// <summary>Natural logarithm.</summary>
    public static TensorExpr Log(TensorExpr x) => throw Marker.Fail();
    /// <summary><c>log(1 + x)</c>, accurate for small <paramref name="x"/>.</summary>
    public static TensorExpr Log1p(TensorExpr x) => throw Marker.Fail();
    /// <summary>Exponential.</summary>
    public static TensorExpr Exp(TensorExpr x) => throw Marker.Fail();
    /// <summary>Absolute value.</summary>
    public static TensorExpr Abs(TensorExpr x) => throw Marker.Fail();
    /// <summary>Square root.</summary>
    public static TensorExpr Sqrt(TensorExpr x) => throw Marker.Fail();
    /// <summary><c>x * x</c>.</summary>
    public static TensorExpr Square(TensorExpr x) => throw Marker.Fail();
    /// <summary>Logistic sigmoid <c>1 / (1 + exp(-x))</c>, without overflow.</summary>
    public static TensorExpr Sigmoid(TensorExpr x) => throw Marker.Fail();
    /// <summary><c>log(1 + exp(x))</c>, without overflow.</summary>
    public static TensorExpr Softplus(TensorExpr x) => throw Marker.Fail();
    /// <summary>Hyperbolic tangent.</summary>
    public static TensorExpr Tanh(TensorExpr x) => throw Marker.Fail();
    /// <summary>Hyperbolic sine.</summary>
    public static TensorExpr Sinh(TensorExpr x) => throw Marker.Fail();
    /// <summary>Hyperbolic cosine, computed as <c>(exp(x) + exp(-x)) / 2</c> (a sum of two positive terms: no cancellation; infinite from |x| above about 88.7 in float, where <c>exp</c> overflows).</summary>
    public static TensorExpr Cosh(TensorExpr x) => throw Marker.Fail();
    /// <summary>-1, 0 or 1 by the sign of <paramref name="x"/> (NaN stays NaN, a zero keeps its sign); its gradient is 0, as TensorFlow's <c>sign</c>.</summary>
    public static TensorExpr Sign(TensorExpr x) => throw Marker.Fail();
    /// <summary>The value of <paramref name="x"/>, with zero derivative (TensorFlow's <c>stop_gradient</c>): gradients do not flow through it.</summary>
    public static TensorExpr StopGradient(TensorExpr x) => throw Marker.Fail();
    /// <summary>Elementwise maximum (NaN propagates).</summary>
    public static TensorExpr Max(TensorExpr x, TensorExpr y) => throw Marker.Fail();
    /// <summary>Elementwise maximum with an integer constant: <c>Max(x, 0)</c> is the elementwise maximum with 0 (the maximum along an axis is written <c>Max(x, axis: -1)</c>).</summary>
    public static TensorExpr Max(TensorExpr x, int y) => throw Marker.Fail();
    /// <summary>Elementwise minimum (NaN propagates).</summary>
    public static TensorExpr Min(TensorExpr x, TensorExpr y) => throw Marker.Fail();
    /// <summary>Elementwise minimum with an integer constant: <c>Min(x, -1)</c> is the elementwise minimum with -1 (the minimum along an axis is written <c>Min(x, axis: -1)</c>).</summary>
    public static TensorExpr Min(TensorExpr x, int y) => throw Marker.Fail();
    /// <summary><paramref name="x"/> raised to <paramref name="y"/>.</summary>
    public static TensorExpr Pow(TensorExpr x, TensorExpr y) => throw Marker.Fail();
    /// <summary>
    /// <c>max(min(x, hi), lo)</c>, TensorFlow's <c>clip_by_value</c> order: NaN stays NaN, and where
    /// <paramref name="lo"/> &gt; <paramref name="hi"/> every element becomes <paramref name="lo"/> (the lower bound wins).
    /// Its gradient goes to <paramref name="x"/> inside [lo, hi] (bounds included) and to the bound that gives the value
    /// outside it: to <paramref name="lo"/> wherever the result is <paramref name="lo"/>.
    /// </summary>
    public static TensorExpr Clip(TensorExpr x, TensorExpr lo, TensorExpr hi) => throw Marker.Fail();
    /// <summary>Elementwise choice: <paramref name="whenTrue"/> where <paramref name="condition"/> holds, else <paramref name="whenFalse"/>.</summary>
    public static TensorExpr Where(Mask condition, TensorExpr whenTrue, TensorExpr whenFalse) => throw Marker.Fail();

    /// <summary>Sum along the loss axis.</summary>
    public static TensorExpr Sum(TensorExpr x, Axis axis) => throw Marker.Fail();
    /// <summary>Mean along the loss axis (sum, then divided by the axis length).</summary>
    public static TensorExpr Mean(TensorExpr x, Axis axis) => throw Marker.Fail();
    /// <summary>Maximum along the loss axis.</summary>
    public static TensorExpr Max(TensorExpr x, Axis axis) => throw Marker.Fail();
    /// <summary>Minimum along the loss axis.</summary>
    public static TensorExpr Min(TensorExpr x, Axis axis) => throw Marker.Fail();
    /// <summary><c>log(sum(exp(x)))</c> along the loss axis, computed as <c>m + log(sum(exp(x - m)))</c> with <c>m = max(x)</c>.</summary>
    public static TensorExpr LogSumExp(TensorExpr x, Axis axis) => throw Marker.Fail();
    /// <summary><c>x - LogSumExp(x)</c> along the loss axis.</summary>
    public static TensorExpr LogSoftmax(TensorExpr x, Axis axis) => throw Marker.Fail();
    /// <summary><c>exp(x - LogSumExp(x))</c> along the loss axis.</summary>
    public static TensorExpr Softmax(TensorExpr x, Axis axis) => throw Marker.Fail();

    /// <summary>
    /// Sum over several axes: the trailing axes of the full shape, written as a list (<c>Sum(x, axes: [1, 2, 3])</c>
    /// over <c>[B, H, W, C]</c>, negative values counting from the end) or as <see cref="NonBatchAxes"/>. They must be
    /// contiguous, end with the last axis and leave the batch axis out; a formula reducing several axes reduces all of
    /// them in every axis operation (they act as one flattened loss axis, and the per-sample loss keeps the other axes).
    /// </summary>
    public static TensorExpr Sum(TensorExpr x, ReadOnlySpan<int> axes) => throw Marker.Fail();
    /// <summary>Mean over several trailing axes (see <see cref="Sum(TensorExpr, ReadOnlySpan{int})"/>): the sum divided by the product of their lengths.</summary>
    public static TensorExpr Mean(TensorExpr x, ReadOnlySpan<int> axes) => throw Marker.Fail();
    /// <summary>Maximum over several trailing axes (see <see cref="Sum(TensorExpr, ReadOnlySpan{int})"/>).</summary>
    public static TensorExpr Max(TensorExpr x, ReadOnlySpan<int> axes) => throw Marker.Fail();
    /// <summary>Minimum over several trailing axes (see <see cref="Sum(TensorExpr, ReadOnlySpan{int})"/>).</summary>
    public static TensorExpr Min(TensorExpr x, ReadOnlySpan<int> axes) => throw Marker.Fail();
    /// <summary><c>log(sum(exp(x)))</c> over several trailing axes (see <see cref="Sum(TensorExpr, ReadOnlySpan{int})"/>), max-subtracted.</summary>
    public static TensorExpr LogSumExp(TensorExpr x, ReadOnlySpan<int> axes) => throw Marker.Fail();
    /// <summary><c>x - LogSumExp(x)</c> over several trailing axes (see <see cref="Sum(TensorExpr, ReadOnlySpan{int})"/>).</summary>
    public static TensorExpr LogSoftmax(TensorExpr x, ReadOnlySpan<int> axes) => throw Marker.Fail();
    /// <summary><c>exp(x - LogSumExp(x))</c> over several trailing axes (see <see cref="Sum(TensorExpr, ReadOnlySpan{int})"/>).</summary>
    public static TensorExpr Softmax(TensorExpr x, ReadOnlySpan<int> axes) => throw Marker.Fail();

    /// <summary>
    /// Every axis but the first (the batch axis), for the <c>axes</c> of a reduction: <c>Mean(x, axes: NonBatchAxes)</c>
    /// is the mean over <c>T</c> of <c>[B, T]</c>, over <c>H, W, C</c> of <c>[B, H, W, C]</c> (Keras's
    /// <c>axis=range(1, ndim)</c>, PyTorch's <c>x.flatten(1).mean(1)</c>). Only for fixed-rank shapes.
    /// </summary>
    public static ReadOnlySpan<int> NonBatchAxes => throw Marker.Fail();

    /// <summary>
    /// The element of <paramref name="x"/> at position <paramref name="index"/> along the loss axis (a gather). An index
    /// outside <c>[0, length)</c> throws <see cref="System.ArgumentOutOfRangeException"/> at run time.
    /// </summary>
    public static TensorExpr Gather(TensorExpr x, Indices index, Axis axis) => throw Marker.Fail();

    /// <summary>The length of the loss axis of <paramref name="x"/>, as a scalar (e.g. the number of classes).</summary>
    public static Scalar Dim(TensorExpr x, Axis axis) => throw Marker.Fail();

    /// <summary>
    /// The loss with the entries where <paramref name="keep"/> is false taken out: they are 0 in per-sample results, add
    /// nothing to sums, and are not counted by <see cref="Reduction.SumOverBatchSize"/> (Keras's <c>ignore_class</c>
    /// mask). When every entry is taken out, <see cref="Reduction.SumOverBatchSize"/> gives NaN, as tf_keras does.
    /// Only allowed as the outermost call of the returned expression.
    /// </summary>
    public static TensorExpr Masked(TensorExpr loss, Mask keep) => throw Marker.Fail();
}
