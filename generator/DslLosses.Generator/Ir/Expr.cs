using System;
using System.Collections.Generic;
using System.Threading;

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
    Tanh,
    Sinh,
    Cosh,
    /// <summary>-1, 0 or 1 (NaN and signed zeros kept); lowered to comparisons, zero derivative.</summary>
    Sign,
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
/// <remarks>
/// A formula that reuses its locals is a DAG whose unfolding is exponential, so hashing and equality never unfold it:
/// each node caches its hash, computed once from its own fields and its operands' cached hashes, and two distinct nodes
/// found equal are linked (the newer to the older, so links never form a cycle), which makes every later comparison of
/// either with the other, or with anything already linked to them, a pointer chase. Those caches are private and only
/// ever record facts about values that do not change, so a race between threads costs work, never a wrong answer.
/// </remarks>
internal abstract record Expr
{
    private static long s_created;

    /// <summary>Creation order: an equality link always points from a newer node to an older one.</summary>
    private readonly long _order = Interlocked.Increment(ref s_created);

    /// <summary>The structural hash, 0 until first asked for.</summary>
    private int _hash;

    /// <summary>An older node known to be structurally equal to this one, or null.</summary>
    private Expr? _equal;

    /// <summary>The number of field-by-field comparisons made by this thread (each pair of distinct nodes once at most).</summary>
    [ThreadStatic]
    private static long t_comparisons;

    protected Expr()
    {
    }

    /// <summary>A copy (<c>with</c>) is a new node: new creation order, no caches (its fields may differ from the original's).</summary>
    protected Expr(Expr original)
    {
    }

    /// <summary>How many field-by-field comparisons of distinct nodes this thread has made (for tests of the cost).</summary>
    internal static long ComparisonsOnThisThread => t_comparisons;

    /// <summary>The structural hash: computed once, from the node's fields and its operands' cached hashes.</summary>
    public override int GetHashCode()
    {
        int hash = _hash;
        if (hash == 0)
        {
            hash = ComputeHash();
            if (hash == 0)
                hash = 1;
            _hash = hash;
        }
        return hash;
    }

    /// <summary>This node's hash from its own fields and its operands' <see cref="GetHashCode"/> (not recursive).</summary>
    protected virtual int ComputeHash() => EqualityContract.GetHashCode();

    /// <summary>Same kind of node (the derived records compare their fields through <see cref="AreEqual"/>).</summary>
    public virtual bool Equals(Expr? other) => ReferenceEquals(this, other) || (other is not null && EqualityContract == other.EqualityContract);

    /// <summary>Whether this node's own fields equal <paramref name="other"/>'s (same kind), operands through <see cref="AreEqual"/>.</summary>
    protected virtual bool FieldsEqual(Expr other) => Equals((object)other);

    /// <summary>
    /// Structural equality. Same node, or already linked: true at once; different cached hashes or kinds: false at once;
    /// otherwise the fields are compared (operands by this same method) and, when equal, the two nodes are linked.
    /// </summary>
    public static bool AreEqual(Expr? a, Expr? b)
    {
        if (ReferenceEquals(a, b))
            return true;
        if (a is null || b is null)
            return false;
        Expr ra = a.Representative(), rb = b.Representative();
        if (ReferenceEquals(ra, rb))
            return true;
        if (a.GetHashCode() != b.GetHashCode() || a.EqualityContract != b.EqualityContract)
            return false;
        t_comparisons++;
        if (!a.FieldsEqual(b))
            return false;
        if (ra._order < rb._order)
            rb._equal = ra;
        else
            ra._equal = rb;
        return true;
    }

    /// <summary>The oldest node this one is known to equal (halving the path on the way).</summary>
    private Expr Representative()
    {
        Expr node = this;
        while (true)
        {
            Expr? parent = node._equal;
            if (parent is null)
                return node;
            Expr? grandparent = parent._equal;
            if (grandparent is null)
                return parent;
            node._equal = grandparent;
            node = grandparent;
        }
    }

