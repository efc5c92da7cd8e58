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
/// constructors with constant lengths, TorchSharp's <c>torch.zeros/ones/rand/randn/empty</c> with constant sizes and
/// <c>torch.tensor</c> of an array of known shape (through shape-keeping calls such as <c>requires_grad_</c> or
/// <c>to</c>), and locals or readonly fields assigned once from one of those. Anything else is unknown (null): the
/// analyzers stay silent rather than guess.
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
            case IInvocationOperation invocation when symbols.Torch is not null && IsTorch(invocation.TargetMethod.ContainingType, symbols):
                return FromTorch(invocation, symbols, depth, ct);
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

    /// <summary>TorchSharp tensor methods that keep the shape, and whether they keep the values too.</summary>
    private static readonly ImmutableDictionary<string, bool> ShapeKeepingTorchMethods = new (string Name, bool KeepsValues)[]
    {
        ("requires_grad_", true), ("detach", true), ("detach_", true), ("clone", true), ("contiguous", true), ("cpu", true),
        ("to", false), ("to_type", false), ("float", false), ("double", false), ("half", false), ("long", false), ("int", false),
    }.ToImmutableDictionary(m => m.Name, m => m.KeepsValues, StringComparer.Ordinal);

    /// <summary>In-place TorchSharp methods (a trailing <c>_</c>) that change values only, never the shape.</summary>
    private static readonly ImmutableHashSet<string> ValueOnlyInPlaceTorchMethods = ImmutableHashSet.Create(StringComparer.Ordinal,
        "requires_grad_", "detach_", "zero_", "fill_", "uniform_", "normal_", "bernoulli_", "random_", "copy_",
        "add_", "sub_", "mul_", "div_", "neg_", "abs_", "exp_", "log_", "sigmoid_", "tanh_", "clamp_", "clip_", "pow_", "sqrt_", "relu_");

    private static bool IsTorch(INamedTypeSymbol? type, DslSymbols symbols)
        => SymbolEqualityComparer.Default.Equals(type, symbols.Torch) || SymbolEqualityComparer.Default.Equals(type, symbols.TorchTensor);

    /// <summary>
    /// <c>torch.zeros/ones/rand/randn/empty</c> with constant sizes (<c>(32, 10)</c>, <c>(new long[] { 32, 10 })</c>,
    /// <c>([32, 10])</c>), <c>torch.tensor(array)</c> of an array of known shape (or with constant dimensions),
    /// <c>torch.tensor(scalar)</c> (rank 0), and shape-keeping calls on a known TorchSharp tensor.
    /// </summary>
    private static KnownTensor? FromTorch(IInvocationOperation invocation, DslSymbols symbols, int depth, CancellationToken ct)
    {
        IMethodSymbol method = invocation.TargetMethod;
        if (!method.IsStatic)
        {
            if (!SymbolEqualityComparer.Default.Equals(method.ContainingType, symbols.TorchTensor) || !ShapeKeepingTorchMethods.TryGetValue(method.Name, out bool keepsValues))
                return null;
            KnownTensor? receiver = Infer(invocation.Instance, symbols, depth + 1, ct);
            return keepsValues ? receiver : receiver?.WithoutValues();
        }
        if (!SymbolEqualityComparer.Default.Equals(method.ContainingType, symbols.Torch) ||
            method.Name is not ("zeros" or "ones" or "rand" or "randn" or "empty" or "tensor"))
            return null;

        // arguments come in parameter order: rows before columns, dim0 before dim1
        var shape = ImmutableArray.CreateBuilder<long>();
        bool sized = false;
        IArgumentOperation? data = null;
        foreach (IArgumentOperation a in invocation.Arguments)
        {
            switch (a.Parameter?.Name)
            {
                case "size" or "dimensions":
                    sized = true;
                    if (a.Parameter.Type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64)
                    {
                        if (!TryGetDimension(a.Value, out long n))
                            return null;
                        shape.Add(n);
                        break;
                    }
                    KnownTensor? sizes = Infer(a.Value, symbols, depth + 1, ct);
                    if (sizes is null || sizes.Rank != 1 || sizes.Values.IsDefault)
                        return null;
                    foreach (double v in sizes.Values)
                    {
                        if (v < 0 || v != Math.Floor(v))
                            return null;
                        shape.Add((long)v);
                    }
                    break;
                case "rows" or "columns" or "dim0" or "dim1" or "dim2" or "dim3":
                    sized = true;
                    if (!TryGetDimension(a.Value, out long d))
                        return null;
                    shape.Add(d);
                    break;
                case "rawArray" or "dataArray":
                    data = a;
                    break;
                case "scalar":
                    return new KnownTensor(ImmutableArray<long>.Empty, TryGetNumber(a.Value, out double value) ? ImmutableArray.Create(value) : default);
                case "real" or "imaginary":
                    return null;
            }
        }
        if (data is null && invocation.Arguments.Length > 0 && invocation.Arguments[0].Parameter?.Type is IArrayTypeSymbol)
            data = invocation.Arguments[0];
        KnownTensor? source = data is null ? null : Infer(data.Value, symbols, depth + 1, ct);
        if (!sized)
            return source;
        ImmutableArray<long> result = shape.ToImmutable();
        long count = result.Aggregate(1L, (x, y) => x * y);
        return new KnownTensor(result, source is not null && !source.Values.IsDefault && source.Values.Length == count ? source.Values : default);
    }

    private static bool TryGetDimension(IOperation value, out long size)
    {
        size = 0;
        if (!TryGetNumber(value, out double n) || n < 0 || n != Math.Floor(n))
            return false;
        size = (long)n;
        return true;
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
            // a TorchSharp tensor reshaped in place (x.unsqueeze_(0), x.resize_(...)): its shape is no longer the initial one
            if (parent is MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax } call && call.Expression == id &&
                call.Name.Identifier.ValueText is { } called && called.EndsWith("_", StringComparison.Ordinal) && !ValueOnlyInPlaceTorchMethods.Contains(called))
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
