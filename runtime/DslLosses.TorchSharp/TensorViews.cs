using System;
using System.Numerics.Tensors;
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

    private static int Lengths(torch.Tensor tensor, Span<nint> lengths)
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
    public static void CheckInput(string loss, string argument, torch.Tensor tensor, ScalarType dtype, bool classIndices)
    {
        CheckCpu(loss, argument, tensor);
        if (tensor.requires_grad)
            throw new ArgumentException($"{loss}: {argument} requires grad; the loss is differentiated by yPred only (pass {argument}.detach()).", argument);
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
