using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace DslLosses.Kernels;

/// <summary>
/// Where the weight of each per-sample loss element lives in a <c>sample_weight</c> tensor, after Keras's broadcasting:
/// a scalar (shape <c>[1]</c>) weighs everything; a weight of rank <c>loss + 1</c> with last dimension 1 is squeezed
/// (<c>[B, 1]</c> against <c>[B]</c>); a weight of rank <c>loss - 1</c> gets a trailing 1 (<c>[B]</c> against
/// <c>[B, T]</c>); then numpy broadcasting, where the weight may repeat along loss dimensions but never enlarge the loss.
/// </summary>
/// <remarks>Used by generated code; not meant to be called directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct WeightMap
{
    private readonly nint _block;
    private readonly nint _period;
    private readonly Dims _lossDims;
    private readonly Dims _weightStrides;
    private readonly int _rank;

    [InlineArray(Shapes.MaxRank)]
    private struct Dims
    {
        private nint _element;
    }

    private WeightMap(nint block, nint period)
    {
        _block = block;
        _period = period;
        _rank = -1;
    }

    private WeightMap(ReadOnlySpan<nint> lossDims, ReadOnlySpan<nint> weightStrides)
    {
        _block = 1;
        _period = 1;
        _rank = lossDims.Length;
        for (int i = 0; i < lossDims.Length; i++)
        {
            _lossDims[i] = lossDims[i];
            _weightStrides[i] = weightStrides[i];
        }
    }

    /// <summary>The index into the weight data of the weight of loss element <paramref name="lossIndex"/> (flat, row-major).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint Index(nint lossIndex) => _rank < 0 ? (lossIndex / _block) % _period : General(lossIndex);

    private nint General(nint lossIndex)
    {
        nint index = 0;
        for (int i = _rank - 1; i >= 0; i--)
        {
            nint d = _lossDims[i];
            nint q = lossIndex / d;
            index += (lossIndex - q * d) * _weightStrides[i];
            lossIndex = q;
        }
        return index;
    }

    /// <summary>Maps a weight tensor of shape <paramref name="weightLengths"/> onto a loss of shape <paramref name="lossShape"/>.</summary>
    /// <exception cref="ShapeMismatchException">The weights cannot be broadcast to the loss shape.</exception>
    public static WeightMap Bind(string loss, ReadOnlySpan<nint> weightLengths, ReadOnlySpan<nint> weightStrides, ReadOnlySpan<nint> lossShape)
    {
        Shapes.RequireDense(loss, "sampleWeight", weightLengths, weightStrides);
        nint weightCount = Shapes.Product(weightLengths);
        if (weightCount == 1 && Shapes.Product(lossShape) != 0 || weightLengths.Length == 0)
            return new WeightMap(1, 1);

        // Keras's rank fix-up (losses_utils.squeeze_or_expand_dimensions).
        Span<nint> w = stackalloc nint[Shapes.MaxRank + 1];
        int wr = weightLengths.Length;
        weightLengths.CopyTo(w);
        int lr = lossShape.Length;
        if (wr == lr + 1 && w[wr - 1] == 1)
            wr--;
        else if (wr == lr - 1)
            w[wr++] = 1;

        if (wr > lr)
            throw Broadcast(loss, weightLengths, lossShape);

        // numpy broadcasting: left-pad with ones; each weight dimension is 1 or the loss dimension.
        Span<nint> padded = stackalloc nint[Shapes.MaxRank];
        int pad = lr - wr;
        for (int i = 0; i < lr; i++)
        {
            nint wi = i < pad ? 1 : w[i - pad];
            if (wi != 1 && wi != lossShape[i])
                throw Broadcast(loss, weightLengths, lossShape);
            if (wi == 1 && lossShape[i] == 0)
                wi = 0; // an empty loss dimension: nothing to weigh
            padded[i] = wi;
        }

        // Kept dimensions (weight length equals loss length and is not a broadcast 1).
        int first = -1, last = -1;
        bool contiguous = true;
        for (int i = 0; i < lr; i++)
        {
            bool kept = padded[i] == lossShape[i] && lossShape[i] != 1;
            if (!kept)
                continue;
            if (first < 0)
                first = i;
            else if (last != i - 1)
                contiguous = false;
            last = i;
        }
        if (first < 0)
            return new WeightMap(1, 1);
        if (contiguous)
        {
            nint block = Shapes.Product(lossShape[(last + 1)..]);
            nint period = Shapes.Product(lossShape[first..(last + 1)]);
            return new WeightMap(block == 0 ? 1 : block, period == 0 ? 1 : period);
        }

        Span<nint> strides = stackalloc nint[Shapes.MaxRank];
        nint stride = 1;
        for (int i = lr - 1; i >= 0; i--)
        {
            bool kept = padded[i] == lossShape[i] && lossShape[i] != 1;
            strides[i] = kept ? stride : 0;
            stride *= padded[i] == 0 ? 1 : padded[i];
        }
        return new WeightMap(lossShape, strides[..lr]);
    }

    /// <summary>
    /// The refusal, with the shapes this loss takes written out: the loss shape itself, one axis fewer (Keras adds the
    /// trailing 1), one trailing 1 more (Keras drops it), or any shape whose dimensions are 1 or the loss's. A weight of
    /// two or more axes fewer is not given a trailing 1: numpy broadcasting lines it up with the loss's last axes.
    /// </summary>
    private static ShapeMismatchException Broadcast(string loss, ReadOnlySpan<nint> weightLengths, ReadOnlySpan<nint> lossShape)
    {
        Span<nint> longer = stackalloc nint[lossShape.Length + 1];
        lossShape.CopyTo(longer);
        longer[^1] = 1;
        string fewer = lossShape.Length >= 2 ? Shapes.Format(lossShape[..^1]) + ", " : "";
        return new(loss,
            $"{loss}: sampleWeight has shape {Shapes.Format(weightLengths)}, which does not broadcast to the per-sample loss shape " +
            $"{Shapes.Format(lossShape)}; pass a scalar, {Shapes.Format(lossShape)}, {fewer}{Shapes.Format(longer)}, or a shape of " +
            $"as many axes whose lengths are 1 or the loss's (as in Keras, only a weight with one axis fewer than the loss gets a trailing 1).",
            "sampleWeight");
    }
}
