using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslLosses.Analyzers;

/// <summary>
/// The DslLosses (and System.Numerics.Tensors, TorchSharp) types the analyzers look for, resolved once per compilation.
/// <see cref="TryCreate"/> returns null when the compilation does not reference DslLosses: the analyzers then do nothing.
/// </summary>
internal sealed class DslSymbols
{
    public INamedTypeSymbol LossAttribute { get; }
    public INamedTypeSymbol ShapeAttribute { get; }
    public INamedTypeSymbol Dsl { get; }
    public IAssemblySymbol RuntimeAssembly { get; }
    public INamedTypeSymbol? DslTensor { get; }
    public INamedTypeSymbol? DslIndices { get; }
    public INamedTypeSymbol? KerasLoss { get; }
    public INamedTypeSymbol? BinaryCrossentropy { get; }
    public INamedTypeSymbol? CategoricalCrossentropy { get; }
    public INamedTypeSymbol? SparseCategoricalCrossentropy { get; }
    public INamedTypeSymbol? Poisson { get; }
    public INamedTypeSymbol? KLDivergence { get; }
    public INamedTypeSymbol? Losses { get; }
    public INamedTypeSymbol? Nn { get; }
    public INamedTypeSymbol? TensorFactory { get; }
    public INamedTypeSymbol? ReadOnlyTensorSpan { get; }
    public INamedTypeSymbol? TensorSpan { get; }
    /// <summary>TorchSharp's <c>torch</c> (its tensor factories), or null when TorchSharp is not referenced.</summary>
    public INamedTypeSymbol? Torch { get; }
    /// <summary>TorchSharp's <c>torch.Tensor</c>, or null when TorchSharp is not referenced.</summary>
    public INamedTypeSymbol? TorchTensor { get; }
    /// <summary>The bridge's <c>TorchSharpLosses</c> (<c>loss.Call(yTrue, yPred)</c>), or null when DslLosses.TorchSharp is not referenced.</summary>
    public INamedTypeSymbol? TorchSharpLosses { get; }

    private DslSymbols(Compilation compilation, INamedTypeSymbol loss, INamedTypeSymbol shape, INamedTypeSymbol dsl)
    {
        LossAttribute = loss;
        ShapeAttribute = shape;
        Dsl = dsl;
        RuntimeAssembly = loss.ContainingAssembly;
        DslTensor = compilation.GetTypeByMetadataName("DslLosses.TensorExpr");
        DslIndices = compilation.GetTypeByMetadataName("DslLosses.Indices");
        KerasLoss = compilation.GetTypeByMetadataName("DslLosses.KerasLoss");
        BinaryCrossentropy = compilation.GetTypeByMetadataName("DslLosses.BinaryCrossentropy");
        CategoricalCrossentropy = compilation.GetTypeByMetadataName("DslLosses.CategoricalCrossentropy");
        SparseCategoricalCrossentropy = compilation.GetTypeByMetadataName("DslLosses.SparseCategoricalCrossentropy");
        Poisson = compilation.GetTypeByMetadataName("DslLosses.Poisson");
        KLDivergence = compilation.GetTypeByMetadataName("DslLosses.KLDivergence");
        Losses = compilation.GetTypeByMetadataName("DslLosses.Losses");
        Nn = compilation.GetTypeByMetadataName("DslLosses.Nn");
        TensorFactory = compilation.GetTypeByMetadataName("System.Numerics.Tensors.Tensor");
        ReadOnlyTensorSpan = compilation.GetTypeByMetadataName("System.Numerics.Tensors.ReadOnlyTensorSpan`1");
        TensorSpan = compilation.GetTypeByMetadataName("System.Numerics.Tensors.TensorSpan`1");
        Torch = compilation.GetTypeByMetadataName("TorchSharp.torch");
        TorchTensor = compilation.GetTypeByMetadataName("TorchSharp.torch+Tensor");
        TorchSharpLosses = compilation.GetTypeByMetadataName("DslLosses.TorchSharpLosses");
    }

