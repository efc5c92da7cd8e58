using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using DslLosses.Generator.Checking;
using DslLosses.Generator.Ir;
using DslLosses.Generator.Lowering;
using DslLosses.Generator.Models;

namespace DslLosses.Generator.Emitting;

/// <summary>What an entry point asks of a kernel (the output type argument it passes to the dispatcher).</summary>
internal enum KernelOutput
{
    /// <summary>Adds every (weighted) loss into a double total: <c>Totals</c>.</summary>
    Sum,
    /// <summary>Writes every (weighted) loss into the destination: <c>PerSample</c>.</summary>
    None,
    /// <summary>Writes the gradient of the reduced loss by the differentiable input: <c>GradientOnly</c>.</summary>
    Gradient,
    /// <summary>Adds every (weighted) loss into a double total and writes the gradient, in the same pass: <c>GradientAndTotal</c>.</summary>
    SumAndGradient,
}

/// <summary>Which of a formula's kernel bodies: the loss values, or the gradient (and optionally the loss total in the same pass).</summary>
internal enum KernelKind
{
    /// <summary>Loss values, added into a total (<c>Totals</c>) or written per sample (<c>PerSample</c>).</summary>
    Loss,
    /// <summary>The gradient by the differentiable input (<c>GradientOnly</c>), and the loss total too (<c>GradientAndTotal</c>).</summary>
    Gradient,
}

/// <summary>
/// Emits one kernel body, generic over the SIMD width (<c>TL</c>, an <c>ILanes</c> struct of the runtime), the stored
/// element type (<c>TS</c>), what it does with each loss value (<c>TOut</c>) and whether it reads sample weights
/// (<c>TW</c>). The JIT compiles it once per instantiation and folds every test of those type arguments, so the one body
/// written here is, at run time, a specialised kernel per width, output and weighting.
/// <para>
/// Inside the body: a single pass over the inputs in which every reduction along the loss axis is fused into staged row
/// loops (one loop per dependency level; all reductions of a level share it), values that do not vary along a loop are
/// hoisted out of it, equal subexpressions are computed once, and literal axis lengths are unrolled. Values that vary along
/// the loss axis are lanes (<c>TL</c>); row and uniform values are scalars of the compute type.
/// </para>
/// <para>
/// The emitter prints; it decides nothing. Every choice (which paths exist, each node's level, the shift maxima, the
/// reduction stages, the proved logarithms and one-instruction bounds, the temporaries' names) is read from the plan's
/// <see cref="KernelPlan.Choices"/>, made once per formula by the lowering. An instance holds only its read-only inputs;
/// what changes while one kernel is written (the numbering of temporaries, a row tile's transposed columns, the mask of
/// an overlapping last vector) lives in that kernel's <see cref="KernelState"/> and its <see cref="Block"/>s, which every
/// printer is handed.
/// </para>
/// </summary>
internal sealed class KernelEmitter
{
    /// <summary>Loss axes of at most this literal length are unrolled (<see cref="KernelChoices.MaxUnroll"/>).</summary>
    public const int MaxUnroll = KernelChoices.MaxUnroll;

    private const string K = ""; // the runtime's kernel types, named under the implementation's usings (SourceEmitter)
    private const string U = "Unsafe";

    private readonly KernelPlan _plan;
    private readonly DType _t;
    private readonly KernelKind _kind;
    private readonly string _c;

    /// <summary>The plan's decisions: the emitter prints them and decides nothing (<see cref="KernelPlan.Choices"/>).</summary>
    private readonly KernelChoices _choices;

    /// <summary>The decisions of the compute type's arithmetic (proved logarithms, one-instruction bounds).</summary>
    private readonly ComputeChoices _arithmetic;

    private readonly CancellationToken _cancellationToken;

    /// <param name="plan">The lowered formula.</param>
    /// <param name="compute">
    /// The compute type: <see cref="DType.Single"/> (for float and Half storage), <see cref="DType.Double"/>, or
    /// <see cref="DType.Generic"/> for the one body of both where the plan's float and double choices agree
    /// (<see cref="KernelChoices.OneComputeBody"/>).
    /// </param>
    /// <param name="kind">Loss or gradient body.</param>
    /// <param name="cancellationToken">Checked at every node written, so an abandoned run stops inside a large formula.</param>
    public KernelEmitter(KernelPlan plan, DType compute, KernelKind kind, CancellationToken cancellationToken = default)
    {
        _cancellationToken = cancellationToken;
        _plan = plan;
        _t = compute;
        _kind = kind;
        _c = plan.LiteralAxisLength > 0 ? plan.LiteralAxisLength.ToString(CultureInfo.InvariantCulture) : "c";
        _choices = plan.Choices;
        _arithmetic = compute.IsGeneric
            ? plan.Choices.OneComputeBody ? plan.Choices.In(single: true) : throw new InvalidOperationException("internal: one body for float and double where their choices differ")
            : plan.Choices.In(single: compute.Compute == "float");
    }

    /// <summary>Fixed ranks with the loss axis last: consecutive elements of a row are adjacent, no inner loop.</summary>
    private bool InnerIsOne => _choices.LossAxisLast;

    /// <summary>A fresh temporary for <paramref name="node"/>: <c>pt_12</c> for the formula's local <c>pt</c>, else <paramref name="prefix"/> and a number.</summary>
    private string Temp(string prefix, Expr node, Block block)
        => _choices.LocalNames.TryGetValue(node, out string local) ? local + "_" + block.Next() : prefix + block.Next();

    // ---- names and signatures --------------------------------------------------------------------------------

    /// <summary>The compute-type suffix of body names: <c>InFloat</c>, <c>InDouble</c>, or <c>In</c> for the body generic over <c>TF</c>.</summary>
    public static string In(DType compute) => compute.IsGeneric ? "In" : compute.Compute == "float" ? "InFloat" : "InDouble";

    /// <summary>
    /// The type arguments a body is called with, after its storage type: none for a float or double body, the compute
    /// type (<paramref name="concrete"/>) for the generic one.
    /// </summary>
    public static string ComputeArgument(DType body, string concrete) => body.IsGeneric ? concrete + ", " : "";

    public static string BodyName(FormulaModel f, KernelKind kind, DType compute) => "__" + f.MethodName + "_" + kind + In(compute);

    public static string FlatBodyName(FormulaModel f, DType compute) => "__" + f.MethodName + "_FlatTotal" + In(compute);

    public static string TileBodyName(FormulaModel f) => "__" + f.MethodName + "_LossInRowTiles";

    public static string KeptCountName(FormulaModel f, DType compute) => "__" + f.MethodName + "_Kept" + In(compute);

    public static string ParamName(ParamModel p) => "p_" + p.Name;

    /// <summary>
    /// The parameter list of a body (and of its dispatchers, with <paramref name="store"/> the concrete element type):
    /// the formula's inputs, the loop geometry, the first row, the sample weights, the output and the kept count.
    /// </summary>
    public static IEnumerable<string> Signature(KernelPlan plan, string store, string compute, KernelKind kind)
    {
        foreach (ParamModel p in plan.Formula.Parameters)
        {
            yield return p.Kind switch
            {
                ParamKind.Tensor => "ref " + store + " " + ParamName(p),
                ParamKind.Indices => "ref int " + ParamName(p),
                ParamKind.Scalar => compute + " " + ParamName(p),
                _ => "int " + ParamName(p),
            };
        }
        yield return "nint outer";
        yield return "nint c";
        yield return "nint inner";
        yield return "nint start";
        yield return "ref " + store + " sw";
        yield return "in " + K + "WeightMap wm";
        if (kind == KernelKind.Loss)
        {
            yield return "ref " + store + " dest";
        }
        else
        {
            for (int k = 0; k < plan.Gradients.Count; k++)
                yield return "ref " + store + " " + GradientArgument(plan.Formula, k);
            yield return compute + " scale";
            for (int k = 0; k < plan.ScalarGradients.Count; k++)
                yield return "ref double " + ScalarGradientArgument(plan.Formula, k);
        }
        if (plan.Keep is not null)
            yield return "out nint kept";
    }

