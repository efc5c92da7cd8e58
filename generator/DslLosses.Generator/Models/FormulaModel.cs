using DslLosses.Generator.Ir;

namespace DslLosses.Generator.Models;

/// <summary>One declared dimension: a symbolic name, a literal size (<see cref="Name"/> null), or the ellipsis <c>"..."</c>.</summary>
internal sealed record Dim(string? Name, int Size)
{
    public const string EllipsisName = "...";

    public bool IsEllipsis => Name == EllipsisName;

    public bool IsLiteral => Name is null;

    public override string ToString() => Name ?? Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A formula parameter: its name as written, its kind and, for tensors, its declared shape.</summary>
internal sealed record ParamModel(string Name, ParamKind Kind, EquatableArray<Dim> Shape)
{
    public bool IsTensor => Kind is ParamKind.Tensor or ParamKind.Indices;

    public bool IsVariadic => Shape.Count > 0 && Shape[0].IsEllipsis;

    /// <summary>The declared rank, not counting the ellipsis.</summary>
    public int FixedRank => IsVariadic ? Shape.Count - 1 : Shape.Count;

    public string ShapeText => "(" + string.Join(", ", Shape) + ")";
}

/// <summary>A local of a formula body and its value: the emitter names the temporary that holds the value after it.</summary>
internal sealed record LocalValue(string Name, Expr Value);

/// <summary>A type that contains a formula, outermost first: the keyword (<c>class</c>, <c>struct</c>, <c>record</c>, ...) and the name.</summary>
internal sealed record ContainingType(string Keyword, string Name);

/// <summary>
/// A parsed, checked formula: everything the later stages need, as values. No symbols, syntax or compilation.
/// </summary>
internal sealed record FormulaModel(
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string MethodName,
    string LossName,
    int LossAxis,
    int ElementTypes,
    int Reductions,
    EquatableArray<ParamModel> Parameters,
    Expr Body,
    EquatableArray<string> SourceLines,
    EquatableArray<int> DifferentiableTensors,
    EquatableArray<LocalValue> Locals = default)
{
    /// <summary>The one tensor differentiated by when there is exactly one (the entry points' <c>gradient</c>), else -1.</summary>
    public int DifferentiableParameter => DifferentiableTensors.Count == 1 ? DifferentiableTensors[0] : -1;

    /// <summary>The <c>Scalar</c> parameters marked <c>[Differentiable]</c>: each gets a method returning the gradient of the reduced loss by it.</summary>
    public EquatableArray<int> DifferentiableScalars { get; init; }

    /// <summary>
    /// How many axes, from <see cref="LossAxis"/> on, the formula reduces (more than one when an axis operation is
    /// written with <c>axes:</c>): the trailing axes of the full shape, flattened into one loss axis in the kernels.
    /// </summary>
    public int LossAxisCount { get; init; } = 1;

    /// <summary>Flags of <c>DslLosses.LossElementTypes</c>.</summary>
    public const int Single = 1, Double = 2, Half = 4;

    /// <summary>Flags of <c>DslLosses.LossReductions</c>.</summary>
    public const int PerSample = 1, Sum = 2, SumOverBatchSize = 4, MeanWithSampleWeight = 8;

    /// <summary>The reductions to a single value: any of them needs the total kernels.</summary>
    public const int Totals = Sum | SumOverBatchSize | MeanWithSampleWeight;
}
