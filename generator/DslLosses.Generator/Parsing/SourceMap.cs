using System.Collections.Generic;
using System.Runtime.CompilerServices;
using DslLosses.Generator.Ir;
using DslLosses.Generator.Models;
using Microsoft.CodeAnalysis;

namespace DslLosses.Generator.Parsing;

/// <summary>
/// Where each IR node came from, keyed by node identity (equal subexpressions at different places keep their own
/// locations). Lives only inside the parse step: the models that leave it carry no locations.
/// </summary>
internal sealed class SourceMap
{
    private readonly Dictionary<Expr, Location> _locations = new(ReferenceComparer.Instance);

    public T Add<T>(T node, Location location)
        where T : Expr
    {
        _locations[node] = location;
        return node;
    }

    public Location? this[Expr node] => _locations.TryGetValue(node, out Location? location) ? location : null;

    private readonly Dictionary<Expr, WrittenAxes> _axes = new(ReferenceComparer.Instance);

    /// <summary>Records that the axis operation <paramref name="node"/> was written with several axes (<c>axes:</c>).</summary>
    public void AddAxes(Expr node, WrittenAxes axes) => _axes[node] = axes;

    /// <summary>The axes <paramref name="node"/> was written with, when it names several (<c>axes:</c>); null for one <c>axis</c>.</summary>
    public WrittenAxes? AxesOf(Expr node) => _axes.TryGetValue(node, out WrittenAxes? axes) ? axes : null;

    /// <summary>Every axis operation written with <c>axes:</c>, in the order parsed.</summary>
    public IEnumerable<KeyValuePair<Expr, WrittenAxes>> AllAxes => _axes;

    private sealed class ReferenceComparer : IEqualityComparer<Expr>
    {
        public static readonly ReferenceComparer Instance = new();

        public bool Equals(Expr? x, Expr? y) => ReferenceEquals(x, y);

        public int GetHashCode(Expr obj) => RuntimeHelpers.GetHashCode(obj);
    }
}

/// <summary>
/// The <c>axes</c> of an axis operation as written: constant axes (negative from the end), or every axis but the batch
/// axis (<c>NonBatchAxes</c>). The IR node keeps the last axis; the checker resolves the list against the declared rank.
/// </summary>
internal sealed record WrittenAxes(EquatableArray<int> Axes, bool NonBatch)
{
    /// <summary>The axes resolved against <paramref name="rank"/> (unsorted, as written; out-of-range ones kept as written).</summary>
    public int[] Resolve(int rank)
    {
        if (NonBatch)
        {
            var all = new int[System.Math.Max(rank - 1, 0)];
            for (int i = 0; i < all.Length; i++)
                all[i] = i + 1;
            return all;
        }
        var resolved = new int[Axes.Count];
        for (int i = 0; i < resolved.Length; i++)
            resolved[i] = Axes[i] < 0 && Axes[i] >= -rank ? Axes[i] + rank : Axes[i];
        return resolved;
    }

    public override string ToString() => NonBatch ? "NonBatchAxes" : "[" + string.Join(", ", Axes) + "]";
}
