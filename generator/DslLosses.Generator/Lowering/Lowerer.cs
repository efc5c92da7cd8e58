using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using DslLosses.Generator.Checking;
using DslLosses.Generator.Ir;
using DslLosses.Generator.Models;

namespace DslLosses.Generator.Lowering;

/// <summary>
/// Rewrites a checked formula into the small core the emitter knows: numerically stable forms first
/// (<c>Log(Sigmoid(x))</c> → <c>-Softplus(-x)</c>, <c>Log(1 - Sigmoid(x))</c> → <c>-Softplus(x)</c>,
/// <c>Log(Softmax(x))</c> → <c>LogSoftmax(x)</c>), then the axis operations expanded the way TensorFlow computes them
/// (max-subtracted log-sum-exp with its finite-max guard, Mean as Sum / length). Last, the kernels' choices are made
/// once for the plan (<see cref="KernelChoices"/>): the emitter that follows prints them and decides nothing.
/// </summary>
internal static class Lowerer
{
    public static KernelPlan Lower(FormulaModel formula)
    {
        Geometry geometry = Geometry.Of(formula.Parameters, formula.LossAxis, formula.LossAxisCount);
        var memo = new Dictionary<Expr, Expr>();
        Expr body = formula.Body;
        Expr? keep = null;
        if (body is Masked masked)
        {
            body = masked.Loss;
            keep = Rewrite(masked.Keep, memo);
        }
        Expr loss = Rewrite(body, memo);

        bool rowTensors = geometry.Roles.Any(r => r is TensorRole.Row or TensorRole.Class); // both are read by position in a row
        bool axisWork = HasAxisWork(loss) || (keep is not null && HasAxisWork(keep));
        LoopShape loops = axisWork || rowTensors ? LoopShape.Rows : LoopShape.Elementwise;
        bool lossHasAxis = loops == LoopShape.Elementwise || LevelOf(loss, geometry) == Level.Elem;

        int literal = 0;
        if (geometry.HasLossAxis && formula.LossAxisCount == 1) // several axes: their product is known at run time only
        {
            for (int index = 0; index < formula.Parameters.Count; index++)
            {
                ParamModel p = formula.Parameters[index];
                if (geometry.RoleOf(index) != TensorRole.Full)
                    continue;
                int position = geometry.Variadic ? p.Shape.Count - 1 : formula.LossAxis;
                if (position < p.Shape.Count && p.Shape[position] is { IsLiteral: true } dim)
                    literal = dim.Size;
            }
        }

        var gradients = formula.DifferentiableTensors.Select(tensor => Differentiator.Gradient(loss, tensor, geometry)).ToEquatableArray();
        (Expr? flat, bool mean) = keep is null && loops == LoopShape.Rows && !lossHasAxis ? FlatSum(loss, geometry) : (null, false);
        // the locals' values as lowered, for the temporaries' names (a local the lowering dropped has none)
        var locals = formula.Locals
            .Where(l => memo.ContainsKey(l.Value))
            .Select(l => new LocalValue(l.Name, memo[l.Value]))
            .ToEquatableArray();
        return Decide(new KernelPlan(formula, geometry, loops, loss, keep, lossHasAxis, literal, gradients, flat, mean, locals)
        {
            ScalarGradients = formula.DifferentiableScalars.Select(scalar =>
            {
                // d(loss)/d(scalar) per loss entry, run through the loss kernels: the reduced total of the derivative
                // is the derivative of the reduced total (the weights and the SumOverBatchSize divisor do not depend on it)
                Expr derivative = Differentiator.Gradient(loss, scalar, geometry, ParamKind.Scalar);
                string name = formula.Parameters[scalar].Name;
                FormulaModel by = formula with
                {
                    MethodName = formula.MethodName + "GradientBy" + char.ToUpperInvariant(name[0]) + name.Substring(1),
                    LossName = formula.LossName + " (gradient by " + name + ")",
                    DifferentiableTensors = EquatableArray<int>.Empty,
                    DifferentiableScalars = EquatableArray<int>.Empty,
                    Locals = EquatableArray<LocalValue>.Empty,
                };
                (Expr? byFlat, bool byMean) = keep is null && loops == LoopShape.Rows && !lossHasAxis ? FlatSum(derivative, geometry) : (null, false);
                return Decide(new KernelPlan(by, geometry, loops, derivative, keep, lossHasAxis, literal, EquatableArray<Expr>.Empty, byFlat, byMean));
            }).ToEquatableArray(),
        });
    }

    /// <summary>The plan with its kernels' decisions made (<see cref="KernelChoices"/>): the lowering's last step.</summary>
    private static KernelPlan Decide(KernelPlan plan) => plan with { Choices = KernelChoices.Of(plan) };