    /// <summary>The kernel argument of the gradient by the <paramref name="k"/>-th differentiable tensor: <c>grad</c> when it is the only one, else <c>grad_</c> and its name.</summary>
    public static string GradientArgument(FormulaModel f, int k)
        => f.DifferentiableTensors.Count == 1 ? "grad" : "grad_" + f.Parameters[f.DifferentiableTensors[k]].Name;

    /// <summary>The kernel argument the weighted total of the derivative by the <paramref name="k"/>-th differentiable Scalar is added into.</summary>
    public static string ScalarGradientArgument(FormulaModel f, int k) => "sgrad_" + f.Parameters[f.DifferentiableScalars[k]].Name;

    /// <summary>
    /// The arguments that forward a signature's parameters: unchanged, or as the expression <paramref name="instead"/>
    /// gives for a parameter's name.
    /// </summary>
    public static string Forward(IEnumerable<string> parameters, IReadOnlyDictionary<string, string>? instead = null)
        => string.Join(", ", parameters.Select(parameter =>
        {
            string[] parts = parameter.Split(' ');
            string last = parts[parts.Length - 1];
            if (instead is not null && instead.TryGetValue(last, out string? expression))
                return expression;
            return parts[0] is "ref" or "in" or "out" ? parts[0] + " " + last : last;
        }));

    // ---- what the dispatchers may choose -----------------------------------------------------------------------

    /// <inheritdoc cref="KernelChoices.Vectorizable"/>
    public static bool Vectorizable(KernelPlan plan) => plan.Choices.Vectorizable;

    /// <inheritdoc cref="KernelChoices.WeightsArePerElement"/>
    public static bool WeightsArePerElement(KernelPlan plan) => plan.Choices.WeightsArePerElement;

    /// <inheritdoc cref="KernelChoices.RowTiles"/>
    public static bool RowTilesApplicable(KernelPlan plan) => plan.Choices.RowTiles;

    /// <summary>How many tensors a row tile transposes: those read element by element along the loss axis.</summary>
    public static int TransposedTensors(KernelPlan plan) => plan.Choices.TileTensors.Count;

    // ---- bodies -------------------------------------------------------------------------------------------------

    private bool IsLoss => _kind == KernelKind.Loss;

    private string Compute => _t.Compute;

    /// <summary>The compute type parameter of a generic body (<c>TF, </c>), nothing for a float or double body.</summary>
    private string TypeParameter => _t.IsGeneric ? "TF, " : "";

    /// <summary>The constraints of a body on its storage type, its compute type (a generic body's <c>TF</c>) and its lanes.</summary>
    private void WhereComputeAndLanes(CodeWriter w)
    {
        w.Line("    where TS : unmanaged");
        if (_t.IsGeneric)
            w.Line("    where TF : unmanaged, IFloatingPointIeee754<TF>");
        w.Line($"    where TL : struct, {K}ILanes<TL, TS, {Compute}>");
    }

    /// <summary>An integer (<c>int</c> or <c>nint</c>) converted to the compute type: a cast, or in a generic body the runtime's <c>ToCompute</c>.</summary>
    private string FromInteger(string integer) => _t.IsGeneric ? $"{K}LossMath.ToCompute<TF>({integer})" : $"({Compute}){integer}";

    /// <summary>A compute-type value as added into a double total: as it is (float widens implicitly), or in a generic body through the runtime's <c>ToDouble</c>.</summary>
    private string Wide(string value) => _t.IsGeneric ? $"{K}LossMath.ToDouble({value})" : value;

