using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace DslLosses.Analyzers;

/// <summary>The runtime's shape rules, on shapes known at compile time.</summary>
internal static class ShapeRules
{
    /// <summary>
    /// Whether sample weights of shape <paramref name="weights"/> broadcast against per-sample losses of shape
    /// <paramref name="loss"/>, exactly as <c>WeightMap.Bind</c> decides at run time (Keras's rank fix-up, then numpy
    /// broadcasting): a single weight, <c>[B]</c> against <c>[B, T]</c>, <c>[B, 1]</c> against <c>[B]</c>, or any shape that broadcasts.
    /// </summary>
    public static bool WeightsFit(ImmutableArray<long> weights, ImmutableArray<long> loss)
    {
        long weightCount = Product(weights);
        if (weightCount == 1 && Product(loss) != 0 || weights.Length == 0)
            return true;
        var w = weights.ToList();
        int lr = loss.Length;
        if (w.Count == lr + 1 && w[w.Count - 1] == 1)
            w.RemoveAt(w.Count - 1);
        else if (w.Count == lr - 1)
            w.Add(1);
        if (w.Count > lr)
            return false;
        int pad = lr - w.Count;
        for (int i = 0; i < lr; i++)
        {
            long wi = i < pad ? 1 : w[i - pad];
            if (wi != 1 && wi != loss[i])
                return false;
        }
        return true;
    }

    public static long Product(ImmutableArray<long> shape) => shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The axis in [0, rank), or -1 when out of range.</summary>
    public static int Normalize(int axis, int rank) => axis >= -rank && axis < rank ? (axis < 0 ? axis + rank : axis) : -1;

    public static ImmutableArray<long> Without(ImmutableArray<long> shape, int axis) => shape.RemoveAt(axis);

    public static bool SameShape(ImmutableArray<long> a, ImmutableArray<long> b) => a.SequenceEqual(b);

    /// <summary>A declared shape as <c>(B, N)</c>.</summary>
    public static string Format(ImmutableArray<Dim> declared) => "(" + string.Join(", ", declared.Select(d => d.ToString())) + ")";
}
