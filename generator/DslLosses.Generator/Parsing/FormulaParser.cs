using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using DslLosses.Generator.Diagnostics;
using DslLosses.Generator.Ir;
using DslLosses.Generator.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslLosses.Generator.Parsing;

/// <summary>
/// Reads a <c>[Loss]</c> method into a <see cref="ParsedFormula"/>: the declaration (with its own checks: static,
/// partial, parameter kinds, shapes as written, [Loss] options) and the body as IR. The shape checker runs after it.
/// Every problem becomes a <see cref="DiagnosticInfo"/>; nothing here throws on user code.
/// </summary>
internal static partial class FormulaParser
{
    public const string LossAttributeName = "DslLosses.LossAttribute";
    public const string ShapeAttributeName = "DslLosses.ShapeAttribute";
    public const string DslTypeName = "DslLosses.Dsl";
    public const string TensorTypeName = "DslLosses.TensorExpr";
    public const string MaskTypeName = "DslLosses.Mask";
    public const string IndicesTypeName = "DslLosses.Indices";
    public const string ScalarTypeName = "DslLosses.Scalar";
    public const string AxisTypeName = "DslLosses.Axis";
    public const string DifferentiableAttributeName = "DslLosses.DifferentiableAttribute";

    /// <summary>Keras's <c>backend.epsilon()</c>.</summary>
    public const double Epsilon = 1e-7;

