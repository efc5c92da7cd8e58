using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DslLosses.Analyzers;

/// <summary>How the shapes of a loss's inputs relate.</summary>
internal enum CallKind
{
    /// <summary><c>yTrue</c> and <c>yPred</c> of one shape; the per-sample loss drops the axis (BCE, CCE, Poisson, KLD, softmax CE).</summary>
    SameShapeReduced,
    /// <summary><c>labels</c> and <c>logits</c> of one shape; the per-sample loss keeps it (sigmoid CE with logits).</summary>
    SameShapeElementwise,
    /// <summary>Integer labels of <c>yPred</c>'s shape without the class axis (SCCE).</summary>
    Sparse,
    /// <summary>A generated kernel of a <c>[Loss]</c> formula: the declared <c>[Shape]</c>s decide.</summary>
    Generated,
}

/// <summary>A call of a built-in loss or of a generated kernel, with its arguments sorted by role.</summary>
internal sealed class CallSite
{
    public CallSite(string lossName, CallKind kind, IOperation operation)
    {
        LossName = lossName;
        Kind = kind;
        Operation = operation;
    }

    /// <summary>The loss as messages name it: <c>BinaryCrossentropy</c>, <c>Losses.binary_crossentropy</c>, <c>MyLosses.FocalBce</c>.</summary>
    public string LossName { get; }
    public CallKind Kind { get; }
    public IOperation Operation { get; }
    public IArgumentOperation? YTrue { get; set; }
    public IArgumentOperation? YPred { get; set; }
    public IArgumentOperation? SampleWeight { get; set; }
    /// <summary>A per-sample destination (<c>destination</c>): the per-sample loss's element count.</summary>
    public IArgumentOperation? Destination { get; set; }
    /// <summary>A gradient destination: <c>yPred</c>'s element count.</summary>
    public IArgumentOperation? Gradient { get; set; }
    /// <summary>The constant loss axis, or null when it is not a constant.</summary>
    public int? Axis { get; set; } = -1;
    /// <summary>Where the axis is written (an argument of the call or of the loss's constructor), if anywhere.</summary>
    public IOperation? AxisSource { get; set; }
    /// <summary>The constant <c>fromLogits</c>, or null when unknown or the loss has none.</summary>
    public bool? FromLogits { get; set; }
    /// <summary>The call or creation whose <c>fromLogits</c> argument the code fix edits; null when there is none to edit.</summary>
    public IOperation? FromLogitsOwner { get; set; }
    /// <summary>The activation the logits path applies: <c>sigmoid</c> or <c>softmax</c>.</summary>
    public string? Activation { get; set; }
    /// <summary>The formula of a generated kernel.</summary>
    public IMethodSymbol? Formula { get; set; }
    public ImmutableArray<IArgumentOperation> Arguments { get; set; } = ImmutableArray<IArgumentOperation>.Empty;

    /// <summary>The call site behind an invocation, or null when it calls no DslLosses loss.</summary>
    public static CallSite? From(IInvocationOperation invocation, DslSymbols symbols, CancellationToken ct)
    {
        IMethodSymbol method = invocation.TargetMethod;
        INamedTypeSymbol? type = method.ContainingType;
        if (type is null)
            return null;

        if (SymbolEqualityComparer.Default.Equals(type, symbols.Losses))
            return FromFunction(invocation, method, symbols);
        if (SymbolEqualityComparer.Default.Equals(type, symbols.Nn))
            return FromNn(invocation, method);
        if (!method.IsStatic && method.Name is "Compute" or "ComputePerSample" or "Gradient" or "ComputeWithGradient" &&
            (DslSymbols.Is(type, symbols.KerasLoss) || SymbolEqualityComparer.Default.Equals(type, symbols.SparseCategoricalCrossentropy)))
            return FromLossObject(invocation, invocation.Instance, type, symbols, ct);
        // the TorchSharp bridge: loss.Call(yTrue, yPred, sampleWeight), an extension whose first argument is the loss
        if (method.IsStatic && method.Name == "Call" && SymbolEqualityComparer.Default.Equals(type, symbols.TorchSharpLosses) &&
            invocation.Arguments.Length > 0 && invocation.Arguments[0].Parameter?.Name == "loss" && method.Parameters[0].Type is INamedTypeSymbol lossParameter)
            return FromLossObject(invocation, invocation.Arguments[0].Value, lossParameter, symbols, ct);
        if (method.IsStatic && symbols.FormulaOf(method.OriginalDefinition) is { } formula)
        {
            var site = new CallSite(type.Name + "." + method.Name, CallKind.Generated, invocation) { Formula = formula, Arguments = invocation.Arguments };
            foreach (IArgumentOperation a in invocation.Arguments)
            {
                switch (a.Parameter?.Name)
                {
                    case "sampleWeight": site.SampleWeight = a; break;
                    case "destination": site.Destination = a; break;
                    case "gradient": site.Gradient = a; break;
                    case "axis": ReadAxis(site, a); break;
                }
            }
            return site;
        }
        return null;
    }

