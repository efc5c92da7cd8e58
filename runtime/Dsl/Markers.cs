using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;

namespace DslLosses;

/// <summary>
/// A tensor-valued expression inside a <see cref="LossAttribute"/> formula. Only the generator reads it: every member
/// throws <see cref="NotSupportedException"/> when run.
/// </summary>
/// <remarks>
/// Named <c>TensorExpr</c>, not <c>Tensor</c>, so that one file can import <c>DslLosses</c>, <c>DslLosses.Dsl</c> and
/// <c>System.Numerics.Tensors</c> (whose static <c>Tensor</c> class creates tensors) without an ambiguity.
/// </remarks>
[SuppressMessage("Design", "CA1036", Justification = "DSL marker: comparisons build masks.")]
[SuppressMessage("Usage", "CA2231", Justification = "DSL marker.")]
public readonly struct TensorExpr : IEquatable<TensorExpr>
{
    /// <summary>A numeric constant as a tensor expression.</summary>
    public static implicit operator TensorExpr(double value) => throw Marker.Fail();
    /// <summary>Elementwise sum.</summary>
    public static TensorExpr operator +(TensorExpr left, TensorExpr right) => throw Marker.Fail();
    /// <summary>Elementwise difference.</summary>
    public static TensorExpr operator -(TensorExpr left, TensorExpr right) => throw Marker.Fail();
    /// <summary>Elementwise product.</summary>
    public static TensorExpr operator *(TensorExpr left, TensorExpr right) => throw Marker.Fail();
    /// <summary>Elementwise quotient.</summary>
    public static TensorExpr operator /(TensorExpr left, TensorExpr right) => throw Marker.Fail();
    /// <summary>Elementwise negation.</summary>
    public static TensorExpr operator -(TensorExpr value) => throw Marker.Fail();
    /// <summary>Identity.</summary>
    public static TensorExpr operator +(TensorExpr value) => throw Marker.Fail();
    /// <summary>Elementwise <c>left &lt; right</c>.</summary>
    public static Mask operator <(TensorExpr left, TensorExpr right) => throw Marker.Fail();
    /// <summary>Elementwise <c>left &gt; right</c>.</summary>
    public static Mask operator >(TensorExpr left, TensorExpr right) => throw Marker.Fail();
    /// <summary>Elementwise <c>left &lt;= right</c>.</summary>
    public static Mask operator <=(TensorExpr left, TensorExpr right) => throw Marker.Fail();
    /// <summary>Elementwise <c>left &gt;= right</c>.</summary>
    public static Mask operator >=(TensorExpr left, TensorExpr right) => throw Marker.Fail();
    /// <summary>Elementwise <c>left == right</c> (exact equality of the values, as IEEE compares them: NaN equals nothing).</summary>
    public static Mask operator ==(TensorExpr left, TensorExpr right) => throw Marker.Fail();
    /// <summary>Elementwise <c>left != right</c> (true where either is NaN).</summary>
    public static Mask operator !=(TensorExpr left, TensorExpr right) => throw Marker.Fail();
    /// <summary>Not supported: a DSL marker.</summary>
    public bool Equals(TensorExpr other) => throw Marker.Fail();
    /// <summary>Not supported: a DSL marker.</summary>
    public override bool Equals(object? obj) => throw Marker.Fail();
    /// <summary>Not supported: a DSL marker.</summary>
    public override int GetHashCode() => throw Marker.Fail();
}

