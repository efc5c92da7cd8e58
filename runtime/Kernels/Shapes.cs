using System;
using System.ComponentModel;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Text;

namespace DslLosses.Kernels;

/// <summary>Shape checks and error messages shared by the generated kernels.</summary>
/// <remarks>Used by generated code; not meant to be called directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Shapes
{
    /// <summary>The largest rank a loss input may have.</summary>
    public const int MaxRank = 8;

    /// <summary>Formats a shape as <c>[2, 3]</c>.</summary>
    public static string Format(ReadOnlySpan<nint> lengths)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < lengths.Length; i++)
        {
            if (i > 0)
                sb.Append(", ");
            sb.Append(((long)lengths[i]).ToString(CultureInfo.InvariantCulture));
        }
        return sb.Append(']').ToString();
    }

    /// <summary>A reference to the first element of a tensor span (no bounds: the caller has checked the shape).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref T Data<T>(scoped in ReadOnlyTensorSpan<T> tensor)
        => ref Unsafe.AsRef(in tensor.GetPinnableReference());

    /// <summary>A reference to the first element of a tensor span (no bounds: the caller has checked the shape).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref T Data<T>(scoped in TensorSpan<T> tensor)
        => ref tensor.GetPinnableReference();

    /// <summary>Throws unless the tensor is stored densely in row-major order (the kernels index it as a flat buffer).</summary>
    public static void RequireDense(string loss, string argument, ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides)
    {
        if (lengths.Length > MaxRank)
            throw new ShapeMismatchException(loss, $"{loss}: {argument} has rank {lengths.Length}; at most {MaxRank} dimensions are supported.", argument);
        if (Product(lengths) == 0)
            return; // nothing is read from an empty tensor, whatever its strides
        nint expected = 1;
        for (int i = lengths.Length - 1; i >= 0; i--)
        {
            if (lengths[i] != 1 && strides[i] != expected)
                throw new ArgumentException(
                    $"{loss}: {argument} (shape {Format(lengths)}, strides {Format(strides)}) is not dense row-major; " +
                    "copy it into a contiguous tensor first (broadcast views with stride 0 are not read as repeated data).",
                    argument);
            expected *= lengths[i];
        }
    }

    /// <summary>Throws unless the tensor has the declared rank.</summary>
    public static void RequireRank(string loss, string argument, ReadOnlySpan<nint> lengths, int rank, string declared)
    {
        if (lengths.Length != rank)
            throw new ShapeMismatchException(loss,
                $"{loss}: {argument} has shape {Format(lengths)} (rank {lengths.Length}) but is declared {declared} (rank {rank}).",
                argument);
    }

    /// <summary>Throws unless the tensor has at least the given rank (for shapes declared with <c>"..."</c>).</summary>
    public static void RequireMinRank(string loss, string argument, ReadOnlySpan<nint> lengths, int rank, string declared)
    {
        if (lengths.Length < rank)
            throw new ShapeMismatchException(loss,
                $"{loss}: {argument} has shape {Format(lengths)} (rank {lengths.Length}) but is declared {declared} (rank at least {rank}).",
                argument);
    }

    /// <summary>Throws unless a dimension with a literal size has that size.</summary>
    public static void RequireLength(string loss, string argument, ReadOnlySpan<nint> lengths, int dimension, nint size, string declared)
    {
        if (lengths[dimension] != size)
            throw new ShapeMismatchException(loss,
                $"{loss}: {argument} has shape {Format(lengths)} but is declared {declared}: dimension {dimension} must be {(long)size}.",
                argument);
    }

    /// <summary>The exception for two arguments whose shapes disagree.</summary>
    public static ShapeMismatchException Mismatch(string loss, string first, ReadOnlySpan<nint> firstLengths, string second, ReadOnlySpan<nint> secondLengths, string detail)
        => new(loss, $"{loss}: {first} has shape {Format(firstLengths)} but {second} has shape {Format(secondLengths)}; {detail}.", second);

    /// <summary>Resolves a possibly negative axis against a rank, or throws <see cref="ArgumentOutOfRangeException"/>.</summary>
    public static int NormalizeAxis(string loss, int axis, int rank)
    {
        int a = axis < 0 ? axis + rank : axis;
        if ((uint)a >= (uint)rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"{loss}: axis {axis} is out of range for inputs of rank {rank} (valid: {-rank} to {rank - 1}).");
        return a;
    }

    /// <summary>Throws unless the destination (<paramref name="destinationLengths"/>) can hold the per-sample losses: the loss shape, or a flat vector of as many elements.</summary>
    public static void RequireDestination(string loss, ReadOnlySpan<nint> destinationLengths, ReadOnlySpan<nint> destinationStrides, ReadOnlySpan<nint> lossShape)
    {
        nint count = Product(lossShape);
        bool sameShape = destinationLengths.SequenceEqual(lossShape);
        bool flat = destinationLengths.Length == 1 && destinationLengths[0] == count;
        if (!sameShape && !flat)
        {
            throw new ShapeMismatchException(loss,
                $"{loss}: destination has shape {Format(destinationLengths)} but the per-sample loss has shape {Format(lossShape)} " +
                $"({(long)count} element{(count == 1 ? "" : "s")}); pass a destination of that shape or a flat one of that length.",
                "destination");
        }
        RequireDense(loss, "destination", destinationLengths, destinationStrides);
    }

    /// <summary>The number of elements of a shape.</summary>
    public static nint Product(ReadOnlySpan<nint> lengths)
    {
        nint n = 1;
        foreach (nint l in lengths)
            n *= l;
        return n;
    }

    /// <summary>The exception for a class index outside <c>[0, classes)</c>.</summary>
    public static ArgumentOutOfRangeException IndexOutOfRange(string loss, string argument, int value, nint classes, nint position)
        => new(argument, value,
            $"{loss}: {argument} holds {value} at flat position {(long)position}, outside the valid class range [0, {(long)classes}).");

    /// <summary>The exception for <see cref="Reduction.None"/> passed to an entry point that returns a single value.</summary>
    public static ArgumentException NoneNeedsDestination(string loss)
        => new($"{loss}: Reduction.None gives one loss per sample: call the overload that takes a destination, or the PerSample method.", "reduction");

    /// <summary>
    /// Views a tensor span of <typeparamref name="TFrom"/> as one of <typeparamref name="TTo"/>. Only for the generic
    /// entry points, which call it after checking that both are the same type.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlyTensorSpan<TTo> Reinterpret<TFrom, TTo>(ReadOnlyTensorSpan<TFrom> tensor)
        => Unsafe.As<ReadOnlyTensorSpan<TFrom>, ReadOnlyTensorSpan<TTo>>(ref tensor);

    /// <inheritdoc cref="Reinterpret{TFrom, TTo}(ReadOnlyTensorSpan{TFrom})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TensorSpan<TTo> Reinterpret<TFrom, TTo>(TensorSpan<TFrom> tensor)
        => Unsafe.As<TensorSpan<TFrom>, TensorSpan<TTo>>(ref tensor);

    /// <summary>The error of a generic entry point called with an element type it was not generated for.</summary>
    public static NotSupportedException UnsupportedElementType(string loss, Type type)
        => new($"{loss}: element type {type.Name} is not supported; use float, double or Half (those listed in [Loss(ElementTypes = ...)]).");

    /// <summary>Throws unless <paramref name="gradientLengths"/> is the shape of the differentiated input, or flat with as many elements.</summary>
    public static void RequireGradient(string loss, string input, ReadOnlySpan<nint> inputLengths, ReadOnlySpan<nint> gradientLengths, ReadOnlySpan<nint> gradientStrides)
        => RequireGradient(loss, input, "gradient", inputLengths, gradientLengths, gradientStrides);

    /// <summary>
    /// Checks the destination <paramref name="gradient"/> of the gradient by <paramref name="input"/> (one of several
    /// differentiable inputs): the input's shape or flat with as many elements, and dense.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The destination has another shape or is not dense; the message names the loss, both arguments and both shapes.</exception>
    public static void RequireGradient(string loss, string input, string gradient, ReadOnlySpan<nint> inputLengths, ReadOnlySpan<nint> gradientLengths, ReadOnlySpan<nint> gradientStrides)
    {
        nint count = Product(inputLengths);
        bool sameShape = gradientLengths.SequenceEqual(inputLengths);
        bool flat = gradientLengths.Length == 1 && gradientLengths[0] == count;
        if (!sameShape && !flat)
        {
            throw new ShapeMismatchException(loss,
                $"{loss}: {gradient} has shape {Format(gradientLengths)} but {input} has shape {Format(inputLengths)}; pass a {gradient} of that shape or a flat one of {(long)count} elements.",
                gradient);
        }
        RequireDense(loss, gradient, gradientLengths, gradientStrides);
    }

    /// <summary>The error of a loss-and-gradient call asked for <see cref="Reduction.None"/>.</summary>
    public static ArgumentException WithGradientNeedsReduction(string loss)
        => new($"{loss}: WithGradient returns one reduced loss: use Reduction.Sum, SumOverBatchSize or MeanWithSampleWeight (the Gradient method alone accepts None).", "reduction");
}
