using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace DslLosses.Analyzers;

/// <summary>A tensor argument whose shape (and possibly values) is known at compile time.</summary>
internal sealed class KnownTensor
{
    public KnownTensor(ImmutableArray<long> shape, ImmutableArray<double> values)
    {
        Shape = shape;
        Values = values;
    }

    /// <summary>The lengths, outermost first.</summary>
    public ImmutableArray<long> Shape { get; }

    /// <summary>The values in row-major order, or default when they are not all known constants.</summary>
    public ImmutableArray<double> Values { get; }

    public int Rank => Shape.Length;

    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    public KnownTensor WithoutValues() => Values.IsDefault ? this : new KnownTensor(Shape, default);
}

/// <summary>
/// Finds the shapes (and constant values) of tensor arguments: array creations with constant lengths, array
/// initializers, collection expressions, <c>Tensor.Create</c>/<c>Tensor.CreateFromShape</c> and tensor-span
/// constructors with constant lengths, and locals or readonly fields assigned once from one of those. Anything else is
/// unknown (null): the analyzers stay silent rather than guess.
/// </summary>
internal static class KnownTensors
{
    private const int MaxDepth = 4;
    private const int MaxElements = 1 << 16;

    public static KnownTensor? Infer(IOperation? operation, DslSymbols symbols, CancellationToken cancellationToken)
    {
        try
        {
            return Infer(operation, symbols, 0, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null; // never let a surprising tree crash the analyzer
        }
    }

    private static KnownTensor? Infer(IOperation? operation, DslSymbols symbols, int depth, CancellationToken ct)
    {
        if (operation is null || depth > MaxDepth)
            return null;
        ct.ThrowIfCancellationRequested();
        switch (operation)
        {
            case IArgumentOperation argument:
                return argument.ArgumentKind == ArgumentKind.Explicit ? Infer(argument.Value, symbols, depth, ct) : null;
            case IConversionOperation conversion:
                return IsShapePreserving(conversion, symbols) ? Infer(conversion.Operand, symbols, depth, ct) : null;
            case IArrayCreationOperation array:
                return FromArrayCreation(array);
            case ICollectionExpressionOperation collection:
                return FromCollection(collection);
            case ILocalReferenceOperation local:
                return FromLocal(local, symbols, depth, ct);
            case IFieldReferenceOperation field:
                return FromField(field, symbols, depth, ct)?.WithoutValues();
            case IInvocationOperation invocation:
                return FromFactory(invocation.TargetMethod, invocation.Arguments, symbols, depth, ct);
            case IObjectCreationOperation creation when creation.Constructor is not null:
                return FromFactory(creation.Constructor, creation.Arguments, symbols, depth, ct);
            default:
                return null;
        }
    }

    private static bool IsShapePreserving(IConversionOperation conversion, DslSymbols symbols)
    {
        if (conversion.IsImplicit || conversion.Conversion.IsIdentity)
        {
            ITypeSymbol? from = conversion.Operand.Type;
            ITypeSymbol? to = conversion.Type;
            if (conversion.Operand is ICollectionExpressionOperation or IArrayCreationOperation)
                return true;
            if (from is null)
                return false;
            return from is IArrayTypeSymbol || IsTensorLike(from, symbols) || IsTensorLike(to, symbols) && from is not null && IsTensorLike(from, symbols);
        }
        return false;
    }

    public static bool IsTensorLike(ITypeSymbol? type, DslSymbols symbols)
    {
        if (type is not INamedTypeSymbol named)
            return false;
        if (SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, symbols.ReadOnlyTensorSpan) ||
            SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, symbols.TensorSpan))
            return true;
        return named.Name == "Tensor" && named.Arity == 1 && named.ContainingNamespace?.ToDisplayString() == "System.Numerics.Tensors";
    }

    private static KnownTensor? FromArrayCreation(IArrayCreationOperation array)
    {
        var shape = ImmutableArray.CreateBuilder<long>(array.DimensionSizes.Length);
        foreach (IOperation size in array.DimensionSizes)
        {
            if (!TryGetNumber(size, out double n) || n < 0 || n != Math.Floor(n))
                return null;
            shape.Add((long)n);
        }
        ImmutableArray<double> values = default;
        if (array.Initializer is { } initializer)
            values = Flatten(initializer);
        var result = shape.ToImmutable();
        if (!values.IsDefault && values.Length != result.Aggregate(1L, (a, b) => a * b))
            values = default;
        return new KnownTensor(result, values);
    }

    private static ImmutableArray<double> Flatten(IArrayInitializerOperation initializer)
    {
        var values = ImmutableArray.CreateBuilder<double>();
        bool all = true;
        void Walk(IArrayInitializerOperation init)
        {
            foreach (IOperation element in init.ElementValues)
            {
                if (values.Count > MaxElements)
                {
                    all = false;
                    return;
                }
                if (element is IArrayInitializerOperation nested)
                    Walk(nested);
                else if (TryGetNumber(element, out double v))
                    values.Add(v);
                else
                    all = false;
            }
        }
        Walk(initializer);
        return all ? values.ToImmutable() : default;
    }

    private static KnownTensor? FromCollection(ICollectionExpressionOperation collection)
    {
        var values = ImmutableArray.CreateBuilder<double>(collection.Elements.Length);
        bool all = true;
        foreach (IOperation element in collection.Elements)
        {
            if (element is ISpreadOperation)
                return null;
            if (TryGetNumber(element, out double v))
                values.Add(v);
            else
                all = false;
        }
        return new KnownTensor(ImmutableArray.Create((long)collection.Elements.Length), all ? values.ToImmutable() : default);
    }

    /// <summary><c>Tensor.Create(array, lengths)</c>, <c>Tensor.CreateFromShape(lengths)</c>, <c>new ReadOnlyTensorSpan&lt;T&gt;(array, lengths, ...)</c>.</summary>
    private static KnownTensor? FromFactory(IMethodSymbol method, ImmutableArray<IArgumentOperation> arguments, DslSymbols symbols, int depth, CancellationToken ct)
    {
        bool factory = SymbolEqualityComparer.Default.Equals(method.ContainingType, symbols.TensorFactory) &&
                       method.Name is "Create" or "CreateFromShape" or "CreateFromShapeUninitialized";
        bool constructor = method.MethodKind == MethodKind.Constructor && IsTensorLike(method.ContainingType, symbols);
        if (!factory && !constructor)
            return null;

        IArgumentOperation? data = null, lengths = null, start = null;
        foreach (IArgumentOperation a in arguments)
        {
            switch (a.Parameter?.Name)
            {
                case "values" or "array" or "span" or "data":
                    data = a;
                    break;
                case "lengths":
                    lengths = a;
                    break;
                case "start":
                    start = a;
                    break;
            }
        }
        if (data is null && arguments.Length > 0 && arguments[0].Parameter?.Type is IArrayTypeSymbol)
            data = arguments[0];
        if (start is not null && !(TryGetNumber(start.Value, out double s) && s == 0))
            return null;

        KnownTensor? source = data is null ? null : Infer(data.Value, symbols, depth + 1, ct);
        if (lengths is null || lengths.ArgumentKind != ArgumentKind.Explicit)
        {
            // Tensor.Create(array) and new ReadOnlyTensorSpan<T>(array): the array's own shape.
            if (data is null || source is null)
                return null;
            bool flatOnly = data.Parameter?.Type is IArrayTypeSymbol { Rank: 1 };
            return flatOnly && source.Rank != 1 ? null : source;
        }

        KnownTensor? lengthsTensor = Infer(lengths.Value, symbols, depth + 1, ct);
        if (lengthsTensor is null || lengthsTensor.Rank != 1 || lengthsTensor.Values.IsDefault)
            return null;
        if (lengthsTensor.Values.Length == 0)
            return source is { Rank: 1 } ? source : null; // empty lengths: one dimension, the array's length
        var shape = ImmutableArray.CreateBuilder<long>(lengthsTensor.Values.Length);
        foreach (double v in lengthsTensor.Values)
        {
            if (v < 0 || v != Math.Floor(v))
                return null;
            shape.Add((long)v);
        }
        var result = shape.ToImmutable();
        long count = result.Aggregate(1L, (a, b) => a * b);
        ImmutableArray<double> values = source is not null && !source.Values.IsDefault && source.Values.Length == count ? source.Values : default;
        return new KnownTensor(result, values);
    }

    private static KnownTensor? FromLocal(ILocalReferenceOperation reference, DslSymbols symbols, int depth, CancellationToken ct)
    {
        ILocalSymbol local = reference.Local;
        if (local.IsRef || local.DeclaringSyntaxReferences.Length != 1 || reference.SemanticModel is not { } model)
            return null;
        if (local.DeclaringSyntaxReferences[0].GetSyntax(ct) is not VariableDeclaratorSyntax { Initializer.Value: { } value } declarator)
            return null;
        if (declarator.SyntaxTree != model.SyntaxTree)
            return null;
        SyntaxNode? scope = declarator.FirstAncestorOrSelf<MemberDeclarationSyntax>() ?? (SyntaxNode?)declarator.FirstAncestorOrSelf<GlobalStatementSyntax>()?.Parent;
        if (scope is null)
            return null;
        UseKind uses = ClassifyUses(scope, local, declarator, model, symbols, ct);
        if (uses == UseKind.Written)
            return null;
        IOperation? initial = model.GetOperation(value, ct);
        // `float[,] a = { { ... } };` binds the braces alone to an initializer; its parent is the implicit array creation
        if (initial is IArrayInitializerOperation { Parent: IArrayCreationOperation creation })
            initial = creation;
        KnownTensor? known = Infer(initial, symbols, depth + 1, ct);
        return uses == UseKind.ReadOnly ? known : known?.WithoutValues();
    }

    private static KnownTensor? FromField(IFieldReferenceOperation reference, DslSymbols symbols, int depth, CancellationToken ct)
    {
        IFieldSymbol field = reference.Field;
        if (!field.IsReadOnly || field.DeclaringSyntaxReferences.Length != 1 || reference.SemanticModel is not { } model)
            return null;
        if (field.DeclaringSyntaxReferences[0].GetSyntax(ct) is not VariableDeclaratorSyntax { Initializer.Value: { } value } declarator)
            return null;
        if (declarator.SyntaxTree != model.SyntaxTree)
            return null;
        // A readonly field may still be assigned in a constructor: look for any assignment to its name in the type.
        foreach (SyntaxReference part in field.ContainingType.DeclaringSyntaxReferences)
        {
            foreach (AssignmentExpressionSyntax assignment in part.GetSyntax(ct).DescendantNodes().OfType<AssignmentExpressionSyntax>())
            {
                string target = assignment.Left switch
                {
                    IdentifierNameSyntax id => id.Identifier.ValueText,
                    MemberAccessExpressionSyntax m => m.Name.Identifier.ValueText,
                    _ => "",
                };
                if (target == field.Name)
                    return null;
            }
        }
        return Infer(model.GetOperation(value, ct), symbols, depth + 1, ct);
    }

    private enum UseKind { ReadOnly, ShapeOnly, Written }

    /// <summary>
    /// How a local initialised with an array is used in its member: written (reassigned, passed by ref/out),
    /// read only by DslLosses calls and tensor views (its values stay known), or otherwise (its values may change).
    /// </summary>
    private static UseKind ClassifyUses(SyntaxNode scope, ILocalSymbol local, VariableDeclaratorSyntax declarator, SemanticModel model, DslSymbols symbols, CancellationToken ct)
    {
        UseKind result = UseKind.ReadOnly;
        foreach (SyntaxNode node in scope.DescendantNodes())
        {
            if (node is not IdentifierNameSyntax id || id.Identifier.ValueText != local.Name || declarator.Span.Contains(id.Span))
                continue;
            if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(id, ct).Symbol, local))
                continue;
            SyntaxNode? parent = id.Parent;
            if (parent is AssignmentExpressionSyntax assignment && assignment.Left == id)
                return UseKind.Written;
            if (parent is ArgumentSyntax arg && (arg.RefKindKeyword.IsKind(SyntaxKind.RefKeyword) || arg.RefKindKeyword.IsKind(SyntaxKind.OutKeyword)))
                return UseKind.Written;
            if (parent is PrefixUnaryExpressionSyntax or PostfixUnaryExpressionSyntax || parent is RefExpressionSyntax)
                return UseKind.Written;
            if (result == UseKind.ReadOnly && !IsReadingUse(id, model, symbols, ct))
                result = UseKind.ShapeOnly;
        }
        return result;
    }

    private static bool IsReadingUse(IdentifierNameSyntax id, SemanticModel model, DslSymbols symbols, CancellationToken ct)
    {
        SyntaxNode? parent = id.Parent;
        if (parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Length" or "Rank" or "LongLength" } member && member.Expression == id)
            return true;
        if (parent is not ArgumentSyntax { Parent.Parent: { } call })
            return false;
        if (model.GetSymbolInfo(call, ct).Symbol is not IMethodSymbol method)
            return false;
        if (SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, symbols.RuntimeAssembly) || symbols.FormulaOf(method) is not null)
            return true;
        return method.MethodKind == MethodKind.Constructor && IsTensorLike(method.ContainingType, symbols);
    }

    /// <summary>A compile-time numeric constant (through conversions), as a double.</summary>
    public static bool TryGetNumber(IOperation? operation, out double value)
    {
        value = 0;
        for (int i = 0; operation is not null && i < 8; i++)
        {
            if (operation.ConstantValue is { HasValue: true, Value: { } c })
            {
                switch (c)
                {
                    case double d: value = d; return true;
                    case float f: value = f; return true;
                    case int n: value = n; return true;
                    case long l: value = l; return true;
                    case short s: value = s; return true;
                    case byte b: value = b; return true;
                    case sbyte sb: value = sb; return true;
                    case uint u: value = u; return true;
                    case ulong ul: value = ul; return true;
                    case ushort us: value = us; return true;
                    case decimal m: value = (double)m; return true;
                    default: return false;
                }
            }
            operation = operation is IConversionOperation conversion ? conversion.Operand : null;
        }
        return false;
    }

    /// <summary>A shape as <c>[2, 3]</c>.</summary>
    public static string Format(ImmutableArray<long> shape)
        => "[" + string.Join(", ", shape.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";
}