/// <summary>
/// A scalar parameter of a <see cref="LossAttribute"/> formula (e.g. <c>gamma</c>, <c>labelSmoothing</c>). In the generated
/// kernels it has the kernel's element type. Only the generator reads it.
/// </summary>
[SuppressMessage("Design", "CA1036", Justification = "DSL marker: comparisons build masks.")]
[SuppressMessage("Usage", "CA2231", Justification = "DSL marker.")]
public readonly struct Scalar : IEquatable<Scalar>
{
    /// <summary>A numeric constant as a scalar expression.</summary>
    public static implicit operator Scalar(double value) => throw Marker.Fail();
    /// <summary>A scalar used as a tensor expression.</summary>
    public static implicit operator TensorExpr(Scalar value) => throw Marker.Fail();
    /// <summary>Sum.</summary>
    public static Scalar operator +(Scalar left, Scalar right) => throw Marker.Fail();
    /// <summary>Difference.</summary>
    public static Scalar operator -(Scalar left, Scalar right) => throw Marker.Fail();
    /// <summary>Product.</summary>
    public static Scalar operator *(Scalar left, Scalar right) => throw Marker.Fail();
    /// <summary>Quotient.</summary>
    public static Scalar operator /(Scalar left, Scalar right) => throw Marker.Fail();
    /// <summary>Negation.</summary>
    public static Scalar operator -(Scalar value) => throw Marker.Fail();
    /// <summary><c>left &lt; right</c>, as a mask that holds for every element or for none.</summary>
    public static Mask operator <(Scalar left, Scalar right) => throw Marker.Fail();
    /// <summary><c>left &gt; right</c>, as a mask that holds for every element or for none.</summary>
    public static Mask operator >(Scalar left, Scalar right) => throw Marker.Fail();
    /// <summary><c>left &lt;= right</c>, as a mask that holds for every element or for none.</summary>
    public static Mask operator <=(Scalar left, Scalar right) => throw Marker.Fail();
    /// <summary><c>left &gt;= right</c>, as a mask that holds for every element or for none.</summary>
    public static Mask operator >=(Scalar left, Scalar right) => throw Marker.Fail();
    /// <summary><c>left == right</c>, as a mask that holds for every element or for none.</summary>
    public static Mask operator ==(Scalar left, Scalar right) => throw Marker.Fail();
    /// <summary><c>left != right</c>, as a mask that holds for every element or for none.</summary>
    public static Mask operator !=(Scalar left, Scalar right) => throw Marker.Fail();
    /// <summary>Not supported: a DSL marker.</summary>
    public bool Equals(Scalar other) => throw Marker.Fail();
    /// <summary>Not supported: a DSL marker.</summary>
    public override bool Equals(object? obj) => throw Marker.Fail();
    /// <summary>Not supported: a DSL marker.</summary>
    public override int GetHashCode() => throw Marker.Fail();
}

/// <summary>
/// An elementwise boolean expression inside a formula, built by comparisons and consumed by <see cref="Dsl.Where"/>
/// and <see cref="Dsl.Masked"/>. Only the generator reads it.
/// </summary>
public readonly struct Mask
{
    /// <summary>Elementwise and.</summary>
    public static Mask operator &(Mask left, Mask right) => throw Marker.Fail();
    /// <summary>Elementwise or.</summary>
    public static Mask operator |(Mask left, Mask right) => throw Marker.Fail();
    /// <summary>Elementwise not.</summary>
    public static Mask operator !(Mask value) => throw Marker.Fail();
}

/// <summary>
/// An integer tensor parameter of a formula (class indices, e.g. sparse labels), declared with a <see cref="ShapeAttribute"/>.
/// In the generated kernels it is a <c>ReadOnlyTensorSpan&lt;int&gt;</c>. Used with <see cref="Dsl.Gather"/> and compared
/// with integers. Only the generator reads it.
/// </summary>
[SuppressMessage("Usage", "CA2231", Justification = "DSL marker.")]
public readonly struct Indices : IEquatable<Indices>
{
    /// <summary>Elementwise <c>index == value</c>.</summary>
    public static Mask operator ==(Indices left, int right) => throw Marker.Fail();
    /// <summary>Elementwise <c>index != value</c>.</summary>
    public static Mask operator !=(Indices left, int right) => throw Marker.Fail();
    /// <summary>Not supported: a DSL marker.</summary>
    public bool Equals(Indices other) => throw Marker.Fail();
    /// <summary>Not supported: a DSL marker.</summary>
    public override bool Equals(object? obj) => throw Marker.Fail();
    /// <summary>Not supported: a DSL marker.</summary>
    public override int GetHashCode() => throw Marker.Fail();
}

/// <summary>
/// An axis argument of a DSL axis operation, counted on the declared shapes (negative from the end).
/// Write it as a named argument: <c>Sum(x, axis: -1)</c>.
/// </summary>
/// <remarks>
/// A number in the second place of <c>Max</c> or <c>Min</c> is the elementwise bound (<c>Max(x, 0)</c>); an axis is
/// always written by name: <c>Max(x, axis: -1)</c>.
/// </remarks>
public readonly struct Axis
{
    /// <summary>An axis from its index.</summary>
    public static implicit operator Axis(int axis) => throw Marker.Fail();
}

[EditorBrowsable(EditorBrowsableState.Never)]
internal static class Marker
{
    internal static NotSupportedException Fail() => new(
        "DslLosses DSL members are markers read by the source generator; they cannot run. " +
        "Call the generated kernels (same name, tensor-span parameters) instead. If they are missing, check that the " +
        "DslLosses generator runs in this project and that the build reports no DSL diagnostics.");
}
