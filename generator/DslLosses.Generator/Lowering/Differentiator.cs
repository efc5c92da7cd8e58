using System;
using System.Collections.Generic;
using System.Linq;
using DslLosses.Generator.Checking;
using DslLosses.Generator.Ir;

namespace DslLosses.Generator.Lowering;

/// <summary>
/// Symbolic reverse-mode differentiation of a lowered per-sample loss with respect to one full-shape tensor.
/// The result is an elementwise expression: the derivative of the row's loss by the element of the input at the
/// current position of the loss axis, built from the forward values (reductions, gathers) and from new reductions the
/// emitter schedules like any other. Row values (reductions and gathers) are the "barriers" of reverse mode: their
/// adjoints are row-level expressions, accumulated from the loss down, latest stage first.
/// </summary>
/// <remarks>
/// Conventions, as TensorFlow's autodiff: <c>clip_by_value</c> passes the gradient only inside [lo, hi];
/// <c>maximum(a, b)</c> sends it to <c>a</c> on ties; a reduce-max splits it equally among tied maxima; the max shift of
/// log-sum-exp is a <c>stop_gradient</c>; <c>|x|</c> has derivative 0 at 0; masks, comparisons and <c>sign</c> (lowered
/// to comparisons) have none.
/// </remarks>
internal static class Differentiator
{
    /// <summary>
    /// The derivative of <paramref name="loss"/> by element <c>c</c> of tensor parameter <paramref name="parameter"/>
    /// (elementwise), or, for a <see cref="ParamKind.Scalar"/> parameter, by that scalar (a row value: the contributions
    /// through the row's reductions and gathers summed along the loss axis).
    /// </summary>
    public static Expr Gradient(Expr loss, int parameter, Geometry geometry, ParamKind kind = ParamKind.Tensor)
    {
        var x = new Param(parameter, kind);
        bool scalar = kind == ParamKind.Scalar;
        var rank = new Dictionary<Expr, int>();
        Rank(loss, rank, new Dictionary<Expr, int>());
        var derivatives = new Derivatives();
        List<Expr> barriers = rank.Keys.OrderByDescending(b => rank[b]).ToList();

        var adjoint = new Dictionary<Expr, Expr>();
        foreach (Expr b in barriers)
            adjoint[b] = derivatives.D(loss, b);

        Expr gradient = derivatives.D(loss, x); // elementwise losses (and row tensors broadcast along the axis) depend on x directly
        foreach (Expr b in barriers)
        {
            Expr a = adjoint[b];
            if (IsZero(a))
                continue;
            switch (b)
            {
                case Reduce r:
                {
                    Expr weight = r.Op == ReduceOp.Sum ? new Const(1) : TieShare(r);
                    Expr direct = Mul(weight, derivatives.D(r.X, x));
                    if (!IsZero(direct))
                        gradient = Add(gradient, Mul(a, scalar ? SumAlongAxis(direct, geometry) : direct));
                    foreach (Expr v in barriers.Where(v => rank[v] < rank[b]))
                    {
                        Expr local = Mul(weight, derivatives.D(r.X, v));
                        if (!IsZero(local))
                            adjoint[v] = Add(adjoint[v], Mul(a, SumAlongAxis(local, geometry)));
                    }
                    break;
                }
                case Gather g:
                {
                    Expr direct = derivatives.D(g.X, x);
                    if (scalar)
                        gradient = Add(gradient, Mul(a, HasElementDependence(direct, geometry) ? new Gather(direct, g.Index, 0) : direct));
                    else
                        gradient = Add(gradient, Mul(a, Where(new AxisIndexIs(g.Index), direct, new Const(0))));
                    foreach (Expr v in barriers.Where(v => rank[v] < rank[b]))
                    {
                        Expr local = derivatives.D(g.X, v);
                        if (!IsZero(local))
                            adjoint[v] = Add(adjoint[v], Mul(a, HasElementDependence(local, geometry) ? new Gather(local, g.Index, 0) : local));
                    }
                    break;
                }
            }
        }
        return gradient;
    }

    /// <summary>Reduce-max/min: the derivative by element c is 1/k at each of the k tied extrema, 0 elsewhere.</summary>
    private static Expr TieShare(Reduce r)
    {
        Expr at = Where(new Binary(BinaryOp.Eq, r.X, r), new Const(1), new Const(0));
        return Div(at, new Reduce(ReduceOp.Sum, at, 0));
    }