    /// <summary>Emits the body generic over <c>TS</c>, <c>TL</c>, <c>TOut</c> and <c>TW</c>.</summary>
    public void EmitBody(CodeWriter w, string name, string summary)
    {
        w.Line("/// <summary>" + summary + "</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
        w.Line($"private static double {name}<TS, {TypeParameter}TL, TOut, TW>({string.Join(", ", Signature(_plan, "TS", Compute, _kind))})");
        WhereComputeAndLanes(w);
        w.Line($"    where TOut : struct, {K}IKernelOutput");
        w.Line($"    where TW : struct, {K}IWeighting");
        var top = Block.Top(new KernelState(tileColumns: null));
        top.Lines.Add("double total = 0.0;");
        if (_plan.Keep is not null)
            top.Lines.Add("kept = 0;");
        if (!IsLoss)
        {
            top.Lines.Add("var vscale = TL.Create(scale);");
            for (int k = 0; k < _plan.ScalarGradients.Count; k++)
                top.Lines.Add($"double {ScalarSum(k)} = 0.0;");
        }
        if (_plan.Loops == LoopShape.Elementwise)
            ElementwiseNest(top);
        else
            RowNest(top);
        if (!IsLoss)
        {
            for (int k = 0; k < _plan.ScalarGradients.Count; k++)
                top.Lines.Add($"{ScalarGradientArgument(_plan.Formula, k)} += {ScalarSum(k)};");
        }
        top.Lines.Add("return total;");
        using (w.Block())
        {
            w.Lines(top.Lines);
        }
    }

    /// <summary>
    /// Emits the row-tiled body (float only): whole tiles of rows, one row per lane; returns the total and, in
    /// <c>rows</c>, how many rows it did (it stops before a tile holding a label out of range, so that the body that does
    /// the remaining rows throws for the right row; nothing of that tile has been written or added).
    /// </summary>
    public void EmitTileBody(CodeWriter w, string name)
    {
        w.Line("/// <summary>Loss values of whole tiles of rows, one row per lane (narrow loss axes); the rows left over are for the row-by-row body.</summary>");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
        var parameters = Signature(_plan, "float", "float", KernelKind.Loss).Where(p => !p.EndsWith(" kept", StringComparison.Ordinal)).ToList();
        parameters.Add("out nint rows");
        w.Line($"private static double {name}<TL, TOut>({string.Join(", ", parameters)})");
        w.Line($"    where TL : struct, {K}IRowTileLanes<TL>");
        w.Line($"    where TOut : struct, {K}IKernelOutput");
        // Each tensor read along the loss axis is transposed once per tile into a column-major copy on the stack, which
        // every stage then reads with plain loads, and a gather at the labels with a blend per column.
        var tileColumns = _choices.TileTensors.ToDictionary(p => p, p => "columns_" + _plan.Formula.Parameters[p].Name);
        var top = Block.Top(new KernelState(tileColumns));
        top.Lines.Add("double total = 0.0;");
        top.Lines.Add("nint row = start;");
        var tile = new Block(top, Level.Row, null);
        tile.Lines.Add($"nint e0 = row * {_c};");
        foreach (int p in _choices.TileTensors)
        {
            string columns = tileColumns[p];
            top.Lines.Add($"Span<float> {columns}Buffer = stackalloc float[(int){_c} * TL.Count];");
            top.Lines.Add($"ref float {columns} = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference({columns}Buffer);");
            tile.Lines.Add($"TL.RowsToColumns(ref {U}.Add(ref {ParamName(_plan.Formula.Parameters[p])}, e0), {_c}, (outer - row) * {_c}, ref {columns});");
        }
        RowBody(tile, elementwise: null, "row");
        top.AppendChild($"for (; row <= outer - TL.Count; row += TL.Count)", tile);
        top.Lines.Add("rows = row;");
        top.Lines.Add("return total;");
        using (w.Block())
        {
            w.Lines(top.Lines);
        }
    }

    /// <summary>How many loss entries the keep mask keeps (the divisor of SumOverBatchSize and unweighted MeanWithSampleWeight, needed before the gradient is written).</summary>
    public void EmitKeptCount(CodeWriter w, string name)
    {
        var parameters = Signature(_plan, "TS", Compute, KernelKind.Loss).Where(p => !p.EndsWith(" kept", StringComparison.Ordinal) && !p.EndsWith(" dest", StringComparison.Ordinal));
        w.Line("/// <summary>How many loss entries the keep mask keeps: the divisor of SumOverBatchSize and unweighted MeanWithSampleWeight, needed before the gradient is written.</summary>");
        w.Line($"private static nint {name}<TS, {TypeParameter}TL>({string.Join(", ", parameters)})");
        WhereComputeAndLanes(w);
        var top = Block.Top(new KernelState(tileColumns: null));
        top.Lines.Add("nint kept = 0;");
        var row = new Block(top, _plan.Loops == LoopShape.Rows ? Level.Row : Level.Elem, null);
        string header;
        if (_plan.Loops == LoopShape.Elementwise)
        {
            header = "for (nint k = start; k < outer; k++)";
            row.Lines.Add("nint e = k;");
        }
        else
        {
            header = "for (nint o = start; o < outer; o++)";
            row.Lines.Add("nint row = o * inner + i;");
            row.Lines.Add($"nint e0 = o * {_c} * inner + i;");
        }
        string k = Value(_plan.Keep!, row);
        string add = _plan.Loops == LoopShape.Rows && _plan.LossHasAxis ? $"kept += {_c};" : "kept++;";
        row.Lines.Add($"if ({k}) {add}");
        if (_plan.Loops == LoopShape.Rows)
        {
            var outer = new Block(top, Level.Uniform, null);
            outer.AppendChild("for (nint i = 0; i < inner; i++)", row);
            top.AppendChild(header, outer);
        }
        else
        {
            top.AppendChild(header, row);
        }
        top.Lines.Add("return kept;");
        using (w.Block())
        {
            w.Lines(top.Lines);
        }
    }

    /// <summary>
    /// The elementwise loop: whole vectors, then one more vector ending at the last element with the lanes already done
    /// masked out of the total (stores of those lanes rewrite the values they already hold). Float lanes are folded into
    /// the double total every 1024 elements at most; one-element lanes add into it directly.
    /// </summary>
    private void ElementwiseNest(Block top)
    {
        bool tail = _plan.Keep is null;
        top.Lines.Add("nint k = start;");
        top.Lines.Add("var vtotal = TL.Zero;");
        top.Lines.Add("int fold = 0;");
        var loop = new Block(top, Level.Elem, null);
        loop.Lines.Add("nint e = k;");
        RowBody(loop, loop, "e");
        top.AppendChild("for (; k <= outer - TL.Count; k += TL.Count)", loop);
        if (tail)
        {
            var last = new Block(top, Level.Elem, null);
            last.Lines.Add("nint e = outer - TL.Count;");
            last.Mask = "done";
            last.Lines.Add("var done = TL.From(k - e);");
            RowBody(last, last, "e");
            top.AppendChild("if (k < outer) // the rest: one more vector ending at the last element", last);
        }
        top.Lines.Add($"total += {Wide("TL.Sum(vtotal)")};");
    }

    private void RowNest(Block top)
    {
        var row = new Block(top, Level.Row, null);
        if (InnerIsOne)
        {
            row.Lines.Add($"nint e0 = row * {_c};");
            RowBody(row, null, "row");
            top.AppendChild("for (nint row = start; row < outer; row++)", row);
            return;
        }
        // The loss axis may be strided (elements inner apart). Lanes wider than one element run only where it is
        // contiguous, so for them the step is the constant 1 and the JIT drops the inner loop and every multiplication.
        // One loop over the rows, as for a contiguous axis: the JIT then keeps the loops' constants in registers.
        top.Lines.Add("nint step = TL.Count == 1 ? inner : 1; // wider lanes run only where inner == 1");
        row.Lines.Add($"nint e0 = step == 1 ? row * {_c} : row / step * {_c} * step + row % step; // row o * inner + i starts at o * c * inner + i");
        RowBody(row, null, "row");
        top.AppendChild("for (nint row = start; row < outer * step; row++)", row);
    }

    /// <summary>The work for one row (or, elementwise, one vector of elements): keep test, staged reductions, the loss and its gradient.</summary>
    private void RowBody(Block row, Block? elementwise, string lossIndex)
    {
        if (_plan.Keep is { } keep)
        {
            string k = Value(keep, row);
            var skip = new Block(row, row.Level, null);
            if (IsLoss)
            {
                string zero = _t.Literal(0);
                if (_plan.LossHasAxis && elementwise is null)
                    skip.Lines.Add($"if (!TOut.AddsTotal) for (nint j = 0; j < {_c}; j++) TL.Write({zero}, ref dest, {ElementIndex(row, "j")});");
                else
                    skip.Lines.Add($"if (!TOut.AddsTotal) TL.Write({zero}, ref dest, {lossIndex});");
            }
            else
            {
                // each full-shape input's gradient is 0 there; a per-class input's gets nothing from the row
                for (int g = 0; g < _plan.Gradients.Count; g++)
                {
                    if (IsPerClass(g))
                        continue;
                    string grad = GradientArgument(_plan.Formula, g);
                    if (elementwise is null)
                        skip.Lines.Add($"for (nint j = 0; j < {_c}; j++) TL.Write({_t.Literal(0)}, ref {grad}, {ElementIndex(row, "j")});");
                    else
                        skip.Lines.Add($"TL.Write({_t.Literal(0)}, ref {grad}, e);");
                }
            }
            skip.Lines.Add("continue;");
            row.AppendChild($"if (!{k}) // left out by the keep mask", skip);
            row.Lines.Add(_plan.LossHasAxis && elementwise is null ? $"kept += {_c};" : "kept++;");
        }

        if (elementwise is not null)
        {
            if (row.Mask is null)
            {
                if (!IsLoss)
                    GradientComments(row);
                row.Lines.Add("// the loss of each element: " + ExprText.Print(_plan.Loss, _plan.Formula, 100));
            }
            if (!IsLoss)
                ElementGradients(row);
            EmitGuarded(row, block => VectorLoss(block, VValue(_plan.Loss, block)));
            return;
        }

        // Stages: a reduction can start once every reduction (and gather) inside its operand is known.
        EquatableArray<EquatableArray<Reduce>> stages = IsLoss ? _choices.LossStages : _choices.GradientStages;
        for (int s = 1; s <= stages.Count; s++)
        {
            if (stages[s - 1].Count > 0)
                ReduceStage(row, stages[s - 1], s);
        }

        if (_plan.LossHasAxis)
        {
            if (!IsLoss)
                GradientComments(row);
            row.Lines.Add("// the loss of each element: " + ExprText.Print(_plan.Loss, _plan.Formula, 100));
            AxisLoop(row, loop =>
            {
                if (!IsLoss)
                    ElementGradients(loop);
                EmitGuarded(loop, block => VectorLoss(block, VValue(_plan.Loss, block)));
            });
            return;
        }
        if (row.Kernel.RowLanes)
        {
            string v = VValue(_plan.Loss, row);
            row.Lines.Add($"if (TOut.AddsTotal) total += TL.Sum({v});");
            row.Lines.Add($"else TL.Store({v}, ref dest, row);");
            return;
        }
        if (!IsLoss)
        {
            GradientComments(row);
            string upstream = Upstream(row, lossIndex);
            // every input's gradient in the same loop along the row
            AxisLoop(row, loop =>
            {
                for (int k = 0; k < _plan.Gradients.Count; k++)
                    StoreGradient(loop, k, $"{VValue(_plan.Gradients[k], loop)} * {Broadcast(upstream, row)}");
            });
            for (int k = 0; k < _plan.ScalarDerivatives.Count; k++)
            {
                string d = Value(_plan.ScalarDerivatives[k], row);
                row.Lines.Add($"{ScalarSum(k)} += {Wide($"TW.IsWeighted ? {d} * TL.Read(ref sw, wm.Index({lossIndex})) : {d}")}; // the derivative by {DifferentiableName(_plan.Formula.DifferentiableScalars[k])}, weighted");
            }
        }
        row.Lines.Add("// the loss of the row: " + ExprText.Print(_plan.Loss, _plan.Formula, 100));
        EmitGuarded(row, block => ScalarLoss(block, Value(_plan.Loss, block), lossIndex));
    }

    private string DifferentiableName(int parameter) => _plan.Formula.Parameters[parameter].Name;

    /// <summary>The local the weighted total of the derivative by the <paramref name="k"/>-th differentiable Scalar is added up in.</summary>
    private string ScalarSum(int k) => "sg_" + _plan.Formula.Parameters[_plan.Formula.DifferentiableScalars[k]].Name;

    /// <summary>Whether the <paramref name="k"/>-th differentiable tensor holds one value per class (its gradient sums over the rows).</summary>
    private bool IsPerClass(int k) => _plan.Geometry.RoleOf(_plan.Formula.DifferentiableTensors[k]) == TensorRole.Class;

    /// <summary>
    /// Writes a vector of the <paramref name="k"/>-th gradient: stored at the element for a full-shape input; for a
    /// per-class input added into the class's entry (the entry point zeroes it first), the lanes already done in an
    /// overlapping last vector left out.
    /// </summary>
    private void StoreGradient(Block block, int k, string value)
    {
        string grad = GradientArgument(_plan.Formula, k);
        if (!IsPerClass(k))
        {
            block.Lines.Add($"TL.Store({value}, ref {grad}, e);");
            return;
        }
        string j = block.AxisIndex ?? throw new InvalidOperationException("internal: a per-class gradient outside a loop over the loss axis");
        string added = block.Mask is null ? value : $"TL.Select({block.Mask}, {value}, TL.Zero)";
        block.Lines.Add($"TL.Store(TL.Load(ref {grad}, {j}) + {added}, ref {grad}, {j}); // one value per class: the rows' sum");
    }

    /// <summary>What each gradient written below is, as a comment.</summary>
    private void GradientComments(Block row)
    {
        for (int k = 0; k < _plan.Gradients.Count; k++)
            row.Lines.Add("// the gradient by " + DifferentiableName(_plan.Formula.DifferentiableTensors[k]) + ": " + ExprText.Print(_plan.Gradients[k], _plan.Formula, 100));
        for (int k = 0; k < _plan.ScalarDerivatives.Count; k++)
            row.Lines.Add("// the derivative by " + DifferentiableName(_plan.Formula.DifferentiableScalars[k]) + ": " + ExprText.Print(_plan.ScalarDerivatives[k], _plan.Formula, 100));
    }

    /// <summary>
    /// The gradients of a vector of per-element losses: each input's, times the element's upstream factor, stored; each
    /// scalar's derivative, weighted, added up (the lanes already done in an overlapping last vector left out).
    /// </summary>
    private void ElementGradients(Block block)
    {
        string? u = null;
        for (int k = 0; k < _plan.Gradients.Count; k++)
        {
            string g = VValue(_plan.Gradients[k], block);
            u ??= VUpstream(block, "e");
            StoreGradient(block, k, $"{g} * {u}");
        }
        for (int k = 0; k < _plan.ScalarDerivatives.Count; k++)
        {
            string d = VValue(_plan.ScalarDerivatives[k], block);
            string weighted = $"(TW.IsWeighted ? {d} * TL.Create(TL.Read(ref sw, wm.Index(e))) : {d})";
            block.Lines.Add($"{ScalarSum(k)} += {Wide($"TL.Sum({(block.Mask is null ? weighted : $"TL.Select({block.Mask}, {weighted}, TL.Zero)")})")};");
        }
    }

    /// <summary>
    /// The loss sink: in a loss body unconditionally; in a gradient body inside <c>if (TOut.AddsTotal)</c>, after the
    /// gradient, so that the loss reuses the gradient's temporaries and only what the loss alone needs is in the block.
    /// </summary>
    private void EmitGuarded(Block block, Action<Block> emit)
    {
        if (IsLoss)
        {
            emit(block);
            return;
        }
        var guarded = new Block(block, block.Level, block.AxisIndex);
        emit(guarded);
        block.AppendChild("if (TOut.AddsTotal) // the loss total in the same pass", guarded);
    }

    /// <summary>A vector of loss values (one per element): weighted, then added into the total or stored.</summary>
    private void VectorLoss(Block block, string v)
    {
        string index = block.Level == Level.Elem ? "e" : "row";
        string weighted = "l" + block.Next();
        block.Lines.Add($"var {weighted} = TW.IsWeighted ? {v} * TL.Create(TL.Read(ref sw, wm.Index({index}))) : {v}; // a weight per element: weighted, this body runs one element per lane");
        string summed = block.Mask is null ? weighted : $"TL.Select({block.Mask}, {weighted}, TL.Zero)";
        if (_plan.Loops == LoopShape.Elementwise)
        {
            string add = $"if (TL.Count == 1) total += {Wide($"TL.Sum({summed})")}; else if (++fold < 1024 / TL.Count) vtotal += {summed}; else {{ total += {Wide($"TL.Sum(vtotal + {summed})")}; vtotal = TL.Zero; fold = 0; }}";
            block.Lines.Add(IsLoss ? $"if (TOut.AddsTotal) {{ {add} }}" : add);
        }
        else
        {
            block.Lines.Add(IsLoss ? $"if (TOut.AddsTotal) total += {Wide($"TL.Sum({summed})")};" : $"total += {Wide($"TL.Sum({summed})")};");
        }
        if (IsLoss)
            block.Lines.Add($"else TL.Store({weighted}, ref dest, {index});");
    }

    /// <summary>A row's loss value: weighted, then added into the total or written.</summary>
    private void ScalarLoss(Block block, string value, string index)
    {
        string v = "l" + block.Next();
        block.Lines.Add($"var {v} = TW.IsWeighted ? {value} * TL.Read(ref sw, wm.Index({index})) : {value};");
        if (IsLoss)
        {
            block.Lines.Add($"if (TOut.AddsTotal) total += {Wide(v)};");
            block.Lines.Add($"else TL.Write({v}, ref dest, {index});");
        }
        else
        {
            block.Lines.Add($"total += {Wide(v)};");
        }
    }

    /// <summary>The factor a row's gradient is scaled by: its weight (when weighted) times the reduction's scale.</summary>
    private string Upstream(Block block, string lossIndex)
    {
        string u = "u" + block.Next();
        block.Lines.Add($"var {u} = TW.IsWeighted ? TL.Read(ref sw, wm.Index({lossIndex})) * scale : scale;");
        return u;
    }

    /// <summary>The per-element factor of the gradient: the weight of the element (one per lane: weighted bodies of per-element losses run on one-element lanes) times the scale.</summary>
    private string VUpstream(Block block, string index)
    {
        string u = "u" + block.Next();
        block.Lines.Add($"var {u} = TW.IsWeighted ? TL.Create(TL.Read(ref sw, wm.Index({index})) * scale) : vscale;");
        return u;
    }

    /// <summary>One stage of reductions along the loss axis: an accumulator per reduction, one loop for all of them.</summary>
    private void ReduceStage(Block row, EquatableArray<Reduce> reduces, int stage)
    {
        var accumulators = new List<string>();
        row.Lines.Add($"// stage {stage}: " + string.Join("; ", reduces.Select(r => r.Op + " over the loss axis of " + ExprText.Print(r.X, _plan.Formula, 60))));
        foreach (Reduce r in reduces)
        {
            string acc = "vr" + row.Next();
            row.Lines.Add($"var {acc} = {Identity(r.Op)};");
            accumulators.Add(acc);
        }
        AxisLoop(row, loop =>
        {
            for (int k = 0; k < reduces.Count; k++)
            {
                string v = VValue(reduces[k].X, loop);
                if (loop.Mask is not null)
                    v = $"TL.Select({loop.Mask}, {v}, {Identity(reduces[k].Op)})";
                string acc = accumulators[k];
                loop.Lines.Add(reduces[k].Op switch
                {
                    ReduceOp.Max when _choices.ShiftMaxima.Contains(reduces[k]) => $"{acc} = TL.ShiftMax({acc}, {v});",
                    ReduceOp.Max => $"{acc} = TL.Max({acc}, {v});",
                    ReduceOp.Min => $"{acc} = TL.Min({acc}, {v});",
                    _ => $"{acc} += {v};",
                });
            }
        });
        for (int k = 0; k < reduces.Count; k++)
        {
            if (row.Kernel.RowLanes)
            {
                row.VNames[reduces[k]] = accumulators[k];
                continue;
            }
            string r = "r" + row.Next();
            row.Lines.Add($"var {r} = " + (reduces[k].Op switch
            {
                ReduceOp.Max when _choices.ShiftMaxima.Contains(reduces[k]) => $"TL.ShiftMaxAcross({accumulators[k]});",
                ReduceOp.Max => $"TL.MaxAcross({accumulators[k]});",
                ReduceOp.Min => $"TL.MinAcross({accumulators[k]});",
                _ => $"TL.Sum({accumulators[k]});",
            }));
            row.Names[reduces[k]] = r;
        }
    }

    private string Identity(ReduceOp op) => op switch
    {
        ReduceOp.Max => $"TL.Create({Compute}.NegativeInfinity)",
        ReduceOp.Min => $"TL.Create({Compute}.PositiveInfinity)",
        _ => "TL.Zero",
    };

    /// <summary>
    /// A loop over the loss axis: unrolled when its length is a small literal (then the body runs on one-element lanes);
    /// in a row tile one column at a time; otherwise whole vectors, then one more vector ending at the row's end with the
    /// lanes already done masked out of every sum, max and total (the body runs only when a row holds a whole vector).
    /// </summary>
    private void AxisLoop(Block row, Action<Block> body)
    {
        int n = _plan.LiteralAxisLength;
        if (n > 0 && n <= MaxUnroll)
        {
            for (int j = 0; j < n; j++)
            {
                string js = j.ToString(CultureInfo.InvariantCulture);
                var copy = new Block(row, Level.Elem, js);
                copy.Lines.Add($"nint e = {ElementIndex(row, js)};");
                if (row.Kernel.RowLanes)
                    copy.LaneColumn = $"TL.Create({_t.Literal(j)})";
                body(copy);
                row.AppendChild($"// {(j == 0 ? "loss axis unrolled: " : "")}j = {j}", copy);
            }
            return;
        }
        if (row.Kernel.RowLanes)
        {
            var column = new Block(row, Level.Elem, "j");
            column.Lines.Add($"nint e = {ElementIndex(row, "j")};");
            column.LaneColumn = $"TL.Create({FromInteger("j")})";
            body(column);
            row.AppendChild($"for (nint j = 0; j < {_c}; j++)", column);
            return;
        }
        string jv = "j" + row.Next();
        row.Lines.Add($"nint {jv} = 0;");
        var vloop = new Block(row, Level.Elem, jv);
        vloop.Lines.Add($"nint e = {ElementIndex(row, jv)};");
        body(vloop);
        row.AppendChild($"for (; {jv} <= {_c} - TL.Count; {jv} += TL.Count)", vloop);
        string jt = "j" + row.Next();
        var last = new Block(row, Level.Elem, jt);
        last.Lines.Add($"nint {jt} = {_c} - TL.Count;");
        last.Lines.Add($"nint e = {ElementIndex(row, jt)};");
        last.Mask = "m" + row.Next();
        last.Lines.Add($"var {last.Mask} = TL.From({jv} - {jt});");
        body(last);
        row.AppendChild($"if ({jv} < {_c}) // the rest of the row: one more vector ending at its end", last);
    }

    /// <summary>The element at position <paramref name="j"/> along the loss axis of the row of <paramref name="block"/>.</summary>
    private string ElementIndex(Block block, string j)
    {
        if (j == "0")
            return "e0";
        return InnerIsOne || block.Kernel.RowLanes ? $"e0 + {j}" : $"e0 + {j} * step";
    }

    /// <summary>
    /// The level of a node of the plan (<see cref="KernelChoices.Levels"/>); constants, the axis length and scalar
    /// parameters are uniform wherever they come from.
    /// </summary>
    private Level LevelOf(Expr node)
        => node is Const or AxisLength or Param { Kind: ParamKind.Scalar or ParamKind.Int } ? Level.Uniform : _choices.LevelOf(node);

    // ---- scalar values (row and uniform levels, and the element at a label) -------------------------------------

    private enum Kind
    {
        Number,
        Bool,
        Int,
    }

    private static Kind KindOf(Expr node) => node switch
    {
        Param { Kind: ParamKind.Indices or ParamKind.Int } => Kind.Int,
        Unary { Op: UnaryOp.Not or UnaryOp.IsFinite } => Kind.Bool,
        AxisIndexIs => Kind.Bool,
        Binary { Op: BinaryOp.Lt or BinaryOp.Gt or BinaryOp.Le or BinaryOp.Ge or BinaryOp.Eq or BinaryOp.Ne or BinaryOp.And or BinaryOp.Or } => Kind.Bool,
        Where w => KindOf(w.WhenTrue) == Kind.Bool ? Kind.Bool : Kind.Number,
        _ => Kind.Number,
    };

    /// <summary>A numeric operand in the compute type.</summary>
    private string Number(Expr node, Block block)
    {
        string code = Value(node, block);
        return KindOf(node) == Kind.Int ? FromInteger(code) : code;
    }

    /// <summary>Emits <paramref name="node"/> as a scalar (once per scope) and returns the C# expression that holds it.</summary>
    private string Value(Expr node, Block block)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (node is Const constant)
            return _t.Literal(constant.Value);
        if (node is Param { Kind: ParamKind.Scalar or ParamKind.Int } scalar)
            return ParamName(_plan.Formula.Parameters[scalar.Index]);
        if (node is AxisLength)
            return _plan.LiteralAxisLength > 0 ? _t.Literal(_plan.LiteralAxisLength) : FromInteger("c");
        if (node is Unary { Op: UnaryOp.StopGradient } stop)
            return Value(stop.X, block);

        Level level = LevelOf(node);
        Block target = block;
        while (target.Level > level && target.Parent is not null)
            target = target.Parent;
        if (target.Find(node) is { } name)
            return name;

        string code;
        switch (node)
        {
            case Param p:
            {
                string index = _plan.Geometry.RoleOf(p.Index) switch
                {
                    TensorRole.Row when _plan.Loops == LoopShape.Rows => "row",
                    TensorRole.Class => target.AxisIndex ?? throw new InvalidOperationException("internal: a per-class value outside a loop over the loss axis"),
                    _ => "e",
                };
                string pointer = ParamName(_plan.Formula.Parameters[p.Index]);
                code = p.Kind == ParamKind.Indices ? $"{U}.Add(ref {pointer}, {index})" : $"TL.Read(ref {pointer}, {index})";
                break;
            }
            case Unary u:
                code = UnaryCode(u, block);
                break;
            case Binary b:
                code = BinaryCode(b, block);
                break;
            case Where wh:
            {
                string c = Value(wh.Condition, block);
                bool mask = KindOf(wh.WhenTrue) == Kind.Bool;
                string a = mask ? Value(wh.WhenTrue, block) : Number(wh.WhenTrue, block);
                string f = mask ? Value(wh.WhenFalse, block) : Number(wh.WhenFalse, block);
                code = $"{c} ? {a} : {f}";
                break;
            }
            case Clip clip:
                code = $"{K}LossMath.Clip({Number(clip.X, block)}, {Number(clip.Lo, block)}, {Number(clip.Hi, block)})";
                break;
            case AxisIndexIs at:
            {
                string label = Value(at.Index, block);
                string position = target.AxisIndex ?? throw new InvalidOperationException("internal: a position along the loss axis outside a loop over it");
                code = $"{position} == (nint){label}";
                break;
            }
            case Gather g:
                return GatherCode(g, target);
            case Reduce:
                throw new InvalidOperationException("internal: a reduction was used before its stage was emitted");
            default:
                throw new InvalidOperationException("internal: no emission for " + node.GetType().Name);
        }

        string temp = Temp("t", node, target);
        target.Lines.Add($"var {temp} = {code};");
        target.Names[node] = temp;
        return temp;
    }