    /// <summary>Mixes <paramref name="value"/> into <paramref name="hash"/>.</summary>
    protected static int Mix(int hash, int value)
    {
        unchecked
        {
            uint x = ((uint)hash ^ (uint)value) * 0x9E3779B1u;
            return (int)(x ^ (x >> 15));
        }
    }
}

/// <summary>A numeric constant, rounded to the kernel's element type when emitted.</summary>
internal sealed record Const(double Value) : Expr
{
    public bool Equals(Const? other) => AreEqual(this, other);

    public override int GetHashCode() => base.GetHashCode();

    // 0 and -0, and every NaN, are equal doubles: one hash each on every runtime
    protected override int ComputeHash() => Mix(1, Value == 0 ? 0 : double.IsNaN(Value) ? -1 : Value.GetHashCode());

    protected override bool FieldsEqual(Expr other) => EqualityComparer<double>.Default.Equals(Value, ((Const)other).Value);
}

/// <summary>A reference to formula parameter <see cref="Index"/>.</summary>
internal sealed record Param(int Index, ParamKind Kind) : Expr
{
    public bool Equals(Param? other) => AreEqual(this, other);

    public override int GetHashCode() => base.GetHashCode();

    protected override int ComputeHash() => Mix(Mix(2, Index), (int)Kind);

    protected override bool FieldsEqual(Expr other) => other is Param o && Index == o.Index && Kind == o.Kind;
}

internal sealed record Unary(UnaryOp Op, Expr X) : Expr
{
    public bool Equals(Unary? other) => AreEqual(this, other);

    public override int GetHashCode() => base.GetHashCode();

    protected override int ComputeHash() => Mix(Mix(3, (int)Op), X.GetHashCode());

    protected override bool FieldsEqual(Expr other) => other is Unary o && Op == o.Op && AreEqual(X, o.X);
}

internal sealed record Binary(BinaryOp Op, Expr Left, Expr Right) : Expr
{
    public bool Equals(Binary? other) => AreEqual(this, other);

    public override int GetHashCode() => base.GetHashCode();

    protected override int ComputeHash() => Mix(Mix(Mix(4, (int)Op), Left.GetHashCode()), Right.GetHashCode());

    protected override bool FieldsEqual(Expr other) => other is Binary o && Op == o.Op && AreEqual(Left, o.Left) && AreEqual(Right, o.Right);
}

internal sealed record Where(Expr Condition, Expr WhenTrue, Expr WhenFalse) : Expr
{
    public bool Equals(Where? other) => AreEqual(this, other);

    public override int GetHashCode() => base.GetHashCode();

    protected override int ComputeHash() => Mix(Mix(Mix(5, Condition.GetHashCode()), WhenTrue.GetHashCode()), WhenFalse.GetHashCode());

    protected override bool FieldsEqual(Expr other)
        => other is Where o && AreEqual(Condition, o.Condition) && AreEqual(WhenTrue, o.WhenTrue) && AreEqual(WhenFalse, o.WhenFalse);
}

/// <summary>TensorFlow's <c>clip_by_value</c>: <c>max(min(x, hi), lo)</c>. Its derivative is 0 outside [lo, hi].</summary>
internal sealed record Clip(Expr X, Expr Lo, Expr Hi) : Expr
{
    public bool Equals(Clip? other) => AreEqual(this, other);

    public override int GetHashCode() => base.GetHashCode();

    protected override int ComputeHash() => Mix(Mix(Mix(6, X.GetHashCode()), Lo.GetHashCode()), Hi.GetHashCode());

    protected override bool FieldsEqual(Expr other) => other is Clip o && AreEqual(X, o.X) && AreEqual(Lo, o.Lo) && AreEqual(Hi, o.Hi);
}

internal sealed record Reduce(ReduceOp Op, Expr X, int Axis) : Expr
{
    public bool Equals(Reduce? other) => AreEqual(this, other);

    public override int GetHashCode() => base.GetHashCode();