    /// <summary>
    /// Σ over the loss axis, with row-level factors pulled out of the sum (Σ k·y = k·Σ y), so the sum depends on
    /// fewer row values and lands in an earlier, shared loop.
    /// </summary>
    private static Expr SumAlongAxis(Expr e, Geometry geometry)
    {
        if (!HasElementDependence(e, geometry))
            return Mul(e, new AxisLength(0));
        switch (e)
        {
            case Unary { Op: UnaryOp.Neg } n:
                return Neg(SumAlongAxis(n.X, geometry));
            case Binary { Op: BinaryOp.Mul } m when !HasElementDependence(m.Left, geometry):
                return Mul(m.Left, SumAlongAxis(m.Right, geometry));
            case Binary { Op: BinaryOp.Mul } m when !HasElementDependence(m.Right, geometry):
                return Mul(SumAlongAxis(m.Left, geometry), m.Right);
            case Binary { Op: BinaryOp.Div } d when !HasElementDependence(d.Right, geometry):
                return Div(SumAlongAxis(d.Left, geometry), d.Right);
            default:
                return new Reduce(ReduceOp.Sum, e, 0);
        }
    }

    private static bool HasElementDependence(Expr e, Geometry geometry) => Lowerer.LevelOf(e, geometry) == Level.Elem;

    /// <summary>
    /// Orders the barriers: a reduction after everything inside it, a gather right after its operand. Only barriers go
    /// into <paramref name="rank"/> (in the order they are first reached); <paramref name="all"/> remembers every node.
    /// </summary>
    private static int Rank(Expr node, Dictionary<Expr, int> rank, Dictionary<Expr, int> all)
    {
        if (all.TryGetValue(node, out int known))
            return known;
        int inner = ExprTree.Children(node).Select(c => Rank(c, rank, all)).DefaultIfEmpty(0).Max();
        int result = node switch
        {
            Reduce => inner + 2,
            Gather => inner + 1,
            _ => inner,
        };
        if (node is Reduce or Gather)
            rank[node] = result;
        all[node] = result;
        return result;
    }

    /// <summary>The partial derivatives asked for so far, per variable: each distinct subexpression is differentiated once.</summary>
    private sealed class Derivatives
    {
        private readonly Dictionary<Expr, Dictionary<Expr, Expr>> _byVariable = new();

        /// <summary>The partial derivative of <paramref name="e"/> by <paramref name="wrt"/>, barriers held fixed.</summary>
        public Expr D(Expr e, Expr wrt)
        {
            if (!_byVariable.TryGetValue(wrt, out Dictionary<Expr, Expr>? memo))
                _byVariable[wrt] = memo = new Dictionary<Expr, Expr>();
            return Differentiator.D(e, wrt, memo);
        }
    }

    /// <summary>
    /// The partial derivative of <paramref name="e"/> by <paramref name="wrt"/> (a parameter or a barrier), holding every
    /// other barrier fixed: barriers are leaves here, their insides are reached through the adjoints.
    /// </summary>
    private static Expr D(Expr e, Expr wrt, Dictionary<Expr, Expr> memo)
    {
        if (memo.TryGetValue(e, out Expr? known))
            return known;
        Expr d = DCore(e, wrt, memo);
        memo[e] = d;
        return d;
    }