    private string UnaryCode(Unary u, Block block)
    {
        if (u.Op == UnaryOp.Not)
            return "!" + Value(u.X, block);
        string x = Number(u.X, block);
        string m = _t.Math;
        return u.Op switch
        {
            UnaryOp.Neg => "-" + x,
            // a per-row log (log Σ exp): inlined, where a call into the C library would also make the JIT save and
            // restore every vector register live across the row loop
            UnaryOp.Log when Compute == "float" || _t.IsGeneric => $"{K}LossMath.Log({x})",
            UnaryOp.Log => $"{m}.Log({x})",
            UnaryOp.Log1p => $"{K}LossMath.Log1p({x})",
            UnaryOp.Exp => $"{m}.Exp({x})",
            UnaryOp.Abs => $"{m}.Abs({x})",
            UnaryOp.Sqrt => $"{m}.Sqrt({x})",
            UnaryOp.Square => $"{x} * {x}",
            UnaryOp.Sigmoid => $"{K}LossMath.Sigmoid({x})",
            UnaryOp.Softplus => $"{K}LossMath.Softplus({x})",
            UnaryOp.Tanh => $"{K}LossMath.Tanh({x})",
            UnaryOp.Sinh => $"{K}LossMath.Sinh({x})",
            UnaryOp.Cosh => $"{K}LossMath.Cosh({x})",
            UnaryOp.IsFinite => $"{Compute}.IsFinite({x})",
            _ => throw new InvalidOperationException("internal: unary " + u.Op),
        };
    }