    /// <summary><c>Σ h</c>, <c>Σ h / C</c> or their negations, with <c>h</c> elementwise in full tensors and uniforms only.</summary>
    private static (Expr? Term, bool Mean) FlatSum(Expr loss, Geometry geometry)
    {
        bool negate = false;
        if (loss is Unary { Op: UnaryOp.Neg } n)
        {
            negate = true;
            loss = n.X;
        }
        bool mean = false;
        if (loss is Binary { Op: BinaryOp.Div, Right: AxisLength } d)
        {
            mean = true;
            loss = d.Left;
        }
        if (loss is not Reduce { Op: ReduceOp.Sum } sum || !ElementwiseOnly(sum.X, geometry))
            return (null, false);
        return (negate ? new Unary(UnaryOp.Neg, sum.X) : sum.X, mean);
    }

    private static bool ElementwiseOnly(Expr node, Geometry geometry) => !ExprTree.Exists(node, n => n switch
    {
        Param p => geometry.RoleOf(p.Index) is TensorRole.Row or TensorRole.Class || p.Kind == ParamKind.Indices,
        Const or Unary or Binary or Where or Clip => false,
        _ => true,
    }, ExprTree.ElementwiseChildren);

    /// <summary>The levels found so far, per geometry (by reference): the emitter asks for the level of every node it writes.</summary>
    private static readonly ConditionalWeakTable<Geometry, Dictionary<Expr, Level>> s_levels = new();

    /// <summary>Row for reductions and gathers, Elem for anything touching a full tensor, Uniform otherwise.</summary>
    public static Level LevelOf(Expr node, Geometry geometry)
    {
        Dictionary<Expr, Level> memo = s_levels.GetValue(geometry, static _ => new Dictionary<Expr, Level>());
        lock (memo)
            return LevelOf(node, geometry, memo);
    }

    /// <summary><see cref="LevelOf(Expr, Geometry)"/> with the caller's memo: every node it visits gets its level there.</summary>
    internal static Level LevelOf(Expr node, Geometry geometry, Dictionary<Expr, Level> memo)
    {
        if (memo.TryGetValue(node, out Level known))
            return known;
        Level level = node switch
        {
            Param p => geometry.RoleOf(p.Index) switch { TensorRole.Full or TensorRole.Class => Level.Elem, TensorRole.Row => Level.Row, _ => Level.Uniform },
            Reduce or Gather => Level.Row,
            Const or AxisLength => Level.Uniform,
            Unary u => LevelOf(u.X, geometry, memo),
            Binary b => Max(LevelOf(b.Left, geometry, memo), LevelOf(b.Right, geometry, memo)),
            Where w => Max(LevelOf(w.Condition, geometry, memo), Max(LevelOf(w.WhenTrue, geometry, memo), LevelOf(w.WhenFalse, geometry, memo))),
            Clip c => Max(LevelOf(c.X, geometry, memo), Max(LevelOf(c.Lo, geometry, memo), LevelOf(c.Hi, geometry, memo))),
            _ => Level.Elem,
        };
        memo[node] = level;
        return level;
    }

    private static Level Max(Level a, Level b) => a > b ? a : b;

    private static bool HasAxisWork(Expr node) => ExprTree.Exists(node, static n => n is Reduce or Gather or AxisLength, ExprTree.ElementwiseChildren);

    private static Expr Rewrite(Expr node, Dictionary<Expr, Expr> memo)
    {
        if (memo.TryGetValue(node, out Expr? done))
            return done;
        Expr result = RewriteCore(node, memo);
        memo[node] = result;
        return result;
    }

