using System.Collections.Generic;
using System.Linq;
using DslLosses.Generator.Checking;
using DslLosses.Generator.Ir;
using DslLosses.Generator.Models;

namespace DslLosses.Generator.Lowering;

/// <summary>
/// The lowering's decisions for the kernels of one plan, made once per formula (and, for what depends on the
/// arithmetic, once per compute type) when the plan is built: which kernel paths exist, how each node is computed, and
/// in which order the reductions run. The emitter and the dispatchers read them and decide nothing themselves.
/// Equatable like the plan that carries it.
/// </summary>
/// <remarks>
/// The tables per node cover every node of the plan's loss, keep mask, gradients, scalar derivatives and flat term, so
/// they also serve the flat-total kernel (the same plan with the flat term as its loss).
/// </remarks>
/// <param name="Vectorizable">
/// Whether lanes wider than one element may run the bodies: not for unrolled literal axes (each position is its own
/// block), not with per-element integer inputs, not with a per-element keep mask. Per-element weights and strided
/// loss axes are decided at the call (<paramref name="WeightsArePerElement"/>, <c>inner == 1</c>).
/// </param>
/// <param name="WeightsArePerElement">Whether a sample weight applies per element (then weighted kernels run one element per lane).</param>
/// <param name="RowTiles">
/// Whether the formula gets the row-tiled body for narrow loss axes: rows with the loss axis contiguous (or variadic,
/// checked at the call) and one loss per row, unmasked, gathers only by integer labels.
/// </param>
/// <param name="TileTensors">The tensor parameters read element by element along the loss axis: the ones a row tile transposes.</param>
/// <param name="LossAxisLast">
/// Fixed ranks with the loss axis last: consecutive elements of a row are adjacent, the bodies need no inner loop.
/// </param>
/// <param name="Levels">The level of every node (uniform, per row, per element).</param>
/// <param name="ShiftMaxima">The row maxima that only shift a softmax or log-sum-exp (<see cref="Lowerer.ShiftMaxima"/>): one-instruction max.</param>
/// <param name="LossStages">
/// The reductions along the loss axis of a loss body, by stage (index 0 is stage 1): a reduction runs in the loop after
/// every reduction (and gather) inside its operand; all reductions of a stage share one loop. A stage of gathers only
/// has no reductions.
/// </param>
/// <param name="GradientStages">The same for a gradient body, whose row also computes the gradients and scalar derivatives.</param>
/// <param name="LocalNames">The formula's local that holds each value, where one does: the emitted temporaries are named after it.</param>
/// <param name="InFloat">The decisions of float arithmetic, when the formula has float or Half kernels.</param>
/// <param name="InDouble">The decisions of double arithmetic, when the formula has double kernels.</param>
internal sealed record KernelChoices(
    bool Vectorizable,
    bool WeightsArePerElement,
    bool RowTiles,
    EquatableArray<int> TileTensors,
    bool LossAxisLast,
    EquatableDictionary<Expr, Level> Levels,
    EquatableSet<Expr> ShiftMaxima,
    EquatableArray<EquatableArray<Reduce>> LossStages,
    EquatableArray<EquatableArray<Reduce>> GradientStages,
    EquatableDictionary<Expr, string> LocalNames,
    ComputeChoices? InFloat,
    ComputeChoices? InDouble)
{
    /// <summary>Loss axes of at most this literal length are unrolled.</summary>
    public const int MaxUnroll = 16;

    /// <summary>
    /// Whether the formula's float and double kernels are one body generic over the compute type: it has both, and
    /// float arithmetic decides as double arithmetic does (the same proved logarithms and one-instruction bounds), so the
    /// two bodies would differ only in their types, constants and scalar functions. Otherwise each keeps its own body.
    /// </summary>
    public bool OneComputeBody => InFloat is not null && InDouble is not null && InFloat.Equals(InDouble);

    /// <summary>The decisions of the compute type: float (<paramref name="single"/>) or double.</summary>
    public ComputeChoices In(bool single)
        => (single ? InFloat : InDouble) ?? throw new System.InvalidOperationException("internal: no kernel choices for " + (single ? "float" : "double") + " arithmetic");

    /// <summary>The level of <paramref name="node"/>, a node of the plan.</summary>
    public Level LevelOf(Expr node)
        => Levels.TryGetValue(node, out Level level) ? level : throw new System.InvalidOperationException("internal: no level for a " + node.GetType().Name + " outside the plan");

    /// <summary>Makes the decisions for <paramref name="plan"/> (its scalar gradients' plans already made).</summary>
    public static KernelChoices Of(KernelPlan plan)
    {
        var roots = new List<Expr> { plan.Loss };
        if (plan.Keep is not null)
            roots.Add(plan.Keep);
        roots.AddRange(plan.Gradients);
        roots.AddRange(plan.ScalarDerivatives);
        if (plan.FlatTerm is not null)
            roots.Add(plan.FlatTerm);
        List<Expr> nodes = DistinctNodes(roots);

        var levels = new Dictionary<Expr, Level>();
        foreach (Expr node in nodes)
            Lowerer.LevelOf(node, plan.Geometry, levels);

        var localNames = new Dictionary<Expr, string>();
        foreach (LocalValue local in plan.Locals)
        {
            if (local.Value is not (Param or Const) && !localNames.ContainsKey(local.Value))
                localNames[local.Value] = local.Name;
        }

        var lossRoots = new List<Expr> { plan.Loss };
        if (plan.Keep is not null)
            lossRoots.Add(plan.Keep);
        int types = plan.Formula.ElementTypes;
        return new KernelChoices(
            AllowsLanes(plan),
            WeightsArePerElement: plan.Loops == LoopShape.Elementwise || plan.LossHasAxis,
            AllowsRowTiles(plan),
            FullTensorsOf(plan).ToEquatableArray(),
            LossAxisLast: !plan.Geometry.Variadic && plan.Formula.LossAxis + plan.Formula.LossAxisCount == plan.Geometry.FullRank,
            new EquatableDictionary<Expr, Level>(levels),
            new EquatableSet<Expr>(Lowerer.ShiftMaxima(plan)),
            Stages(lossRoots),
            Stages(lossRoots.Concat(plan.Gradients).Concat(plan.ScalarDerivatives)),
            new EquatableDictionary<Expr, string>(localNames),
            (types & (FormulaModel.Single | FormulaModel.Half)) != 0 ? ComputeChoices.Of(nodes, levels, single: true) : null,
            (types & FormulaModel.Double) != 0 ? ComputeChoices.Of(nodes, levels, single: false) : null);
    }

    /// <summary>Every distinct node reachable from <paramref name="roots"/>, each once.</summary>
    private static List<Expr> DistinctNodes(IEnumerable<Expr> roots)
    {
        var seen = new HashSet<Expr>();
        var nodes = new List<Expr>();
        var pending = new Stack<Expr>(roots);
        while (pending.Count > 0)
        {
            Expr node = pending.Pop();
            if (!seen.Add(node))
                continue;
            nodes.Add(node);
            foreach (Expr child in ExprTree.Children(node))
                pending.Push(child);
        }
        return nodes;
    }

    private static bool AllowsLanes(KernelPlan plan)
    {
        if (plan.LiteralAxisLength > 0 && plan.LiteralAxisLength <= MaxUnroll)
            return false;
        return !GathersPerElement(plan) && !(plan.Loops == LoopShape.Elementwise && plan.Keep is not null);
    }

    private static bool AllowsRowTiles(KernelPlan plan)
    {
        bool innerIsOne = plan.Geometry.Variadic || plan.Formula.LossAxis + plan.Formula.LossAxisCount == plan.Geometry.FullRank;
        if (!innerIsOne || plan.Loops != LoopShape.Rows || plan.LossHasAxis || plan.Keep is not null || plan.LiteralAxisLength > MaxUnroll)
            return false;
        return !GathersPerElement(plan) && GathersByIndices(plan.Loss, new Dictionary<Expr, bool>());
    }

    /// <summary>Whether an integer input has the full shape (its values are read per element).</summary>
    private static bool GathersPerElement(KernelPlan plan)
    {
        for (int i = 0; i < plan.Formula.Parameters.Count; i++)
        {
            if (plan.Formula.Parameters[i].Kind == ParamKind.Indices && plan.Geometry.RoleOf(i) == TensorRole.Full)
                return true;
        }
        return false;
    }

    private static bool GathersByIndices(Expr node, Dictionary<Expr, bool> memo)
    {
        if (memo.TryGetValue(node, out bool known))
            return known;
        bool result = node is Gather g
            ? g.Index is Param { Kind: ParamKind.Indices } && GathersByIndices(g.X, memo)
            : ExprTree.Children(node).All(child => GathersByIndices(child, memo));
        memo[node] = result;
        return result;
    }

    /// <summary>
    /// The tensor parameters the loss reads element by element along the loss axis: under a gather an operand is read at
    /// the label only, unless a reduction inside the gather reads it whole again. Each (node, under-gather) pair is
    /// visited once.
    /// </summary>
    private static List<int> FullTensorsOf(KernelPlan plan)
    {
        var found = new SortedSet<int>();
        var seen = new HashSet<(Expr, bool)>();
        void Walk(Expr node, bool atLabel)
        {
            if (!seen.Add((node, atLabel)))
                return;
            switch (node)
            {
                case Param { Kind: ParamKind.Tensor } p when !atLabel && plan.Geometry.RoleOf(p.Index) == TensorRole.Full:
                    found.Add(p.Index);
                    return;
                case Gather g:
                    Walk(g.X, atLabel: true);
                    return;
                case Reduce r:
                    Walk(r.X, atLabel: false);
                    return;
            }
            foreach (Expr child in ExprTree.Children(node))
                Walk(child, atLabel);
        }
        Walk(plan.Loss, false);
        return found.ToList();
    }

    /// <summary>
    /// The reductions of <paramref name="roots"/> by stage: a reduction's stage is one more than the largest stage inside
    /// its operand; a gather's is the largest inside it. Within a stage, in the order the walk (operands first, roots in
    /// order) first meets them.
    /// </summary>
    private static EquatableArray<EquatableArray<Reduce>> Stages(IEnumerable<Expr> roots)
    {
        var stages = new Dictionary<Expr, int>();
        int last = 0;
        foreach (Expr root in roots)
            last = System.Math.Max(last, StageOf(root, stages));
        return Enumerable.Range(1, last)
            .Select(s => stages.Where(kv => kv.Value == s && kv.Key is Reduce).Select(kv => (Reduce)kv.Key).ToEquatableArray())
            .ToEquatableArray();
    }

    /// <summary>Stage of a row-level barrier: reductions run one loop after everything inside them; gathers right after. Memoised per node.</summary>
    private static int StageOf(Expr node, Dictionary<Expr, int> stages)
    {
        var memo = new Dictionary<Expr, int>();
        return Walk(node);

        int Walk(Expr n)
        {
            if (memo.TryGetValue(n, out int known))
                return known;
            int stage = n switch
            {
                Reduce r => Walk(r.X) + 1,
                _ => ExprTree.Children(n).Select(Walk).DefaultIfEmpty(0).Max(),
            };
            memo[n] = stage;
            if (n is Reduce or Gather)
                stages[n] = stage;
            return stage;
        }
    }
}

