using System.Linq;
using DslLosses.Generator.Checking;
using DslLosses.Generator.Ir;
using DslLosses.Generator.Models;

namespace DslLosses.Generator.Lowering;

/// <summary>How the kernels of a formula walk their inputs.</summary>
internal enum LoopShape
{
    /// <summary>No axis work and no row-level tensor: one flat loop, one loss per element.</summary>
    Elementwise,
    /// <summary>One row at a time along the loss axis: staged reduction loops, then the row's loss.</summary>
    Rows,
}

/// <summary>
/// A formula ready for emission: its lowered loss (only Sum/Max/Min reductions, no Mean, LogSumExp, Softmax or
/// LogSoftmax, stability rewrites applied), the optional keep mask, the loop shape, and every choice its kernels make
/// (<see cref="Choices"/>). One plan per formula, made once by the lowering and cached by the pipeline; equatable like
/// everything that flows through it.
/// </summary>
internal sealed record KernelPlan(
    FormulaModel Formula,
    Geometry Geometry,
    LoopShape Loops,
    Expr Loss,
    Expr? Keep,
    bool LossHasAxis,
    int LiteralAxisLength,
    EquatableArray<Expr> Gradients,
    Expr? FlatTerm,
    bool FlatMean,
    EquatableArray<LocalValue> Locals = default)
{
    /// <summary>
    /// Whether the batch total can be summed over the flat buffer: the per-row loss is <c>Σ h</c> or <c>Σ h / C</c> of
    /// an elementwise <c>h</c>, so the total over rows is <c>Σ_all h</c> (divided by <c>C</c>) — one vector loop with no
    /// per-row horizontal sums, which is what narrow loss axes need.
    /// </summary>
    public bool HasFlatSum => FlatTerm is not null;

    /// <summary>Whether gradient kernels are emitted: at least one tensor is differentiated by.</summary>
    public bool HasGradient => Gradients.Count > 0;

    /// <summary>The gradient by the first differentiable tensor (the only one, usually), or null.</summary>
    public Expr? Gradient => Gradients.Count > 0 ? Gradients[0] : null;

    /// <summary>
    /// The derivative of the per-sample loss by each <c>[Differentiable]</c> Scalar, in the order of
    /// <see cref="FormulaModel.DifferentiableScalars"/>: the fused gradient pass adds up each one's weighted total beside
    /// the tensors' gradients.
    /// </summary>
    public EquatableArray<Expr> ScalarDerivatives => ScalarGradients.Select(s => s.Loss).ToEquatableArray();

    /// <summary>
    /// Per <c>[Differentiable]</c> Scalar parameter, a plan whose "loss" is the derivative of this formula's loss by it:
    /// its reduced total (same weights, same divisor) is the gradient of the reduced loss by the scalar.
    /// </summary>
    public EquatableArray<KernelPlan> ScalarGradients { get; init; }

    /// <summary>
    /// The decisions for this plan's kernels (<see cref="KernelChoices"/>), made once by <see cref="Lowerer.Lower"/> after
    /// everything above is known; the emitter only reads them.
    /// </summary>
    public KernelChoices Choices { get; init; } = null!;
}