    private static Expr RewriteCore(Expr node, Dictionary<Expr, Expr> memo)
    {
        switch (node)
        {
            // ---- stability: match before the operands are expanded ----------------------------------------------
            case Unary { Op: UnaryOp.Log, X: Unary { Op: UnaryOp.Sigmoid } s }:
                return new Unary(UnaryOp.Neg, new Unary(UnaryOp.Softplus, new Unary(UnaryOp.Neg, Rewrite(s.X, memo))));
            case Unary { Op: UnaryOp.Log, X: Binary { Op: BinaryOp.Sub, Left: Const { Value: 1.0 }, Right: Unary { Op: UnaryOp.Sigmoid } s } }:
                return new Unary(UnaryOp.Neg, new Unary(UnaryOp.Softplus, Rewrite(s.X, memo)));
            case Unary { Op: UnaryOp.Log, X: AxisMap { Op: AxisMapOp.Softmax } sm }:
                return LogSoftmax(Rewrite(sm.X, memo));

            // ---- axis operations ----------------------------------------------------------------------------
            case Reduce r:
            {
                Expr x = Rewrite(r.X, memo);
                switch (r.Op)
                {
                    case ReduceOp.Mean:
                        return new Binary(BinaryOp.Div, new Reduce(ReduceOp.Sum, x, 0), new AxisLength(0));
                    case ReduceOp.LogSumExp:
                    {
                        // tf.reduce_logsumexp: a non-finite max is replaced by 0 before it is subtracted.
                        Expr max = new Reduce(ReduceOp.Max, x, 0);
                        Expr shift = new Unary(UnaryOp.StopGradient, new Where(new Unary(UnaryOp.IsFinite, max), max, new Const(0)));
                        Expr sum = new Reduce(ReduceOp.Sum, new Unary(UnaryOp.Exp, new Binary(BinaryOp.Sub, x, shift)), 0);
                        return new Binary(BinaryOp.Add, new Unary(UnaryOp.Log, sum), shift);
                    }
                    default:
                        return new Reduce(r.Op, x, 0);
                }
            }
            case AxisMap a:
            {
                Expr x = Rewrite(a.X, memo);
                if (a.Op == AxisMapOp.LogSoftmax)
                    return LogSoftmax(x);
                Expr shifted = new Binary(BinaryOp.Sub, x, new Unary(UnaryOp.StopGradient, new Reduce(ReduceOp.Max, x, 0)));
                Expr exp = new Unary(UnaryOp.Exp, shifted);
                return new Binary(BinaryOp.Div, exp, new Reduce(ReduceOp.Sum, exp, 0));
            }
            case Gather g:
                return new Gather(Rewrite(g.X, memo), g.Index, 0);
            case AxisLength:
                return new AxisLength(0);

            // ---- compositions ---------------------------------------------------------------------------------
            case Unary { Op: UnaryOp.Sign } sign:
            {
                // tf.sign: 1 above 0, -1 below, the operand itself (a signed zero or NaN) otherwise, as x * 0 so that
                // the derivative is 0 everywhere
                Expr x = Rewrite(sign.X, memo);
                return new Where(new Binary(BinaryOp.Gt, x, new Const(0)), new Const(1),
                    new Where(new Binary(BinaryOp.Lt, x, new Const(0)), new Const(-1), new Binary(BinaryOp.Mul, x, new Const(0))));
            }

            // ---- structure ------------------------------------------------------------------------------------
            case Unary u:
                return new Unary(u.Op, Rewrite(u.X, memo));
            case Binary b:
                return new Binary(b.Op, Rewrite(b.Left, memo), Rewrite(b.Right, memo));
            case Where w:
                return new Where(Rewrite(w.Condition, memo), Rewrite(w.WhenTrue, memo), Rewrite(w.WhenFalse, memo));
            case Clip c:
                return new Clip(Rewrite(c.X, memo), Rewrite(c.Lo, memo), Rewrite(c.Hi, memo));
            default:
                return node;
        }
    }

    /// <summary>
    /// The row maxima that only shift a softmax or log-sum-exp (every use is under <see cref="UnaryOp.StopGradient"/>):
    /// their elements are shifted and exponentiated again, so a NaN reaches the result whatever the max is, and the
    /// sign of a zero max cannot show. The emitter computes these with the one-instruction max of the hardware.
    /// </summary>
    public static HashSet<Expr> ShiftMaxima(KernelPlan plan)
    {
        var shifts = new HashSet<Expr>();
        var plain = new HashSet<Expr>();
        var seen = new HashSet<(Expr, bool)>();
        void Walk(Expr node, bool underStop)
        {
            if (!seen.Add((node, underStop)))
                return;
            if (node is Reduce { Op: ReduceOp.Max } r)
                (underStop ? shifts : plain).Add(r);
            foreach (Expr child in ExprTree.Children(node))
                Walk(child, underStop || node is Unary { Op: UnaryOp.StopGradient });
        }
        Walk(plan.Loss, false);
        if (plan.Keep is not null)
            Walk(plan.Keep, false);
        foreach (Expr gradient in plan.Gradients)
            Walk(gradient, false);
        foreach (Expr derivative in plan.ScalarDerivatives)
            Walk(derivative, false);
        if (plan.FlatTerm is not null)
            Walk(plan.FlatTerm, false);
        shifts.ExceptWith(plain);
        return shifts;
    }

    /// <summary><c>tf.nn.log_softmax</c>: <c>s = x - max(x)</c>, <c>s - log(Σ exp(s))</c>.</summary>
    private static Expr LogSoftmax(Expr x)
    {
        Expr shifted = new Binary(BinaryOp.Sub, x, new Unary(UnaryOp.StopGradient, new Reduce(ReduceOp.Max, x, 0)));
        return new Binary(BinaryOp.Sub, shifted, new Unary(UnaryOp.Log, new Reduce(ReduceOp.Sum, new Unary(UnaryOp.Exp, shifted), 0)));
    }
}