/// <summary>
/// The decisions that depend on the compute type, from the value ranges (<see cref="Ranges"/>) of the plan's nodes in
/// its arithmetic.
/// </summary>
/// <param name="PositiveLogs">
/// The logarithms whose argument is provably a positive normal finite number (or NaN): no special values to handle.
/// </param>
/// <param name="NonZeroConstants">
/// The subexpressions of constants only whose value, folded in the compute type, is neither a zero nor NaN: a bound
/// against one is a single instruction.
/// </param>
internal sealed record ComputeChoices(EquatableSet<Expr> PositiveLogs, EquatableSet<Expr> NonZeroConstants)
{
    public static ComputeChoices Of(IReadOnlyList<Expr> nodes, Dictionary<Expr, Level> levels, bool single)
    {
        var ranges = new Ranges(single);
        var positiveLogs = new HashSet<Expr>();
        var nonZero = new HashSet<Expr>();
        var constantsOnly = new Dictionary<Expr, bool>();
        foreach (Expr node in nodes)
        {
            if (node is Unary { Op: UnaryOp.Log } log && ranges.IsPositiveNormalFinite(log.X))
                positiveLogs.Add(node);
            if (levels[node] == Level.Uniform && ConstantsOnly(node, constantsOnly))
            {
                Interval r = ranges.Of(node);
                if (r.IsPoint && r.Lo != 0 && !double.IsNaN(r.Lo))
                    nonZero.Add(node);
            }
        }
        return new ComputeChoices(new EquatableSet<Expr>(positiveLogs), new EquatableSet<Expr>(nonZero));
    }

    /// <summary>Whether <paramref name="node"/> is built from constants by unary and binary operations only (memoised per node).</summary>
    private static bool ConstantsOnly(Expr node, Dictionary<Expr, bool> memo)
    {
        if (memo.TryGetValue(node, out bool known))
            return known;
        bool result = node switch
        {
            Const => true,
            Unary u => ConstantsOnly(u.X, memo),
            Binary b => ConstantsOnly(b.Left, memo) && ConstantsOnly(b.Right, memo),
            _ => false,
        };
        memo[node] = result;
        return result;
    }
}