    private static void Assign(CallSite site, ImmutableArray<IArgumentOperation> arguments)
    {
        site.Arguments = arguments;
        foreach (IArgumentOperation a in arguments)
        {
            switch (a.Parameter?.Name)
            {
                case "yTrue" or "labels": site.YTrue = a; break;
                case "yPred" or "logits": site.YPred = a; break;
                case "sampleWeight": site.SampleWeight = a; break;
                case "destination": site.Destination = a; break;
                case "gradient": site.Gradient = a; break;
                case "axis": ReadAxis(site, a); break;
                case "fromLogits":
                    site.FromLogits = a.Value.ConstantValue is { HasValue: true, Value: bool b } ? b : null;
                    break;
            }
        }
    }

    private static void ReadAxis(CallSite site, IArgumentOperation a)
    {
        site.Axis = KnownTensors.TryGetNumber(a.Value, out double v) && v == (int)v ? (int)v : null;
        site.AxisSource = a.ArgumentKind == ArgumentKind.Explicit ? a : null;
    }

    private static CallSite? FromFunction(IInvocationOperation invocation, IMethodSymbol method, DslSymbols symbols)
    {
        (CallKind kind, string? activation) = method.Name switch
        {
            "binary_crossentropy" => (CallKind.SameShapeReduced, "sigmoid"),
            "categorical_crossentropy" => (CallKind.SameShapeReduced, "softmax"),
            "sparse_categorical_crossentropy" => (CallKind.Sparse, "softmax"),
            "poisson" or "kl_divergence" or "kullback_leibler_divergence" => (CallKind.SameShapeReduced, (string?)null),
            _ => ((CallKind)(-1), null),
        };
        if ((int)kind < 0)
            return null;
        var site = new CallSite("Losses." + method.Name, kind, invocation) { Activation = activation };
        Assign(site, invocation.Arguments);
        if (activation is not null)
            site.FromLogitsOwner = invocation;
        return site;
    }

    private static CallSite? FromNn(IInvocationOperation invocation, IMethodSymbol method)
    {
        (CallKind kind, string activation) = method.Name switch
        {
            "sigmoid_cross_entropy_with_logits" => (CallKind.SameShapeElementwise, "sigmoid"),
            "softmax_cross_entropy_with_logits" => (CallKind.SameShapeReduced, "softmax"),
            _ => ((CallKind)(-1), ""),
        };
        if ((int)kind < 0)
            return null;
        var site = new CallSite("Nn." + method.Name, kind, invocation) { Activation = activation, FromLogits = true };
        Assign(site, invocation.Arguments);
        return site;
    }

