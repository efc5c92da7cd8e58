using System;
using System.Collections.Generic;

namespace DslLosses.Generator.Ir;

/// <summary>Elementwise operations of one operand.</summary>
internal enum UnaryOp
{
    Neg,
    Log,
    Log1p,
    Exp,
    Abs,
    Sqrt,
    Square,
    Sigmoid,
    Softplus,
    Not,
    /// <summary>True where the operand is finite (introduced by the lowering of LogSumExp).</summary>
    IsFinite,
    /// <summary>The operand's value, with zero derivative (TensorFlow's <c>stop_gradient</c>; wraps the max shift of log-sum-exp).</summary>
    StopGradient,
}

/// <summary>Elementwise operations of two operands. Comparisons and And/Or give masks.</summary>
internal enum BinaryOp
{
    Add,
    Sub,
    Mul,
    Div,
    Max,
    Min,
    Pow,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

/// <summary>Reductions along the loss axis. <see cref="Mean"/> and <see cref="LogSumExp"/> are lowered away.</summary>
internal enum ReduceOp
{
    Sum,
    Mean,
    Max,
    Min,
    LogSumExp,
}

/// <summary>Normalisations along the loss axis (elementwise result, row statistics). Lowered away.</summary>
internal enum AxisMapOp
{
    Softmax,
    LogSoftmax,
}

/// <summary>What a formula parameter is.</summary>
internal enum ParamKind
{
    /// <summary>A float tensor (<c>Tensor</c>).</summary>
    Tensor,
    /// <summary>An integer tensor (<c>Indices</c>).</summary>
    Indices,
    /// <summary>A scalar of the kernel's element type (<c>Scalar</c>).</summary>
    Scalar,
    /// <summary>An integer scalar (<c>int</c>).</summary>
    Int,
}

/// <summary>
/// The loss IR: an expression tree whose records compare structurally, so equal subexpressions are one value
/// (common subexpressions fall out of dictionary lookups) and models built from it cache in the incremental pipeline.
/// Axis operations carry the axis as written; the checker validates it and the lowering drops it (one loss axis per formula).
/// </summary>
internal abstract record Expr;

/// <summary>A numeric constant, rounded to the kernel's element type when emitted.</summary>
internal sealed record Const(double Value) : Expr;

/// <summary>A reference to formula parameter <see cref="Index"/>.</summary>
internal sealed record Param(int Index, ParamKind Kind) : Expr;

internal sealed record Unary(UnaryOp Op, Expr X) : Expr;

internal sealed record Binary(BinaryOp Op, Expr Left, Expr Right) : Expr;

internal sealed record Where(Expr Condition, Expr WhenTrue, Expr WhenFalse) : Expr;

/// <summary>TensorFlow's <c>clip_by_value</c>: <c>max(min(x, hi), lo)</c>. Its derivative is 0 outside [lo, hi].</summary>
internal sealed record Clip(Expr X, Expr Lo, Expr Hi) : Expr;

internal sealed record Reduce(ReduceOp Op, Expr X, int Axis) : Expr;

internal sealed record AxisMap(AxisMapOp Op, Expr X, int Axis) : Expr;

/// <summary>The element of <see cref="X"/> at position <see cref="Index"/> (a row-level integer tensor) along the loss axis.</summary>
internal sealed record Gather(Expr X, Expr Index, int Axis) : Expr;

/// <summary>The length of the loss axis.</summary>
internal sealed record AxisLength(int Axis) : Expr;

/// <summary>True at the element whose position along the loss axis equals the row's <see cref="Index"/> (the gradient of a gather).</summary>
internal sealed record AxisIndexIs(Expr Index) : Expr;

/// <summary>The loss with the entries where <see cref="Keep"/> is false taken out of per-sample results and reductions.</summary>
internal sealed record Masked(Expr Loss, Expr Keep) : Expr;

/// <summary>Walks of the IR.</summary>
internal static class ExprTree
{
    /// <summary>The direct operands of <paramref name="node"/>.</summary>
    public static IEnumerable<Expr> Children(Expr node) => node switch
    {
        Unary u => new[] { u.X },
        Binary b => new[] { b.Left, b.Right },
        Where w => new[] { w.Condition, w.WhenTrue, w.WhenFalse },
        Clip c => new[] { c.X, c.Lo, c.Hi },
        Reduce r => new[] { r.X },
        AxisMap a => new[] { a.X },
        Gather g => new[] { g.X, g.Index },
        AxisIndexIs a => new[] { a.Index },
        Masked m => new[] { m.Loss, m.Keep },
        _ => Array.Empty<Expr>(),
    };
}