    private string BinaryCode(Binary b, Block block)
    {
        if (b.Op is BinaryOp.And or BinaryOp.Or)
            return $"{Value(b.Left, block)} {(b.Op == BinaryOp.And ? "&" : "|")} {Value(b.Right, block)}";
        if (b.Op is BinaryOp.Eq or BinaryOp.Ne && KindOf(b.Left) == Kind.Int && KindOf(b.Right) == Kind.Int)
            return $"{Value(b.Left, block)} {(b.Op == BinaryOp.Eq ? "==" : "!=")} {Value(b.Right, block)}";
        if (b.Op == BinaryOp.Sub && b.Left is Unary { Op: UnaryOp.Softplus } softplus)
        {
            // TensorFlow's order, (max(x, 0) - y) + log1p(exp(-|x|)): no cancellation when y is close to max(x, 0)
            return $"{K}LossMath.SoftplusMinus({Number(softplus.X, block)}, {Number(b.Right, block)})";
        }
        string l = Number(b.Left, block), r = Number(b.Right, block);
        return b.Op switch
        {
            BinaryOp.Add => $"{l} + {r}",
            BinaryOp.Sub => $"{l} - {r}",
            BinaryOp.Mul => $"{l} * {r}",
            BinaryOp.Div => $"{l} / {r}",
            BinaryOp.Max => $"{_t.Math}.Max({l}, {r})",
            BinaryOp.Min => $"{_t.Math}.Min({l}, {r})",
            BinaryOp.Pow => $"{_t.Math}.Pow({l}, {r})",
            BinaryOp.Lt => $"{l} < {r}",
            BinaryOp.Gt => $"{l} > {r}",
            BinaryOp.Le => $"{l} <= {r}",
            BinaryOp.Ge => $"{l} >= {r}",
            BinaryOp.Eq => $"{l} == {r}",
            BinaryOp.Ne => $"{l} != {r}",
            _ => throw new InvalidOperationException("internal: binary " + b.Op),
        };
    }

