using System.Collections.Generic;
using DslLosses.Generator.Ir;
using DslLosses.Generator.Models;
using Microsoft.CodeAnalysis;

namespace DslLosses.Generator.Parsing;

/// <summary>
/// A formula as its declaration and body read, before the checker: the values of the <see cref="FormulaModel"/> the
/// checker completes (the normalised loss axis, the differentiable parameters), and the locations it reports at. Lives
/// only inside the parse step, with its <see cref="SourceMap"/>.
/// </summary>
internal sealed class ParsedFormula
{
    public ParsedFormula(
        string? @namespace,
        EquatableArray<ContainingType> containingTypes,
        string methodName,
        string lossName,
        int declaredAxis,
        int elementTypes,
        int reductions,
        EquatableArray<ParamModel> parameters,
        IReadOnlyList<Location> parameterLocations,
        Expr body,
        SourceMap sourceMap,
        EquatableArray<string> sourceLines,
        EquatableArray<int> markedDifferentiable,
        Location nameLocation,
        Location attributeLocation)
    {
        Namespace = @namespace;
        ContainingTypes = containingTypes;
        MethodName = methodName;
        LossName = lossName;
        DeclaredAxis = declaredAxis;
        ElementTypes = elementTypes;
        Reductions = reductions;
        Parameters = parameters;
        ParameterLocations = parameterLocations;
        Body = body;
        SourceMap = sourceMap;
        SourceLines = sourceLines;
        MarkedDifferentiable = markedDifferentiable;
        NameLocation = nameLocation;
        AttributeLocation = attributeLocation;
    }

    public string? Namespace { get; }

    public EquatableArray<ContainingType> ContainingTypes { get; }

    public string MethodName { get; }

    public string LossName { get; }

    /// <summary>The <c>Axis</c> of <c>[Loss]</c> as written.</summary>
    public int DeclaredAxis { get; }

    public int ElementTypes { get; }

    public int Reductions { get; }

    public EquatableArray<ParamModel> Parameters { get; }

    /// <summary>Per parameter: its <c>[Shape]</c> attribute, else the parameter itself.</summary>
    public IReadOnlyList<Location> ParameterLocations { get; }

    public Expr Body { get; }

    /// <summary>The formula's locals with their values, in the order declared.</summary>
    public EquatableArray<LocalValue> Locals { get; set; }

    /// <summary>Where each node of <see cref="Body"/> was written.</summary>
    public SourceMap SourceMap { get; }

    public EquatableArray<string> SourceLines { get; }

    /// <summary>The <c>Scalar</c> parameters marked <c>[Differentiable]</c>.</summary>
    public EquatableArray<int> DifferentiableScalars { get; set; }

    /// <summary>The <c>Tensor</c> parameters marked <c>[Differentiable]</c>, in parameter order (none: the checker picks the prediction).</summary>
    public EquatableArray<int> MarkedDifferentiable { get; }

    public Location NameLocation { get; }

    /// <summary>The <c>[Loss]</c> attribute, else the method name.</summary>
    public Location AttributeLocation { get; }
}