    private static Expr DCore(Expr e, Expr wrt, Dictionary<Expr, Expr> memo)
    {
        if (e.Equals(wrt))
            return new Const(1);
        switch (e)
        {
            case Const or AxisLength or Param or Reduce or Gather or AxisIndexIs:
                return new Const(0);
            case Unary u:
            {
                if (u.Op is UnaryOp.Not or UnaryOp.IsFinite or UnaryOp.StopGradient)
                    return new Const(0);
                Expr d = D(u.X, wrt, memo);
                if (IsZero(d))
                    return d;
                Expr x = u.X;
                return u.Op switch
                {
                    UnaryOp.Neg => Neg(d),
                    UnaryOp.Log => Div(d, x),
                    UnaryOp.Log1p => Div(d, Add(new Const(1), x)),
                    UnaryOp.Exp => Mul(d, u),
                    UnaryOp.Abs => Where(new Binary(BinaryOp.Gt, x, new Const(0)), d, Where(new Binary(BinaryOp.Lt, x, new Const(0)), Neg(d), new Const(0))),
                    UnaryOp.Sqrt => Div(d, Mul(new Const(2), u)),
                    UnaryOp.Square => Mul(Mul(new Const(2), x), d),
                    UnaryOp.Sigmoid => Mul(d, Mul(u, Sub(new Const(1), u))),
                    UnaryOp.Softplus => Mul(d, new Unary(UnaryOp.Sigmoid, x)),
                    UnaryOp.Tanh => Mul(d, Sub(new Const(1), Mul(u, u))),
                    UnaryOp.Sinh => Mul(d, new Unary(UnaryOp.Cosh, x)),
                    UnaryOp.Cosh => Mul(d, new Unary(UnaryOp.Sinh, x)),
                    _ => throw new InvalidOperationException("internal: no derivative for " + u.Op),
                };
            }
            case Binary b:
            {
                if (b.Op is BinaryOp.Lt or BinaryOp.Gt or BinaryOp.Le or BinaryOp.Ge or BinaryOp.Eq or BinaryOp.Ne or BinaryOp.And or BinaryOp.Or)
                    return new Const(0);
                Expr dl = D(b.Left, wrt, memo), dr = D(b.Right, wrt, memo);
                if (IsZero(dl) && IsZero(dr))
                    return new Const(0);
                return b.Op switch
                {
                    BinaryOp.Add => Add(dl, dr),
                    BinaryOp.Sub => Sub(dl, dr),
                    BinaryOp.Mul => Add(Mul(dl, b.Right), Mul(b.Left, dr)),
                    BinaryOp.Div => IsZero(dr) ? Div(dl, b.Right) : Sub(Div(dl, b.Right), Div(Mul(b.Left, dr), Mul(b.Right, b.Right))),
                    BinaryOp.Max => Where(new Binary(BinaryOp.Ge, b.Left, b.Right), dl, dr),
                    BinaryOp.Min => Where(new Binary(BinaryOp.Le, b.Left, b.Right), dl, dr),
                    BinaryOp.Pow => Add(
                        Mul(dl, Mul(b.Right, new Binary(BinaryOp.Pow, b.Left, Sub(b.Right, new Const(1))))),
                        IsZero(dr) ? new Const(0) : Mul(dr, Mul(b, new Unary(UnaryOp.Log, b.Left)))),
                    _ => throw new InvalidOperationException("internal: no derivative for " + b.Op),
                };
            }
            case Where w:
                return Where(w.Condition, D(w.WhenTrue, wrt, memo), D(w.WhenFalse, wrt, memo));
            case Clip c:
            {
                // max(min(x, hi), lo): lo below, hi above, x inside (TensorFlow's clip_by_value gradient); above hi with
                // lo > hi the value is lo, and so the gradient is that of lo
                Expr dx = D(c.X, wrt, memo), dlo = D(c.Lo, wrt, memo), dhi = D(c.Hi, wrt, memo);
                return Where(new Binary(BinaryOp.Lt, c.X, c.Lo), dlo, Where(new Binary(BinaryOp.Gt, c.X, c.Hi), Where(new Binary(BinaryOp.Lt, c.Hi, c.Lo), dlo, dhi), dx));
            }
            default:
                throw new InvalidOperationException("internal: no derivative for " + e.GetType().Name);
        }
    }

    // ---- simplifying constructors --------------------------------------------------------------------------

    private static bool IsZero(Expr e) => e is Const { Value: 0.0 };

    private static bool IsOne(Expr e) => e is Const { Value: 1.0 };

    private static Expr Add(Expr a, Expr b)
        => IsZero(a) ? b : IsZero(b) ? a : a is Const ca && b is Const cb ? new Const(ca.Value + cb.Value) : new Binary(BinaryOp.Add, a, b);

    private static Expr Sub(Expr a, Expr b)
        => IsZero(b) ? a : IsZero(a) ? Neg(b) : new Binary(BinaryOp.Sub, a, b);

    private static Expr Mul(Expr a, Expr b)
    {
        if (IsZero(a) || IsZero(b))
            return new Const(0);
        if (IsOne(a))
            return b;
        if (IsOne(b))
            return a;
        if (a is Const { Value: -1.0 })
            return Neg(b);
        if (b is Const { Value: -1.0 })
            return Neg(a);
        if (a is Const ca && b is Const cb)
            return new Const(ca.Value * cb.Value);
        return new Binary(BinaryOp.Mul, a, b);
    }

    private static Expr Div(Expr a, Expr b) => IsZero(a) ? new Const(0) : IsOne(b) ? a : new Binary(BinaryOp.Div, a, b);

    private static Expr Neg(Expr a) => a switch
    {
        Const c => new Const(-c.Value),
        Unary { Op: UnaryOp.Neg } n => n.X,
        _ => new Unary(UnaryOp.Neg, a),
    };

    private static Expr Where(Expr condition, Expr a, Expr b) => a.Equals(b) ? a : new Where(condition, a, b);
}