    /// <summary>
    /// Reads one annotated method into a <see cref="ParsedFormula"/>, reporting into <paramref name="diagnostics"/>;
    /// null when the declaration or the body has errors (the checker has nothing sound to check then).
    /// </summary>
    public static ParsedFormula? Parse(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model, AttributeData? lossAttribute, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        // Code the C# compiler rejects is reported by the compiler; a second report from us would only add noise.
        if (model.GetDiagnostics(syntax.Span, cancellationToken).Any(d => d.Severity == DiagnosticSeverity.Error))
            return null;

        Location nameLocation = syntax.Identifier.GetLocation();
        string methodName = method.Name;

        // ---- declaration -----------------------------------------------------------------------------------
        if (method.IsGenericMethod)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericFormula, nameLocation, methodName, "has type parameters"));
        if (!method.IsStatic)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FormulaNotStatic, nameLocation, methodName));

        var containing = new List<ContainingType>();
        foreach (TypeDeclarationSyntax typeSyntax in syntax.Ancestors().OfType<TypeDeclarationSyntax>().Reverse())
        {
            if (!typeSyntax.Modifiers.Any(SyntaxKind.PartialKeyword))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TypeNotPartial, typeSyntax.Identifier.GetLocation(), typeSyntax.Identifier.ValueText, methodName));
            if (typeSyntax.TypeParameterList is { Parameters.Count: > 0 })
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericFormula, nameLocation, methodName, $"is inside the generic type '{typeSyntax.Identifier.ValueText}'"));
            containing.Add(new ContainingType(TypeKeyword(typeSyntax), typeSyntax.Identifier.ValueText));
        }

        // The generated code names System's types as global::System.*; a type System in the global namespace takes that name.
        if (model.Compilation.GlobalNamespace.GetTypeMembers("System").Length > 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.HiddenNamespace, nameLocation, methodName, "System"));

        if (method.ReturnType.ToDisplayString() != TensorTypeName)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidReturnType, syntax.ReturnType.GetLocation(), methodName, method.ReturnType.ToDisplayString()));

        if (method.ContainingType is { } owner &&
            owner.GetMembers(method.Name).OfType<IMethodSymbol>().Count(m => m.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == LossAttributeName)) > 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateFormulaName, nameLocation, owner.Name, methodName));
        }

        // ---- [Loss] options --------------------------------------------------------------------------------
        int axis = -1, elementTypes = 7, reductions = 15;
        string lossName = methodName;
        Location attributeLocation = lossAttribute?.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? nameLocation;
        if (lossAttribute is not null)
        {
            foreach (KeyValuePair<string, TypedConstant> named in lossAttribute.NamedArguments)
            {
                switch (named.Key)
                {
                    case "Axis" when named.Value.Value is int a:
                        axis = a;
                        break;
                    case "ElementTypes" when named.Value.Value is int e:
                        elementTypes = e;
                        if (e is <= 0 or > 7)
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLossAttribute, attributeLocation, methodName, $"ElementTypes = {e} selects no supported element type (use LossElementTypes.Single, Double, Half or All)"));
                        break;
                    case "Reductions" when named.Value.Value is int r:
                        reductions = r;
                        if (r is <= 0 or > 15)
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLossAttribute, attributeLocation, methodName, $"Reductions = {r} selects no reduction (use LossReductions.PerSample, Sum, SumOverBatchSize, MeanWithSampleWeight or All)"));
                        break;
                    case "Name" when named.Value.Value is string n:
                        if (string.IsNullOrWhiteSpace(n))
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLossAttribute, attributeLocation, methodName, "Name must not be empty"));
                        else
                            lossName = n;
                        break;
                }
            }
        }

        // ---- parameters ------------------------------------------------------------------------------------
        var parameters = new List<ParamModel>();
        var parameterLocations = new List<Location>();
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Location location = parameter.Locations.FirstOrDefault() ?? nameLocation;
            parameters.Add(ParseParameter(parameter, methodName, location, diagnostics, cancellationToken, out Location shapeLocation));
            parameterLocations.Add(shapeLocation);
        }

        // ---- body ------------------------------------------------------------------------------------------
        var sourceMap = new SourceMap();
        var body = new BodyParser(model, method, sourceMap, diagnostics, cancellationToken);
        Expr? result = body.ParseBody(syntax);
        if (result is null || diagnostics.Count > 0)
            return null;

        // ---- shapes, axes and uses of each kind ---------------------------------------------------------------
        var marked = new List<int>();
        var markedScalars = new List<int>();
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (!parameter.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DifferentiableAttributeName))
                continue;
            ParamKind kind = parameters[parameter.Ordinal].Kind;
            if (kind == ParamKind.Scalar)
                markedScalars.Add(parameter.Ordinal);
            else if (kind != ParamKind.Tensor)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidParameter, parameter.Locations.FirstOrDefault(), parameter.Name, methodName, "is marked [Differentiable] but is neither a TensorExpr nor a Scalar"));
            else
                marked.Add(parameter.Ordinal);
        }
        // the gradient methods name a destination (or out value) per differentiable input: gradient + the name, capitalised
        var destinations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (IParameterSymbol parameter in method.Parameters.Where(p => marked.Contains(p.Ordinal) || markedScalars.Contains(p.Ordinal)))
        {
            string destination = "gradient" + char.ToUpperInvariant(parameter.Name[0]) + parameter.Name.Substring(1);
            if (destinations.TryGetValue(destination, out string? other))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidParameter, parameter.Locations.FirstOrDefault(), parameter.Name, methodName,
                    $"is marked [Differentiable] like '{other}', and both gradients would be named '{destination}': rename one"));
            else
                destinations[destination] = parameter.Name;
        }
        if (HasErrors(diagnostics))
            return null;

        return new ParsedFormula(
            method.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            containing.ToEquatableArray(),
            methodName,
            lossName,
            axis,
            elementTypes,
            reductions,
            parameters.ToEquatableArray(),
            parameterLocations,
            result,
            sourceMap,
            SourceLines(syntax),
            marked.ToEquatableArray(),
            nameLocation,
            attributeLocation)
        {
            Locals = body.Locals.ToEquatableArray(),
            DifferentiableScalars = markedScalars.ToEquatableArray(),
        };
    }

    private static bool HasErrors(List<DiagnosticInfo> diagnostics) => DiagnosticInfo.AnyError(diagnostics);

    private static ParamModel ParseParameter(IParameterSymbol parameter, string methodName, Location location, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken, out Location shapeLocation)
    {
        shapeLocation = location;
        string typeName = parameter.Type.ToDisplayString();
        ParamKind? kind = typeName switch
        {
            TensorTypeName => ParamKind.Tensor,
            IndicesTypeName => ParamKind.Indices,
            ScalarTypeName => ParamKind.Scalar,
            "int" => ParamKind.Int,
            _ => null,
        };
        if (kind is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidParameter, location, parameter.Name, methodName,
                $"has type {typeName}: formula parameters are TensorExpr or Indices (with [Shape]), Scalar or int"));
            return new ParamModel(parameter.Name, ParamKind.Scalar, EquatableArray<Dim>.Empty);
        }
        if (parameter.Name is "reduction" or "sampleWeight" or "destination" or "axis" or "gradient" or "T" || parameter.Name.StartsWith("__", StringComparison.Ordinal)
            || parameter.Name.Length > 8 && parameter.Name.StartsWith("gradient", StringComparison.Ordinal) && char.IsUpper(parameter.Name[8]))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidParameter, location, parameter.Name, methodName,
                "uses a name the generated methods need (reduction, sampleWeight, destination, gradient, gradient followed by a capital such as gradientMean, axis, the type parameter T and names starting with __): rename it"));
        }
        if (parameter.RefKind != RefKind.None || parameter.IsParams || parameter.HasExplicitDefaultValue)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidParameter, location, parameter.Name, methodName,
                "must be a plain parameter: no ref, in, out, params or default value"));
        }

        AttributeData? shape = parameter.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ShapeAttributeName);
        if (shape?.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is { } shapeSyntax)
            shapeLocation = shapeSyntax.GetLocation();
        bool isTensor = kind is ParamKind.Tensor or ParamKind.Indices;
        if (!isTensor)
        {
            if (shape is not null)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidShape, shapeLocation, parameter.Name, $"a {typeName} parameter is a scalar and has no shape; remove [Shape]"));
            return new ParamModel(parameter.Name, kind.Value, EquatableArray<Dim>.Empty);
        }
        if (shape is null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidShape, location, parameter.Name, "a tensor parameter needs [Shape(...)], e.g. [Shape(\"B\", \"N\")]"));
            return new ParamModel(parameter.Name, kind.Value, EquatableArray<Dim>.Empty);
        }

        var dims = new List<Dim>();
        ImmutableArray<TypedConstant> values = shape.ConstructorArguments.Length == 1 && shape.ConstructorArguments[0].Kind == TypedConstantKind.Array
            ? shape.ConstructorArguments[0].Values
            : ImmutableArray<TypedConstant>.Empty;
        foreach (TypedConstant value in values)
        {
            switch (value.Value)
            {
                case string name when name == Dim.EllipsisName:
                    if (dims.Count > 0)
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidShape, shapeLocation, parameter.Name, "\"...\" may only come first (it stands for the leading batch dimensions)"));
                    dims.Add(new Dim(name, 0));
                    break;
                case string name when IsDimensionName(name):
                    dims.Add(new Dim(name, 0));
                    break;
                case string name:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidShape, shapeLocation, parameter.Name, $"\"{name}\" is not a dimension name (use a C# identifier such as \"B\" or \"N\")"));
                    break;
                case int size when size > 0:
                    dims.Add(new Dim(null, size));
                    break;
                case int size:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidShape, shapeLocation, parameter.Name, $"a literal dimension must be positive, not {size}"));
                    break;
                default:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidShape, shapeLocation, parameter.Name, $"'{value.Value ?? "null"}' is neither a dimension name nor an int size"));
                    break;
            }
        }
        if (dims.Count == 0 && values.Length == 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidShape, shapeLocation, parameter.Name, "declare at least one dimension, e.g. [Shape(\"B\")]"));
        if (dims.Count > 8 + 1 || dims.Count(d => !d.IsEllipsis) > 8)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidShape, shapeLocation, parameter.Name, "at most 8 dimensions are supported"));
        return new ParamModel(parameter.Name, kind.Value, dims.ToEquatableArray());
    }

    private static bool IsDimensionName(string name)
        => name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c == '_');

    private static string TypeKeyword(TypeDeclarationSyntax type) => type switch
    {
        RecordDeclarationSyntax r => r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record",
        StructDeclarationSyntax => "struct",
        InterfaceDeclarationSyntax => "interface",
        _ => "class",
    };

    private static EquatableArray<string> SourceLines(MethodDeclarationSyntax syntax)
    {
        static string OneLine(SyntaxNode node) => string.Join(" ", node.ToString().Split(new[] { ' ', '\t', '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries));
        if (syntax.ExpressionBody is { } arrow)
            return new EquatableArray<string>(new[] { "return " + OneLine(arrow.Expression) + ";" });
        if (syntax.Body is { } block)
            return block.Statements.Select(OneLine).ToEquatableArray();
        return EquatableArray<string>.Empty;
    }
}