    /// <summary>The element at the row's class index: range-checked, then the operand evaluated at that one element.</summary>
    private string GatherCode(Gather g, Block row)
    {
        var param = (Param)g.Index;
        ParamModel index = _plan.Formula.Parameters[param.Index];
        int id = row.Next();
        string label = "label" + id, value = "g" + id;
        var at = new Block(row, Level.Elem, label);
        at.Lines.Add($"nint e = {(InnerIsOne ? $"e0 + {label}" : $"e0 + {label} * step")};");
        string v = Number(g.X, at);
        at.Lines.Add($"{value} = {v};");

        string load = $"{U}.Add(ref {ParamName(index)}, row)";
        row.Lines.Add(param.Kind == ParamKind.Indices ? $"int {label} = {load};" : $"int {label} = (int){Wide($"TL.Read(ref {ParamName(index)}, row)")};");
        row.Lines.Add($"if ((uint){label} >= (ulong){_c}) throw {K}Shapes.IndexOutOfRange({Quote(_plan.Formula.LossName)}, {Quote(index.Name)}, {label}, {_c}, row);");
        row.Lines.Add($"{Compute} {value};");
        row.AppendChild($"// {ExprText.Print(g.X, _plan.Formula, 60)} at {index.Name}[row]", at);
        row.Names[g] = value;
        return value;
    }