    protected override int ComputeHash() => Mix(Mix(Mix(7, (int)Op), X.GetHashCode()), Axis);

    protected override bool FieldsEqual(Expr other) => other is Reduce o && Op == o.Op && Axis == o.Axis && AreEqual(X, o.X);
}

internal sealed record AxisMap(AxisMapOp Op, Expr X, int Axis) : Expr
{
    public bool Equals(AxisMap? other) => AreEqual(this, other);

    public override int GetHashCode() => base.GetHashCode();

    protected override int ComputeHash() => Mix(Mix(Mix(8, (int)Op), X.GetHashCode()), Axis);

    protected override bool FieldsEqual(Expr other) => other is AxisMap o && Op == o.Op && Axis == o.Axis && AreEqual(X, o.X);
}

/// <summary>The element of <see cref="X"/> at position <see cref="Index"/> (a row-level integer tensor) along the loss axis.</summary>
internal sealed record Gather(Expr X, Expr Index, int Axis) : Expr
{
    public bool Equals(Gather? other) => AreEqual(this, other);

    public override int GetHashCode() => base.GetHashCode();

    protected override int ComputeHash() => Mix(Mix(Mix(9, X.GetHashCode()), Index.GetHashCode()), Axis);

    protected override bool FieldsEqual(Expr other) => other is Gather o && Axis == o.Axis && AreEqual(X, o.X) && AreEqual(Index, o.Index);
}

/// <summary>The length of the loss axis.</summary>
internal sealed record AxisLength(int Axis) : Expr
{
    public bool Equals(AxisLength? other) => AreEqual(this, other);

    public override int GetHashCode() => base.GetHashCode();

    protected override int ComputeHash() => Mix(10, Axis);

    protected override bool FieldsEqual(Expr other) => other is AxisLength o && Axis == o.Axis;
}

/// <summary>True at the element whose position along the loss axis equals the row's <see cref="Index"/> (the gradient of a gather).</summary>
internal sealed record AxisIndexIs(Expr Index) : Expr
{
    public bool Equals(AxisIndexIs? other) => AreEqual(this, other);

    public override int GetHashCode() => base.GetHashCode();

    protected override int ComputeHash() => Mix(11, Index.GetHashCode());

    protected override bool FieldsEqual(Expr other) => other is AxisIndexIs o && AreEqual(Index, o.Index);
}

/// <summary>The loss with the entries where <see cref="Keep"/> is false taken out of per-sample results and reductions.</summary>
internal sealed record Masked(Expr Loss, Expr Keep) : Expr
{
    public bool Equals(Masked? other) => AreEqual(this, other);

    public override int GetHashCode() => base.GetHashCode();

    protected override int ComputeHash() => Mix(Mix(12, Loss.GetHashCode()), Keep.GetHashCode());

    protected override bool FieldsEqual(Expr other) => other is Masked o && AreEqual(Loss, o.Loss) && AreEqual(Keep, o.Keep);
}

/// <summary>Walks of the IR. Each visits every distinct node once, however often the formula reuses it.</summary>
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

    /// <summary>The operands an elementwise node combines (Unary, Binary, Where, Clip); none for any other node.</summary>
    public static IEnumerable<Expr> ElementwiseChildren(Expr node) => node is Unary or Binary or Where or Clip ? Children(node) : Array.Empty<Expr>();

    /// <summary>
    /// Whether a node satisfying <paramref name="hit"/> is reachable from <paramref name="root"/>, going from each node
    /// to the operands <paramref name="next"/> gives. Each distinct node is tested once.
    /// </summary>
    public static bool Exists(Expr root, Func<Expr, bool> hit, Func<Expr, IEnumerable<Expr>> next)
    {
        var seen = new HashSet<Expr>();
        var pending = new Stack<Expr>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            Expr node = pending.Pop();
            if (!seen.Add(node))
                continue;
            if (hit(node))
                return true;
            foreach (Expr child in next(node))
                pending.Push(child);
        }
        return false;
    }
}
