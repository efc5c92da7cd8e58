using System;
using System.Numerics.Tensors;
using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace DslLosses;

/// <summary>
/// Checks of the tensors a loss is called with, and span views over their CPU storage: the spans point into the
/// tensor's own memory (<c>Tensor.bytes</c>, the storage from the tensor's offset on), nothing is copied.
/// </summary>
internal static class TensorViews
{
    /// <summary>The highest rank viewed (the runtime's kernels take up to 8 dimensions).</summary>
    public const int MaxRank = 8;

    /// <summary>The tensor's elements, in place. The tensor must be contiguous, on the CPU, of element type <typeparamref name="T"/>.</summary>
    public static Span<T> Storage<T>(torch.Tensor tensor)
        where T : unmanaged
        => MemoryMarshal.Cast<byte, T>(tensor.bytes);

    /// <summary>A read-only view of the tensor with its own shape (a 0-dimensional tensor as one element), or empty for null.</summary>
    public static ReadOnlyTensorSpan<T> Read<T>(torch.Tensor? tensor, Span<nint> lengths)
        where T : unmanaged
    {
        if (tensor is null)
            return default;
        int rank = Lengths(tensor, lengths);
        return new ReadOnlyTensorSpan<T>(Storage<T>(tensor), lengths[..rank], default);
    }

    /// <summary>A flat, writable view of the tensor's elements.</summary>
    public static TensorSpan<T> WriteFlat<T>(torch.Tensor tensor)
        where T : unmanaged
        => new(Storage<T>(tensor));

    /// <summary>The tensor's lengths into <paramref name="lengths"/> (a 0-dimensional tensor as one element); returns the rank used.</summary>
    public static int Lengths(torch.Tensor tensor, Span<nint> lengths)
    {
        int rank = (int)tensor.dim();
        if (rank == 0)
        {
            lengths[0] = 1;
            return 1;
        }
        for (int i = 0; i < rank; i++)
            lengths[i] = checked((nint)tensor.size(i));
        return rank;
    }

    /// <summary>The prediction: a CPU tensor of float32 or float64 of rank at most <see cref="MaxRank"/>.</summary>
    public static void CheckPrediction(string loss, torch.Tensor yPred)
    {
        CheckCpu(loss, "yPred", yPred);
        if (yPred.dtype is not (ScalarType.Float32 or ScalarType.Float64))
            throw new ArgumentException($"{loss}: yPred has dtype {yPred.dtype}; the DslLosses kernels take Float32 or Float64 tensors (convert with yPred.to(ScalarType.Float32)).", "yPred");
        CheckRank(loss, "yPred", yPred);
    }

    /// <summary>Labels or sample weights: on the CPU, not requiring a gradient, of the given element type (any integer or floating type for class indices).</summary>
    public static void CheckInput(string loss, string argument, torch.Tensor tensor, ScalarType dtype, bool classIndices, bool differentiable = false)
    {
        CheckCpu(loss, argument, tensor);
        if (tensor.requires_grad && !differentiable)
            throw new ArgumentException($"{loss}: {argument} requires grad; the loss is not differentiated by it (pass {argument}.detach()).", argument);
        if (classIndices ? tensor.dtype is not (ScalarType.Int32 or ScalarType.Int64 or ScalarType.Int16 or ScalarType.Byte or ScalarType.Int8 or ScalarType.Float32 or ScalarType.Float64) : tensor.dtype != dtype)
            throw new ArgumentException(classIndices
                ? $"{loss}: {argument} has dtype {tensor.dtype}; class indices are Int32 (read in place) or Int64 and other integer or floating types (converted to Int32 once, floats truncated as Keras casts them)."
                : $"{loss}: {argument} has dtype {tensor.dtype} but yPred has dtype {dtype}; they must match.", argument);
        CheckRank(loss, argument, tensor);
    }

    private static void CheckCpu(string loss, string argument, torch.Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CPU)
            throw new ArgumentException($"{loss}: {argument} is on {tensor.device_type}, not on the CPU; the DslLosses kernels read CPU memory (move it with {argument}.cpu(), or use TorchSharp's own loss on the device).", argument);
    }

    private static void CheckRank(string loss, string argument, torch.Tensor tensor)
    {
        if (tensor.dim() > MaxRank)
            throw new ArgumentException($"{loss}: {argument} has rank {tensor.dim()}; the kernels take at most {MaxRank} dimensions.", argument);
    }
}

/// <summary>
/// <c>int64</c> class indices (TorchSharp's default) narrowed to <c>int32</c> for one forward pass, into a buffer of the
/// calling thread that is reused from call to call (it grows to the largest label count seen). Only for calls whose
/// backward does not read the labels (fused or without grad); <c>int32</c> labels are read in place and need none.
/// </summary>
internal readonly ref struct ClassIndexLabels
{
    [ThreadStatic]
    private static int[]? _buffer;

    private readonly Span<int> _narrowed;

    public ClassIndexLabels(TorchLossKernels kernels, torch.Tensor yTrue)
    {
        if (!kernels.ClassIndexLabels || yTrue.dtype != ScalarType.Int64)
            return;
        ReadOnlySpan<long> source = TensorViews.Storage<long>(yTrue)[..checked((int)yTrue.numel())];
        int[] buffer = _buffer is { } b && b.Length >= source.Length ? b : _buffer = new int[Math.Max(source.Length, 256)];
        _narrowed = buffer.AsSpan(0, source.Length);
        if (!TryNarrow(source, _narrowed))
        {
            for (int i = 0; i < source.Length; i++)
            {
                if (source[i] is < int.MinValue or > int.MaxValue)
                    throw new ArgumentOutOfRangeException("yTrue", source[i], $"{kernels.Name}: yTrue holds {source[i]} at flat position {i}, which is not a class index.");
            }
        }
        IsNarrowed = true;
    }

    /// <summary>Whether the labels were narrowed (read them with <see cref="View"/>).</summary>
    public bool IsNarrowed { get; }

    /// <summary>The narrowed labels with the shape of <paramref name="yTrue"/>.</summary>
    public ReadOnlyTensorSpan<int> View(torch.Tensor yTrue, Span<nint> lengths)
        => new(_narrowed, lengths[..TensorViews.Lengths(yTrue, lengths)], default);

    /// <summary>
    /// Narrows every element to <c>int</c>, whole vectors at a time (two <c>long</c> vectors into one <c>int</c>
    /// vector); false when an element is outside the <c>int</c> range (the destination is then partly written).
    /// </summary>
    internal static bool TryNarrow(ReadOnlySpan<long> source, Span<int> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int step = 2 * Vector<long>.Count;
            var low = new Vector<long>(int.MinValue);
            var high = new Vector<long>(int.MaxValue);
            Vector<long> outside = Vector<long>.Zero;
            for (; i <= source.Length - step; i += step)
            {
                var a = new Vector<long>(source[i..]);
                var b = new Vector<long>(source[(i + Vector<long>.Count)..]);
                outside |= Vector.LessThan(a, low) | Vector.GreaterThan(a, high) | Vector.LessThan(b, low) | Vector.GreaterThan(b, high);
                Vector.Narrow(a, b).CopyTo(destination[i..]);
            }
            if (outside != Vector<long>.Zero)
                return false;
        }
        for (; i < source.Length; i++)
        {
            long v = source[i];
            if (v is < int.MinValue or > int.MaxValue)
                return false;
            destination[i] = (int)v;
        }
        return true;
    }
}