    // ---- lanes (values that vary along the loss axis; in a row tile, also row values) ----------------------------

    /// <summary>A scalar repeated in every lane, hoisted into <paramref name="block"/>.</summary>
    private string Broadcast(string scalar, Block block)
    {
        string key = "broadcast:" + scalar;
        if (block.Broadcasts.TryGetValue(key, out string? known))
            return known;
        string temp = "b" + block.Next();
        block.Lines.Add($"var {temp} = TL.Create({scalar});");
        block.Broadcasts[key] = temp;
        return temp;
    }

    /// <summary>Emits <paramref name="node"/> as lanes of consecutive elements along the loss axis (or the flat loop).</summary>
    private string VValue(Expr node, Block block)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (node is Unary { Op: UnaryOp.StopGradient } stop)
            return VValue(stop.X, block);
        Level level = LevelOf(node);
        if (node is Const or AxisLength or Param { Kind: ParamKind.Scalar or ParamKind.Int })
            level = Level.Uniform;
        Block target = block;
        while (target.Level > level && target.Parent is not null)
            target = target.Parent;
        if (target.FindVector(node) is { } known)
            return known;

        string code;
        bool rowLanes = block.Kernel.RowLanes;
        if (rowLanes && level == Level.Row && node is Gather gather)
            return RowLanesGather(gather, target);
        if (level < Level.Elem && !(rowLanes && level == Level.Row))
        {
            string scalar = Value(node, target);
            code = KindOf(node) switch
            {
                Kind.Bool => $"TL.Mask({scalar})",
                Kind.Int => $"TL.Create({FromInteger(scalar)})",
                _ => $"TL.Create({scalar})",
            };
        }
        else
        {
            code = node switch
            {
                Param p when rowLanes => RowLanesLoad(p, target),
                Param { Kind: ParamKind.Indices } p => $"TL.LoadIndices(ref {ParamName(_plan.Formula.Parameters[p.Index])}, e)",
                // one value per class: the lanes' positions along the loss axis, the same for every row
                Param p when _plan.Geometry.RoleOf(p.Index) == TensorRole.Class => $"TL.Load(ref {ParamName(_plan.Formula.Parameters[p.Index])}, {target.AxisIndex})",
                Param p => $"TL.Load(ref {ParamName(_plan.Formula.Parameters[p.Index])}, e)",
                Unary u => VUnary(u, block),
                Binary b => VBinary(b, block),
                Where w => $"TL.Select({VValue(w.Condition, block)}, {VValue(w.WhenTrue, block)}, {VValue(w.WhenFalse, block)})",
                Clip c => VLower(VUpper(VValue(c.X, block), c.Hi, block), c.Lo, block),
                AxisIndexIs a when rowLanes => $"TL.Equal({ColumnOf(target)}, {VValue(a.Index, block)})",
                Reduce => throw new InvalidOperationException("internal: a reduction was used before its stage was emitted"),
                AxisIndexIs a => $"TL.Equal(TL.Create({FromInteger(target.AxisIndex!)}) + TL.Indices, {VValue(a.Index, block)})",
                _ => throw new InvalidOperationException("internal: no vector emission for " + node.GetType().Name),
            };
        }
        string temp = Temp("v", node, target);
        target.Lines.Add($"var {temp} = {code};");
        target.VNames[node] = temp;
        return temp;
    }

    private string VUnary(Unary u, Block block)
    {
        string x = VValue(u.X, block);
        return u.Op switch
        {
            UnaryOp.Neg => "-" + x,
            UnaryOp.Not => "~" + x,
            // an argument that is provably a positive normal finite number (or NaN): no special values to handle
            UnaryOp.Log when _arithmetic.PositiveLogs.Contains(u) => $"TL.LogPositive({x})",
            UnaryOp.Log => $"TL.Log({x})",
            UnaryOp.Exp => $"TL.Exp({x})",
            UnaryOp.Log1p => $"TL.Log1p({x})",
            UnaryOp.Abs => $"TL.Abs({x})",
            UnaryOp.Sqrt => $"TL.Sqrt({x})",
            UnaryOp.Square => $"{x} * {x}",
            UnaryOp.Sigmoid => $"TL.Sigmoid({x})",
            UnaryOp.Softplus => $"TL.Softplus({x})",
            UnaryOp.Tanh => $"TL.Tanh({x})",
            UnaryOp.Sinh => $"TL.Sinh({x})",
            // a composition of the contract's exp: two positive terms, no cancellation (the lanes have no cosh)
            UnaryOp.Cosh => $"(TL.Exp({x}) + TL.Exp(-{x})) * {VValue(new Const(0.5), block)}",
            UnaryOp.IsFinite => $"TL.IsFinite({x})",
            _ => throw new InvalidOperationException("internal: vector unary " + u.Op),
        };
    }

    private string VBinary(Binary b, Block block)
    {
        if (b.Op == BinaryOp.Sub && b.Left is Unary { Op: UnaryOp.Softplus } softplus)
            return $"TL.SoftplusMinus({VValue(softplus.X, block)}, {VValue(b.Right, block)})";
        if (b.Op == BinaryOp.Max && NonZeroConstant(b.Left))
            return VLower(VValue(b.Right, block), b.Left, block);
        if (b.Op == BinaryOp.Max && NonZeroConstant(b.Right))
            return VLower(VValue(b.Left, block), b.Right, block);
        if (b.Op == BinaryOp.Min && NonZeroConstant(b.Left))
            return VUpper(VValue(b.Right, block), b.Left, block);
        if (b.Op == BinaryOp.Min && NonZeroConstant(b.Right))
            return VUpper(VValue(b.Left, block), b.Right, block);
        string l = VValue(b.Left, block), r = VValue(b.Right, block);
        return b.Op switch
        {
            BinaryOp.Add => $"{l} + {r}",
            BinaryOp.Sub => $"{l} - {r}",
            BinaryOp.Mul => $"{l} * {r}",
            BinaryOp.Div => $"{l} / {r}",
            BinaryOp.Max => $"TL.Max({l}, {r})",
            BinaryOp.Min => $"TL.Min({l}, {r})",
            BinaryOp.Pow => $"TL.Pow({l}, {r})",
            BinaryOp.Lt => $"TL.LessThan({l}, {r})",
            BinaryOp.Gt => $"TL.GreaterThan({l}, {r})",
            BinaryOp.Le => $"TL.LessThanOrEqual({l}, {r})",
            BinaryOp.Ge => $"TL.GreaterThanOrEqual({l}, {r})",
            BinaryOp.Eq => $"TL.Equal({l}, {r})",
            BinaryOp.Ne => $"~TL.Equal({l}, {r})",
            BinaryOp.And => $"{l} & {r}",
            BinaryOp.Or => $"{l} | {r}",
            _ => throw new InvalidOperationException("internal: vector binary " + b.Op),
        };
    }

    /// <summary>A subexpression of constants only whose value (folded in the compute type) is neither a zero nor NaN (<see cref="ComputeChoices.NonZeroConstants"/>).</summary>
    private bool NonZeroConstant(Expr node) => _arithmetic.NonZeroConstants.Contains(node);

    /// <summary><c>max(x, lo)</c>: one instruction against a constant bound that is not a zero (NaN in x kept), IEEE's max otherwise.</summary>
    private string VLower(string x, Expr lo, Block block)
        => NonZeroConstant(lo) ? $"TL.AtLeast({x}, {VValue(lo, block)})" : $"TL.Max({x}, {VValue(lo, block)})";

    /// <summary><c>min(x, hi)</c>, as <see cref="VLower"/>.</summary>
    private string VUpper(string x, Expr hi, Block block)
        => NonZeroConstant(hi) ? $"TL.AtMost({x}, {VValue(hi, block)})" : $"TL.Min({x}, {VValue(hi, block)})";

    // ---- row tiles ------------------------------------------------------------------------------------------------

    private static string ColumnOf(Block block)
    {
        for (Block? b = block; b is not null; b = b.Parent)
        {
            if (b.LaneColumn is not null)
                return b.LaneColumn;
        }
        throw new InvalidOperationException("internal: an element of a row tile outside a loop over the loss axis or a gather");
    }

    private static Block? GatherBlock(Block block)
    {
        for (Block? b = block; b is not null; b = b.Parent)
        {
            if (b.Labels is not null)
                return b;
            if (b.LaneColumn is not null)
                return null;
        }
        return null;
    }

    /// <summary>A tensor in a row tile: per-row values are consecutive; elements come from the tile's transposed copy, or at the labels.</summary>
    private string RowLanesLoad(Param p, Block target)
    {
        ParamModel param = _plan.Formula.Parameters[p.Index];
        string pointer = ParamName(param);
        if (_plan.Geometry.RoleOf(p.Index) == TensorRole.Row)
            return param.Kind == ParamKind.Indices ? $"TL.LoadIndices(ref {pointer}, row)" : $"TL.Load(ref {pointer}, row)";
        Block? gather = GatherBlock(target);
        if (_plan.Geometry.RoleOf(p.Index) == TensorRole.Class)
        {
            // one value per class, the same for every row: each lane's label picks it, or the column is broadcast
            return gather is not null
                ? $"TL.GatherAtLabels(ref {pointer}, ref {gather.Labels}, row, 0)"
                : $"TL.Create(TL.Read(ref {pointer}, {target.AxisIndex}))";
        }
        string? columns = null;
        target.Kernel.TileColumns?.TryGetValue(p.Index, out columns);
        if (gather is not null)
        {
            return columns is not null
                ? $"TL.AtLabels(ref {columns}, ref {U}.Add(ref {pointer}, e0), ref {gather.Labels}, row, {_c})"
                : $"TL.GatherAtLabels(ref {U}.Add(ref {pointer}, e0), ref {gather.Labels}, row, {_c})";
        }
        return columns is not null
            ? $"TL.Load(ref {columns}, {target.AxisIndex} * TL.Count)"
            : $"TL.GatherColumn(ref {U}.Add(ref {pointer}, e), {_c})";
    }

    /// <summary>
    /// The elements at each row's class index in a row tile. A tile with a label out of range ends the tiles (the
    /// row-by-row body throws for the right row); nothing of the tile has been written or added by then.
    /// </summary>
    private string RowLanesGather(Gather g, Block row)
    {
        ParamModel index = _plan.Formula.Parameters[((Param)g.Index).Index];
        string labels = ParamName(index);
        int id = row.Next();
        string value = "g" + id;
        var at = new Block(row, Level.Elem, null) { Labels = labels, LaneColumn = $"TL.Labels(ref {labels}, row)" };
        string v = VValue(g.X, at);
        at.Lines.Add($"{value} = {v};");
        row.Lines.Add($"if (TL.AnyLabelOutOfRange(ref {labels}, row, {_c})) break;");
        row.Lines.Add($"TL {value};");
        row.AppendChild($"// {ExprText.Print(g.X, _plan.Formula, 60)} at each row's {index.Name}", at);
        row.VNames[g] = value;
        return value;
    }

    public static string Quote(string text) => CSharpText.Quote(text);

    /// <summary>
    /// What is particular to the one kernel being written, shared by all its blocks: the numbering of its temporaries
    /// and, in a row tile, the transposed copies of its tensors. Made afresh for each kernel, so the emitter itself
    /// keeps no state between or during kernels.
    /// </summary>
    private sealed class KernelState
    {
        private int _temps;

        /// <param name="tileColumns">For the row-tiled body: each transposed tensor's copy; null for any other body.</param>
        public KernelState(IReadOnlyDictionary<int, string>? tileColumns) => TileColumns = tileColumns;

        /// <summary>The row-tiled body: one lane per row, a tile of as many rows as lanes.</summary>
        public bool RowLanes => TileColumns is not null;

        /// <summary>In a row tile: the transposed copy of each tensor read along the loss axis (column j at j * lanes).</summary>
        public IReadOnlyDictionary<int, string>? TileColumns { get; }

        /// <summary>A number for a new temporary, unique in the kernel.</summary>
        public int Next() => _temps++;
    }

    /// <summary>A scope of generated statements: its level, the values already computed in it, and its lines.</summary>
    private sealed class Block
    {
        private string? _mask;

        public Block(Block? parent, Level level, string? axisIndex)
            : this(parent, level, axisIndex, parent?.Kernel ?? throw new ArgumentNullException(nameof(parent)))
        {
        }

        private Block(Block? parent, Level level, string? axisIndex, KernelState kernel)
        {
            Parent = parent;
            Level = level;
            AxisIndex = axisIndex;
            Kernel = kernel;
        }

        /// <summary>The outermost block of a kernel.</summary>
        public static Block Top(KernelState kernel) => new(null, Level.Uniform, null, kernel);

        public Block? Parent { get; }

        /// <summary>The kernel this block belongs to.</summary>
        public KernelState Kernel { get; }

        /// <summary>
        /// In a vector that overlaps lanes already done (the last vector of a row or of the flat loop): the mask of the
        /// lanes not yet done, which sums, maxima and per-class gradients leave the others out by. Set on that vector's
        /// block, seen by the blocks inside it.
        /// </summary>
        public string? Mask
        {
            get => _mask ?? Parent?.Mask;
            set => _mask = value;
        }

        /// <inheritdoc cref="KernelState.Next"/>
        public int Next() => Kernel.Next();

        public Level Level { get; }

        /// <summary>The position along the loss axis in this block (a loop variable, a literal, or a gathered label).</summary>
        public string? AxisIndex { get; }

        public List<string> Lines { get; } = new();

        /// <summary>Scalars computed in this block.</summary>
        public Dictionary<Expr, string> Names { get; } = new();

        /// <summary>Lanes computed in this block.</summary>
        public Dictionary<Expr, string> VNames { get; } = new();

        /// <summary>Scalars broadcast into lanes in this block.</summary>
        public Dictionary<string, string> Broadcasts { get; } = new();

        /// <summary>In a row tile: the position along the loss axis of each lane (a column, or each row's label).</summary>
        public string? LaneColumn { get; set; }

        /// <summary>In a row tile's gather: the labels' pointer.</summary>
        public string? Labels { get; set; }

        public string? Find(Expr node)
        {
            for (Block? b = this; b is not null; b = b.Parent)
            {
                if (b.Names.TryGetValue(node, out string? name))
                    return name;
            }
            return null;
        }

        public string? FindVector(Expr node)
        {
            for (Block? b = this; b is not null; b = b.Parent)
            {
                if (b.VNames.TryGetValue(node, out string? name))
                    return name;
            }
            return null;
        }

        public void AppendChild(string? header, Block child)
        {
            if (header is not null)
                Lines.Add(header);
            Lines.Add("{");
            Lines.AddRange(child.Lines.Select(l => "    " + l));
            Lines.Add("}");
        }
    }
}
