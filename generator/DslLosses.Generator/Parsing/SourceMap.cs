using System.Collections.Generic;
using System.Runtime.CompilerServices;
using DslLosses.Generator.Ir;
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

    private sealed class ReferenceComparer : IEqualityComparer<Expr>
    {
        public static readonly ReferenceComparer Instance = new();

        public bool Equals(Expr? x, Expr? y) => ReferenceEquals(x, y);

        public int GetHashCode(Expr obj) => RuntimeHelpers.GetHashCode(obj);
    }
}