    /// <summary>The symbols, or null when DslLosses is not referenced.</summary>
    public static DslSymbols? TryCreate(Compilation compilation)
    {
        INamedTypeSymbol? loss = compilation.GetTypeByMetadataName("DslLosses.LossAttribute");
        INamedTypeSymbol? shape = compilation.GetTypeByMetadataName("DslLosses.ShapeAttribute");
        INamedTypeSymbol? dsl = compilation.GetTypeByMetadataName("DslLosses.Dsl");
        return loss is null || shape is null || dsl is null ? null : new DslSymbols(compilation, loss, shape, dsl);
    }

    /// <summary>Whether <paramref name="method"/> carries <c>[Loss]</c>.</summary>
    public bool IsFormula(IMethodSymbol method)
        => method.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, LossAttribute));

    /// <summary>Whether <paramref name="method"/> is a member of <see cref="Dsl"/> with the given name.</summary>
    public bool IsDsl(IMethodSymbol? method, string name)
        => method is not null && method.Name == name && SymbolEqualityComparer.Default.Equals(method.ContainingType, Dsl);

    /// <summary>Whether <paramref name="type"/> is <paramref name="candidate"/> or derives from it.</summary>
    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? candidate)
    {
        for (ITypeSymbol? t = type; t is not null && candidate is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, candidate))
                return true;
        }
        return false;
    }

    /// <summary>
    /// The <c>[Loss]</c> formula a generated kernel entry point belongs to: the method named like the entry point
    /// (without <c>PerSample</c>, <c>WithGradient</c> or <c>Gradient</c>) in the same type, or null.
    /// </summary>
    public IMethodSymbol? FormulaOf(IMethodSymbol method)
    {
        if (method.ContainingType is not { } type || IsFormula(method))
            return null;
        string name = method.Name;
        foreach (string candidate in Candidates(name))
        {
            foreach (ISymbol member in type.GetMembers(candidate))
            {
                if (member is IMethodSymbol m && !SymbolEqualityComparer.Default.Equals(m, method) && IsFormula(m))
                    return m;
            }
        }
        return null;
    }

    private static ImmutableArray<string> Candidates(string name)
    {
        var builder = ImmutableArray.CreateBuilder<string>(2);
        builder.Add(name);
        foreach (string suffix in new[] { "PerSample", "WithGradient", "Gradient" })
        {
            if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.Ordinal))
            {
                builder.Add(name.Substring(0, name.Length - suffix.Length));
                break;
            }
        }
        return builder.ToImmutable();
    }

    /// <summary>The declared dimensions of a formula parameter (<c>[Shape(...)]</c>), or default when it has none.</summary>
    public ImmutableArray<Dim> DeclaredShape(IParameterSymbol parameter)
    {
        foreach (AttributeData attribute in parameter.GetAttributes())
        {
            if (!SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, ShapeAttribute) || attribute.ConstructorArguments.Length != 1)
                continue;
            TypedConstant arg = attribute.ConstructorArguments[0];
            if (arg.Kind != TypedConstantKind.Array || arg.IsNull)
                return default;
            var dims = ImmutableArray.CreateBuilder<Dim>(arg.Values.Length);
            foreach (TypedConstant v in arg.Values)
            {
                switch (v.Value)
                {
                    case "...":
                        dims.Add(Dim.Ellipsis);
                        break;
                    case string s when s.Length > 0:
                        dims.Add(Dim.Named(s));
                        break;
                    case int n when n >= 0:
                        dims.Add(Dim.Fixed(n));
                        break;
                    default:
                        return default; // invalid: DSL0105 is the generator's
                }
            }
            return dims.ToImmutable();
        }
        return default;
    }

    /// <summary>The <c>Axis</c> of a formula's <c>[Loss]</c> (default -1).</summary>
    public int LossAxis(IMethodSymbol formula)
    {
        foreach (AttributeData attribute in formula.GetAttributes())
        {
            if (!SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, LossAttribute))
                continue;
            foreach (var named in attribute.NamedArguments)
            {
                if (named.Key == "Axis" && named.Value.Value is int axis)
                    return axis;
            }
        }
        return -1;
    }

    /// <summary>
    /// The first of the trailing axes a formula reduces when its body names several (<c>axes: [1, 2, 3]</c> or
    /// <c>NonBatchAxes</c>), resolved against <paramref name="rank"/>: null when it names none, -1 when a list is not
    /// written with integer literals (the call-site checks that depend on the per-sample shape are then skipped).
    /// </summary>
    public static int? FirstReducedAxis(IMethodSymbol formula, int rank, System.Threading.CancellationToken cancellationToken)
    {
        int? first = null;
        foreach (SyntaxReference reference in formula.DeclaringSyntaxReferences)
        {
            foreach (ArgumentSyntax argument in reference.GetSyntax(cancellationToken).DescendantNodes().OfType<ArgumentSyntax>())
            {
                if (argument.NameColon?.Name.Identifier.Text != "axes")
                    continue;
                int? lowest = LowestAxis(argument.Expression, rank);
                if (lowest is null)
                    return -1;
                first = first is null ? lowest : Math.Min(first.Value, lowest.Value);
            }
        }
        return first;
    }

    private static int? LowestAxis(ExpressionSyntax axes, int rank)
    {
        if (axes is IdentifierNameSyntax { Identifier.Text: "NonBatchAxes" } or MemberAccessExpressionSyntax { Name.Identifier.Text: "NonBatchAxes" })
            return 1;
        var elements = axes switch
        {
            CollectionExpressionSyntax collection => collection.Elements.Select(e => (e as ExpressionElementSyntax)?.Expression),
            ImplicitArrayCreationExpressionSyntax implicitArray => implicitArray.Initializer.Expressions.Select(e => (ExpressionSyntax?)e),
            ArrayCreationExpressionSyntax { Initializer: { } initializer } => initializer.Expressions.Select(e => (ExpressionSyntax?)e),
            _ => null,
        };
        int? lowest = null;
        foreach (ExpressionSyntax? element in elements ?? Enumerable.Empty<ExpressionSyntax?>())
        {
            int? axis = element switch
            {
                LiteralExpressionSyntax { Token.Value: int value } => value,
                PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression, Operand: LiteralExpressionSyntax { Token.Value: int value } } => -value,
                _ => null,
            };
            if (axis is null)
                return null;
            int resolved = axis.Value < 0 ? axis.Value + rank : axis.Value;
            lowest = lowest is null ? resolved : Math.Min(lowest.Value, resolved);
        }
        return lowest;
    }

    /// <summary>The name used in messages for a formula (<c>[Loss(Name = ...)]</c> or the method name).</summary>
    public string DisplayName(IMethodSymbol formula)
    {
        foreach (AttributeData attribute in formula.GetAttributes())
        {
            if (!SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, LossAttribute))
                continue;
            foreach (var named in attribute.NamedArguments)
            {
                if (named.Key == "Name" && named.Value.Value is string s && s.Length > 0)
                    return s;
            }
        }
        return formula.Name;
    }
}

/// <summary>One declared dimension: a name, a literal size, or the leading <c>"..."</c>.</summary>
internal readonly struct Dim
{
    private Dim(string? name, int size, bool ellipsis)
    {
        Name = name;
        Size = size;
        IsEllipsis = ellipsis;
    }

    public string? Name { get; }
    public int Size { get; }
    public bool IsEllipsis { get; }

    public static Dim Ellipsis => new(null, -1, true);
    public static Dim Named(string name) => new(name, -1, false);
    public static Dim Fixed(int size) => new(null, size, false);

    public override string ToString() => IsEllipsis ? "..." : Name ?? Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