    /// <summary>A method of a loss object, or the bridge's <c>Call</c> on one: <paramref name="receiver"/> is the loss, typed <paramref name="declaredType"/> at least.</summary>
    private static CallSite? FromLossObject(IInvocationOperation invocation, IOperation? receiver, INamedTypeSymbol declaredType, DslSymbols symbols, CancellationToken ct)
    {
        IOperation? stripped = receiver;
        while (stripped is IConversionOperation { IsImplicit: true } conversion)
            stripped = conversion.Operand;
        INamedTypeSymbol? lossType = stripped?.Type as INamedTypeSymbol ?? declaredType;
        IObjectCreationOperation? creation = Creation(receiver, ct);
        if (creation?.Type is INamedTypeSymbol created)
            lossType = created;
        if (lossType is null)
            return null;

        bool Is(INamedTypeSymbol? t) => SymbolEqualityComparer.Default.Equals(lossType, t);
        CallKind kind = Is(symbols.SparseCategoricalCrossentropy) ? CallKind.Sparse : CallKind.SameShapeReduced;
        string? activation = Is(symbols.BinaryCrossentropy) ? "sigmoid"
            : Is(symbols.CategoricalCrossentropy) || Is(symbols.SparseCategoricalCrossentropy) ? "softmax"
            : null;
        var site = new CallSite(lossType.Name, kind, invocation) { Activation = activation };
        Assign(site, invocation.Arguments);

        // The class options: from the creation when the receiver is one, else unknown (Keras's defaults are not assumed).
        site.Axis = Is(symbols.Poisson) || Is(symbols.KLDivergence) || Is(symbols.SparseCategoricalCrossentropy) ? -1 : null;
        if (creation is not null)
        {
            foreach (IArgumentOperation a in creation.Arguments)
            {
                switch (a.Parameter?.Name)
                {
                    case "axis":
                        ReadAxis(site, a);
                        break;
                    case "fromLogits":
                        site.FromLogits = a.Value.ConstantValue is { HasValue: true, Value: bool b } ? b : null;
                        break;
                }
            }
            if (activation is not null)
                site.FromLogitsOwner = creation;
        }
        return site;
    }

    /// <summary>The <c>new Loss(...)</c> a receiver comes from: written in place, or a local/readonly field assigned once.</summary>
    private static IObjectCreationOperation? Creation(IOperation? receiver, CancellationToken ct)
    {
        for (int i = 0; receiver is not null && i < 4; i++)
        {
            switch (receiver)
            {
                case IObjectCreationOperation creation:
                    return creation;
                case IConversionOperation { IsImplicit: true } conversion:
                    receiver = conversion.Operand;
                    break;
                case ILocalReferenceOperation local:
                    receiver = SingleValue(local.Local, local.SemanticModel, ct, allowWrites: false);
                    break;
                case IFieldReferenceOperation { Field.IsReadOnly: true } field:
                    receiver = SingleValue(field.Field, field.SemanticModel, ct, allowWrites: true);
                    break;
                default:
                    return null;
            }
        }
        return null;
    }

    private static IOperation? SingleValue(ISymbol symbol, SemanticModel? model, CancellationToken ct, bool allowWrites)
    {
        if (model is null || symbol.DeclaringSyntaxReferences.Length != 1)
            return null;
        if (symbol.DeclaringSyntaxReferences[0].GetSyntax(ct) is not Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax { Initializer.Value: { } value } declarator ||
            declarator.SyntaxTree != model.SyntaxTree)
            return null;
        if (symbol is IFieldSymbol field)
        {
            // a readonly field assigned in a constructor is not the initializer's value
            foreach (SyntaxReference part in field.ContainingType.DeclaringSyntaxReferences)
            {
                foreach (var assignment in System.Linq.Enumerable.OfType<Microsoft.CodeAnalysis.CSharp.Syntax.AssignmentExpressionSyntax>(part.GetSyntax(ct).DescendantNodes()))
                {
                    string target = assignment.Left switch
                    {
                        Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax id => id.Identifier.ValueText,
                        Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax m => m.Name.Identifier.ValueText,
                        _ => "",
                    };
                    if (target == field.Name)
                        return null;
                }
            }
        }
        else if (!allowWrites)
        {
            SyntaxNode? scope = declarator.FirstAncestorOrSelf<Microsoft.CodeAnalysis.CSharp.Syntax.MemberDeclarationSyntax>();
            if (scope is null)
                return null;
            foreach (var assignment in System.Linq.Enumerable.OfType<Microsoft.CodeAnalysis.CSharp.Syntax.AssignmentExpressionSyntax>(scope.DescendantNodes()))
            {
                if (assignment.Left is Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax id && id.Identifier.ValueText == symbol.Name)
                    return null;
            }
        }
        return model.GetOperation(value, ct);
    }
}
