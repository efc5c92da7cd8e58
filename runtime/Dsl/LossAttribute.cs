using System;

namespace DslLosses;

/// <summary>
/// Marks a static method of a <c>partial</c> type as a loss formula. The DslLosses generator turns
/// the method body into specialised kernels, one per element type and reduction, named after the method.
/// </summary>
/// <remarks>
/// The method body is written in the DSL vocabulary of <see cref="Dsl"/> over parameters of type
/// <see cref="TensorExpr"/> (with <see cref="ShapeAttribute"/>), <see cref="Indices"/>, <see cref="Scalar"/> or <see cref="int"/>.
/// It is never executed: calling it at run time throws <see cref="NotSupportedException"/>.
/// </remarks>
/// <example>
/// <code>
/// [Loss]
/// static TensorExpr FocalBce([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, Scalar gamma)
/// {
///     var p = Clip(yPred, Epsilon, 1 - Epsilon);
///     var pt = yTrue * p + (1 - yTrue) * (1 - p);
///     return Mean(-Pow(1 - pt, gamma) * Log(pt), axis: -1);
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class LossAttribute : Attribute
{
    /// <summary>
    /// The loss axis (class axis) of the formula, counted on the declared shapes; negative values count from the end.
    /// Every axis operation in the formula (<c>Sum</c>, <c>LogSoftmax</c>, ...) must use this axis, or every one names the
    /// same trailing axes with <c>axes:</c> (then this axis must be one of them; the default is).
    /// Default: -1, the last dimension.
    /// </summary>
    public int Axis { get; set; } = -1;

    /// <summary>The element types to emit kernels for. Default: <see cref="LossElementTypes.All"/>.</summary>
    public LossElementTypes ElementTypes { get; set; } = LossElementTypes.All;

    /// <summary>The reductions to emit kernels for. Default: <see cref="LossReductions.All"/>.</summary>
    public LossReductions Reductions { get; set; } = LossReductions.All;

    /// <summary>The name used in error messages. Default: the method name.</summary>
    public string? Name { get; set; }
}

/// <summary>
/// Declares the shape of a tensor parameter of a loss formula: each dimension is a symbolic name
/// (<c>"B"</c>, <c>"N"</c>) or a literal size (<c>3</c>). Dimensions with the same name must agree; this is
/// checked at compile time where the sizes are known and at run time at every kernel entry.
/// Literal sizes are checked and, on the loss axis, unrolled in the generated kernels.
/// </summary>
/// <remarks>
/// A leading <c>"..."</c> stands for any number of batch dimensions: <c>[Shape("...", "C")]</c> accepts tensors of any
/// rank at least 1, and the generated kernels then take an <c>axis</c> argument choosing which dimension plays <c>C</c>.
/// </remarks>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class ShapeAttribute : Attribute
{
    /// <summary>Declares the dimensions: each a <see cref="string"/> name, <c>"..."</c>, or an <see cref="int"/> size.</summary>
    /// <param name="dimensions">The dimensions, outermost first.</param>
    public ShapeAttribute(params object[] dimensions) => Dimensions = dimensions;

    /// <summary>The declared dimensions, outermost first.</summary>
    public object[] Dimensions { get; }
}

/// <summary>The element types a <see cref="LossAttribute"/> formula is emitted for.</summary>
[Flags]
public enum LossElementTypes
{
    /// <summary><see cref="float"/> kernels.</summary>
    Single = 1,
    /// <summary><see cref="double"/> kernels.</summary>
    Double = 2,
    /// <summary><see cref="System.Half"/> kernels (computed in <see cref="float"/>, rounded once on output).</summary>
    Half = 4,
    /// <summary>All of them.</summary>
    All = Single | Double | Half,
}

/// <summary>The reductions a <see cref="LossAttribute"/> formula is emitted for.</summary>
[Flags]
public enum LossReductions
{
    /// <summary><see cref="Reduction.None"/>: per-sample losses written to a destination.</summary>
    PerSample = 1,
    /// <summary><see cref="Reduction.Sum"/>.</summary>
    Sum = 2,
    /// <summary><see cref="Reduction.SumOverBatchSize"/>.</summary>
    SumOverBatchSize = 4,
    /// <summary><see cref="Reduction.MeanWithSampleWeight"/>.</summary>
    MeanWithSampleWeight = 8,
    /// <summary>All of them.</summary>
    All = PerSample | Sum | SumOverBatchSize | MeanWithSampleWeight,
}
