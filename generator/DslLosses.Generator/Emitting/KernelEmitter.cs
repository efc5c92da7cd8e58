using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DslLosses.Generator.Checking;
using DslLosses.Generator.Ir;
using DslLosses.Generator.Lowering;
using DslLosses.Generator.Models;

namespace DslLosses.Generator.Emitting;

/// <summary>What a kernel does with each loss value.</summary>
internal enum KernelOutput
{
    /// <summary>Adds every (weighted) loss into a double total: the Sum and SumOverBatchSize kernels.</summary>
    Sum,
    /// <summary>Writes every (weighted) loss into the destination: the None kernels.</summary>
    None,
    /// <summary>Writes the gradient of the reduced loss by the differentiable input.</summary>
    Gradient,
    /// <summary>Adds every (weighted) loss into a double total and writes the gradient, in the same pass.</summary>
    SumAndGradient,
}

/// <summary>
/// Emits one kernel body: a single pass over the inputs in which every reduction along the loss axis is fused into
/// staged row loops (one loop per dependency level, all reductions of a level share it), values that do not vary along
/// a loop are hoisted out of it, equal subexpressions are computed once, and literal axis lengths are unrolled.
/// </summary>
internal sealed class KernelEmitter
{
    /// <summary>Loss axes of at most this literal length are unrolled.</summary>
    public const int MaxUnroll = 16;

    private readonly KernelPlan _plan;
    private readonly DType _t;
    private readonly KernelOutput _output;
    private readonly bool _weighted;
    private bool _innerIsOne;
    private readonly string _c;
    private int _temps;

    /// <summary>The row maxima that only shift a softmax or log-sum-exp: one-instruction max (<see cref="Lowerer.ShiftMaxima"/>).</summary>
    private readonly HashSet<Expr> _shifts;

    /// <summary>What the values of each subexpression can be, in the compute type (<see cref="Ranges"/>).</summary>
    private readonly Ranges _ranges;

    private const string Fast = "global::DslLosses.Kernels.FastMath";

    /// <summary>
    /// The emitter whose kernel method the variants are called from (itself, or the row kernel a flat loop stands in
    /// for): the variant methods take its signature.
    /// </summary>
    private KernelEmitter _host;

    /// <summary>On the host: one method per variant, written after the kernel that dispatches to them.</summary>
    private readonly List<List<string>> _variantMethods = new();

    public KernelEmitter(KernelPlan plan, DType type, KernelOutput output, bool weighted)
    {
        _host = this;
        _plan = plan;
        _t = type;
        _output = output;
        _weighted = weighted;
        // Fixed ranks with the loss axis last: consecutive elements of a row are adjacent, no inner loop.
        _innerIsOne = !plan.Geometry.Variadic && plan.Formula.LossAxis == plan.Geometry.FullRank - 1;
        _c = plan.LiteralAxisLength > 0 ? plan.LiteralAxisLength.ToString(CultureInfo.InvariantCulture) : "c";
        _shifts = Lowerer.ShiftMaxima(plan);
        _ranges = new Ranges(single: type.Compute == "float");
    }

    public static string KernelName(FormulaModel formula, DType type, KernelOutput output, bool weighted)
        => "__" + formula.MethodName + "_" + type.Name + "_" + output + (weighted ? "_Weighted" : "");

    public static string ParamName(ParamModel p) => "p_" + p.Name;

    /// <summary>The kernel's parameter list, shared with the call sites.</summary>
    public static IEnumerable<string> Signature(KernelPlan plan, DType type, KernelOutput output, bool weighted)
    {
        foreach (ParamModel p in plan.Formula.Parameters)
        {
            yield return p.Kind switch
            {
                ParamKind.Tensor => "ref " + type.Type + " " + ParamName(p),
                ParamKind.Indices => "ref int " + ParamName(p),
                ParamKind.Scalar => type.Compute + " " + ParamName(p),
                _ => "int " + ParamName(p),
            };
        }
        yield return "nint outer";
        yield return "nint c";
        yield return "nint inner";
        if (weighted)
        {
            yield return "ref " + type.Type + " sw";
            yield return "in global::DslLosses.Kernels.WeightMap wm";
        }
        if (output == KernelOutput.None)
            yield return "ref " + type.Type + " dest";
        if (output is KernelOutput.Gradient or KernelOutput.SumAndGradient)
        {
            yield return "ref " + type.Type + " grad";
            yield return type.Compute + " scale";
        }
        if (output is KernelOutput.Sum or KernelOutput.SumAndGradient && plan.Keep is not null)
            yield return "out nint kept";
    }

    private bool WantsLoss => _output != KernelOutput.Gradient;

    private bool WantsGradient => _output is KernelOutput.Gradient or KernelOutput.SumAndGradient;

    private bool Totals => _output is KernelOutput.Sum or KernelOutput.SumAndGradient;

    public static string KeptCountName(FormulaModel formula, DType type) => "__" + formula.MethodName + "_" + type.Name + "_Kept";

    /// <summary>How many loss entries the keep mask keeps (the SumOverBatchSize divisor, needed before the gradient is written).</summary>
    public void EmitKeptCount(CodeWriter w)
    {
        var args = Signature(_plan, _t, KernelOutput.None, false).Where(a => !a.EndsWith(" dest", StringComparison.Ordinal));
        w.Line($"private static nint {KeptCountName(_plan.Formula, _t)}({string.Join(", ", args)})");
        var top = new Block(null, Level.Uniform, null);
        top.Lines.Add("nint kept = 0;");
        var row = new Block(top, _plan.Loops == LoopShape.Rows ? Level.Row : Level.Elem, null);
        string header;
        if (_plan.Loops == LoopShape.Elementwise)
        {
            header = "for (nint k = 0; k < outer; k++)";
            row.Lines.Add("nint e = k;");
        }
        else
        {
            header = "for (nint o = 0; o < outer; o++)";
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

    /// <summary>Vector widths the kernels may use, widest first; each variant runs only where the hardware accelerates it.</summary>
    private static readonly (string Name, int FloatLanes)[] Widths = { ("Vector512", 16), ("Vector256", 8), ("Vector128", 4) };

    private (string Name, int FloatLanes)? _vec;

    /// <summary>While emitting a row's overlapping last vector: the mask of its lanes not yet done.</summary>
    private string? _mask;

    /// <summary>
    /// While emitting a row-tiled variant: one lane per row, a tile of as many rows as lanes. Row values are vectors
    /// across the tile's rows; a loop over the loss axis walks the columns of the tile's transposed copy.
    /// </summary>
    private bool _rowLanes;

    /// <summary>In a row tile: the transposed copy of each tensor read along the loss axis (column j at j * lanes).</summary>
    private readonly Dictionary<int, string> _tileColumns = new();

    private string V => "global::System.Runtime.Intrinsics." + _vec!.Value.Name;

    private string VT => V + "<" + _t.Compute + ">";

    private int Lanes => _t.Compute == "float" ? _vec!.Value.FloatLanes : _vec!.Value.FloatLanes / 2;

    /// <summary>
    /// Whether this kernel gets vectorised variants: not for Half (stored in 16 bits), not for unrolled literal axes,
    /// not with per-element integer inputs, per-element weights or per-element masks (their lanes would be gathered).
    /// </summary>
    private bool Vectorizable
    {
        get
        {
            if (_t.Widens || (_plan.LiteralAxisLength > 0 && _plan.LiteralAxisLength <= MaxUnroll))
                return false;
            for (int i = 0; i < _plan.Formula.Parameters.Count; i++)
            {
                if (_plan.Formula.Parameters[i].Kind == ParamKind.Indices && _plan.Geometry.RoleOf(i) == TensorRole.Full)
                    return false;
            }
            if (_plan.Loops == LoopShape.Elementwise)
                return !_weighted && _plan.Keep is null;
            return !(_plan.LossHasAxis && _weighted);
        }
    }

    public void Emit(CodeWriter w)
    {
        string returns = Totals ? "double" : "void";
        string name = KernelName(_plan.Formula, _t, _output, _weighted);
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]");
        w.Line($"private static {returns} {name}({string.Join(", ", Signature(_plan, _t, _output, _weighted))})");
        var body = new List<string>();
        if (Totals)
        {
            body.Add("double total = 0.0;");
            if (_plan.Keep is not null)
                body.Add("kept = 0;");
        }

        if (_output == KernelOutput.Sum && !_weighted && _plan.HasFlatSum)
        {
            // Σ over rows of (Σ_c h) / C = (Σ over every element of h) / C: one flat loop, no per-row sums.
            var flat = new KernelEmitter(
                _plan with { Loops = LoopShape.Elementwise, Loss = _plan.FlatTerm!, Keep = null, LossHasAxis = true, LiteralAxisLength = 0 },
                _t, _output, weighted: false) { _host = this };
            body.Add("outer = outer * c * inner; // the flat element count");
            flat.Variants(body, "outer", innerIsOne: true);
            body.Add(_plan.FlatMean ? "return c == 0 ? 0.0 : total / c;" : "return total;");
            using (w.Block())
            {
                w.Lines(body);
            }
            WriteVariantMethods(w);
            return;
        }

        if (_plan.Loops == LoopShape.Elementwise)
        {
            Variants(body, "outer", innerIsOne: true);
        }
        else if (_plan.Geometry.Variadic)
        {
            var contiguous = new List<string>();
            Variants(contiguous, "c", innerIsOne: true);
            AppendBlock(body, "if (inner == 1)", contiguous);
            AppendBlock(body, "else", LoopNest(innerIsOne: false, null));
        }
        else
        {
            Variants(body, "c", innerIsOne: _plan.Formula.LossAxis == _plan.Geometry.FullRank - 1);
        }
        if (Totals)
            body.Add("return total;");

        using (w.Block())
        {
            w.Lines(body);
        }
        WriteVariantMethods(w);
    }

    private void WriteVariantMethods(CodeWriter w)
    {
        foreach (List<string> method in _variantMethods)
        {
            w.Line();
            w.Lines(method);
        }
    }

    /// <summary>
    /// Moves one variant's loop nest into a method of its own (with the host kernel's signature) and returns the lines
    /// that call it. Each variant is then compiled on its own: in one method holding every width, the JIT runs out of
    /// inlining budget (FastMath calls stay calls) and keeps vectors in stack slots across the row loop.
    /// </summary>
    private List<string> AsVariantMethod(List<string> nest)
    {
        KernelEmitter host = _host;
        string name = KernelName(host._plan.Formula, host._t, host._output, host._weighted) + "_V" + (host._variantMethods.Count + 1).ToString(CultureInfo.InvariantCulture);
        List<string> parameters = Signature(host._plan, host._t, host._output, host._weighted).ToList();
        var method = new List<string>
        {
            "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]",
            $"private static {(host.Totals ? "double" : "void")} {name}({string.Join(", ", parameters)})",
            "{",
        };
        if (host.Totals)
        {
            method.Add("    double total = 0.0;");
            if (host._plan.Keep is not null)
                method.Add("    kept = 0;");
        }
        method.AddRange(nest.Select(l => "    " + l));
        if (host.Totals)
            method.Add("    return total;");
        method.Add("}");
        host._variantMethods.Add(method);

        string call = $"{name}({string.Join(", ", parameters.Select(Argument))})";
        return new List<string> { host.Totals ? $"total = {call};" : call + ";" };

        static string Argument(string parameter)
        {
            string[] parts = parameter.Split(' ');
            string last = parts[parts.Length - 1];
            return parts[0] is "ref" or "in" or "out" ? parts[0] + " " + last : last;
        }
    }

    /// <summary>The vectorised variants (widest accelerated width first, when the loop is long enough) and the scalar one.</summary>
    private void Variants(List<string> body, string length, bool innerIsOne)
    {
        bool rowLanes = length == "c" && RowLanesApplicable(innerIsOne);
        bool vectors = innerIsOne && Vectorizable;
        if (!rowLanes && !vectors)
        {
            AppendBlock(body, null, LoopNest(innerIsOne, null));
            return;
        }
        string keyword = "if";
        foreach ((string Name, int FloatLanes) width in Widths)
        {
            if (rowLanes && width.Name != "Vector128")
            {
                // a narrow class axis (MaxTileColumns): one row per lane instead of a row at a time
                int tile = width.FloatLanes;
                AppendBlock(body, $"{keyword} (global::System.Runtime.Intrinsics.{width.Name}.IsHardwareAccelerated && {_c} <= {MaxTileColumns(width.Name)} && outer >= {tile})", AsVariantMethod(RowLanesNest(width)));
                keyword = "else if";
            }
            if (!vectors)
                continue;
            // Vector128 pays off for narrow rows (4 to 7 floats); a flat loop that short is not worth a variant
            if (width.Name == "Vector128" && length == "outer")
                continue;
            int lanes = _t.Compute == "float" ? width.FloatLanes : width.FloatLanes / 2;
            AppendBlock(body, $"{keyword} (global::System.Runtime.Intrinsics.{width.Name}.IsHardwareAccelerated && {length} >= {lanes})", AsVariantMethod(LoopNest(true, width)));
            keyword = "else if";
        }
        AppendBlock(body, "else", AsVariantMethod(LoopNest(true, null)));
    }

    /// <summary>
    /// The widest loss axis a row tile of this width takes. 16-row tiles (AVX-512) stay below one vector per row: wider
    /// rows have whole vectors of their own there. 8-row tiles (AVX2) take wider rows: row by row, each row's chain of
    /// max, exponentials, horizontal sums and log waits on the one before it, while a tile's lanes are independent
    /// rows. But a tile reads 8 rows side by side per transposed tensor, which the hardware prefetchers follow less
    /// well than one stream: measured on Zen 2, tiles win up to about 128 columns with one tensor transposed (sparse
    /// labels) and 64 with two, and lose beyond, most of all on inputs larger than the caches.
    /// </summary>
    private int MaxTileColumns(string width)
        => width == "Vector512" ? 15 : 128 / Math.Max(1, FullTensorsOf(_plan.Loss).Distinct().Count());

    /// <summary>
    /// Whether the kernel gets row-tiled variants for narrow loss axes: float rows with the loss axis contiguous and
    /// one loss per row, reduced or written per row, unweighted and unmasked, gathers only by integer labels.
    /// </summary>
    private bool RowLanesApplicable(bool innerIsOne)
    {
        if (!innerIsOne || _t.Widens || _t.Compute != "float" || _plan.Loops != LoopShape.Rows || _plan.LossHasAxis
            || _weighted || _plan.Keep is not null || _output is not (KernelOutput.Sum or KernelOutput.None)
            || _plan.LiteralAxisLength > MaxUnroll)
            return false;
        for (int i = 0; i < _plan.Formula.Parameters.Count; i++)
        {
            if (_plan.Formula.Parameters[i].Kind == ParamKind.Indices && _plan.Geometry.RoleOf(i) == TensorRole.Full)
                return false;
        }
        return GathersByIndices(_plan.Loss);
    }

    /// <summary>
    /// The indices of the tensor parameters read element by element along the loss axis in <paramref name="node"/>:
    /// under a gather an operand is read at the label only (<paramref name="atLabel"/>), unless a reduction inside the
    /// gather reads it whole again.
    /// </summary>
    private IEnumerable<int> FullTensorsOf(Expr node, bool atLabel = false)
    {
        switch (node)
        {
            case Param { Kind: ParamKind.Tensor } p when !atLabel && _plan.Geometry.RoleOf(p.Index) == TensorRole.Full:
                yield return p.Index;
                break;
            case Gather g:
                foreach (int i in FullTensorsOf(g.X, atLabel: true)) yield return i;
                break;
            case Reduce r:
                foreach (int i in FullTensorsOf(r.X)) yield return i;
                break;
            case Unary u:
                foreach (int i in FullTensorsOf(u.X, atLabel)) yield return i;
                break;
            case Binary b:
                foreach (int i in FullTensorsOf(b.Left, atLabel).Concat(FullTensorsOf(b.Right, atLabel))) yield return i;
                break;
            case Where w:
                foreach (int i in FullTensorsOf(w.Condition, atLabel).Concat(FullTensorsOf(w.WhenTrue, atLabel)).Concat(FullTensorsOf(w.WhenFalse, atLabel))) yield return i;
                break;
            case Clip c:
                foreach (int i in FullTensorsOf(c.X, atLabel).Concat(FullTensorsOf(c.Lo, atLabel)).Concat(FullTensorsOf(c.Hi, atLabel))) yield return i;
                break;
        }
    }

    private bool GathersByIndices(Expr node) => node switch
    {
        Gather g => g.Index is Param { Kind: ParamKind.Indices } && GathersByIndices(g.X),
        Reduce r => GathersByIndices(r.X),
        Unary u => GathersByIndices(u.X),
        Binary b => GathersByIndices(b.Left) && GathersByIndices(b.Right),
        Where w => GathersByIndices(w.Condition) && GathersByIndices(w.WhenTrue) && GathersByIndices(w.WhenFalse),
        Clip c => GathersByIndices(c.X) && GathersByIndices(c.Lo) && GathersByIndices(c.Hi),
        _ => true,
    };

    /// <summary>
    /// The row-tiled loop: whole tiles of rows, one row per lane, then the remaining rows one by one (also from a tile
    /// holding a label out of range, so that the row-by-row loop throws for the right row).
    /// </summary>
    private List<string> RowLanesNest((string Name, int FloatLanes) width)
    {
        _innerIsOne = true;
        _vec = width;
        _rowLanes = true;
        var top = new Block(null, Level.Uniform, null);
        top.Lines.Add($"var ls = {V}<int>.Indices * {V}.Create((int){_c}); // lane l starts l rows further");
        top.Lines.Add("nint row = 0;");
        var tile = new Block(top, Level.Row, null);
        tile.Lines.Add($"nint e0 = row * {_c};");
        // Each tensor read along the loss axis is transposed once per tile into a column-major copy on the stack, which
        // every stage then reads with plain loads, and a gather at the labels with a blend per column (the axis is
        // shorter than a vector: the copy is at most lanes²). A tensor read at the labels only is gathered there.
        _tileColumns.Clear();
        foreach (int p in FullTensorsOf(_plan.Loss).Distinct().OrderBy(i => i))
        {
            string name = "tc" + (_temps++).ToString(CultureInfo.InvariantCulture);
            _tileColumns[p] = name;
            top.Lines.Add($"global::System.Span<{_t.Compute}> {name}s = stackalloc {_t.Compute}[(int){_c} * {Lanes}];");
            top.Lines.Add($"ref {_t.Compute} {name} = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference({name}s);");
            tile.Lines.Add($"global::DslLosses.Kernels.VectorLanes.RowsToColumns{Lanes}(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {ParamName(_plan.Formula.Parameters[p])}, e0), {_c}, (outer - row) * {_c}, ref {name});");
        }
        RowBody(tile, null, "row");
        _tileColumns.Clear();
        top.AppendChild($"for (; row <= outer - {Lanes}; row += {Lanes})", tile);
        _rowLanes = false;
        top.Lines.AddRange(LoopNest(true, null, continueRows: true));
        return top.Lines;
    }

    private static void AppendBlock(List<string> lines, string? header, List<string> inner)
    {
        if (header is not null)
            lines.Add(header);
        lines.Add("{");
        lines.AddRange(inner.Select(l => "    " + l));
        lines.Add("}");
    }

    /// <summary>One complete loop nest over the inputs, scalar or with vectors of one width.</summary>
    private List<string> LoopNest(bool innerIsOne, (string Name, int FloatLanes)? vector, bool continueRows = false)
    {
        _innerIsOne = innerIsOne;
        _vec = vector;
        var top = new Block(null, Level.Uniform, null);
        if (_plan.Loops == LoopShape.Elementwise)
        {
            top.Lines.Add("nint k = 0;");
            if (_vec is not null)
                ElementwiseVector(top);
            var loop = new Block(top, Level.Elem, null);
            loop.Lines.Add("nint e = k;");
            _vec = null;
            RowBody(loop, loop, "e");
            top.AppendChild("for (; k < outer; k++)", loop);
            return top.Lines;
        }

        var row = new Block(top, Level.Row, null);
        string header;
        if (_innerIsOne)
        {
            header = continueRows ? "for (; row < outer; row++)" : "for (nint row = 0; row < outer; row++)";
            row.Lines.Add($"nint e0 = row * {_c};");
        }
        else
        {
            header = "for (nint o = 0; o < outer; o++)";
            row.Lines.Add("nint row = o * inner + i;");
            row.Lines.Add($"nint e0 = o * {_c} * inner + i;");
        }
        RowBody(row, null, "row");
        if (_innerIsOne)
        {
            top.AppendChild(header, row);
        }
        else
        {
            var inner = new Block(top, Level.Uniform, null);
            inner.AppendChild("for (nint i = 0; i < inner; i++)", row);
            top.AppendChild(header, inner);
        }
        _vec = null;
        return top.Lines;
    }

    /// <summary>
    /// The elementwise loop on whole vectors; the scalar loop that follows finishes the tail. Float sums are folded into
    /// the double total every 1024 elements at most.
    /// </summary>
    private void ElementwiseVector(Block top)
    {
        var loop = new Block(top, Level.Elem, null);
        loop.Lines.Add("nint e = k;");
        int foldEvery = 1024 / Lanes;
        if (Totals)
        {
            top.Lines.Add($"{VT} vtotal = {VT}.Zero;");
            top.Lines.Add("int fold = 0;");
        }
        if (WantsLoss)
        {
            string v = VValue(_plan.Loss, loop);
            if (Totals)
            {
                loop.Lines.Add($"vtotal += {v};");
                loop.Lines.Add($"if (++fold == {foldEvery}) {{ total += {V}.Sum(vtotal); vtotal = {VT}.Zero; fold = 0; }}");
            }
            else
            {
                loop.Lines.Add($"{V}.StoreUnsafe({v}, ref dest, (nuint)e);");
            }
        }
        if (WantsGradient)
        {
            string g = VValue(_plan.Gradient!, loop);
            string scale = Broadcast("scale", top);
            loop.Lines.Add($"{V}.StoreUnsafe({g} * {scale}, ref grad, (nuint)e);");
        }
        top.AppendChild($"for (; k <= outer - {Lanes}; k += {Lanes})", loop);
        if (Totals)
            top.Lines.Add($"total += {V}.Sum(vtotal);");
    }

    /// <summary>The work for one row (or, elementwise, one element): keep test, staged reductions, the loss, its output.</summary>
    private void RowBody(Block row, Block? elementwise, string lossIndex)
    {
        if (_plan.Keep is { } keep)
        {
            string k = Value(keep, row);
            var skip = new Block(row, row.Level, null);
            if (_output == KernelOutput.None)
            {
                if (_plan.LossHasAxis && elementwise is null)
                    skip.Lines.Add($"for (nint j = 0; j < {_c}; j++) {ZeroAt("dest", ElementIndex("j"))}");
                else
                    skip.Lines.Add(ZeroAt("dest", lossIndex));
            }
            if (WantsGradient)
            {
                if (elementwise is null)
                    skip.Lines.Add($"for (nint j = 0; j < {_c}; j++) {ZeroAt("grad", ElementIndex("j"))}");
                else
                    skip.Lines.Add(ZeroAt("grad", "e"));
            }
            skip.Lines.Add("continue;");
            row.AppendChild($"if (!{k})", skip);
            if (Totals)
                row.Lines.Add(_plan.LossHasAxis && elementwise is null ? $"kept += {_c};" : "kept++;");
        }

        if (elementwise is not null)
        {
            if (WantsLoss)
                Consume(row, Value(_plan.Loss, row), lossIndex);
            if (WantsGradient)
                WriteGradient(row, "e");
            return;
        }

        // Stages: a reduction can start once every reduction (and gather) inside its operand is known.
        var stages = new Dictionary<Expr, int>();
        int last = Math.Max(WantsLoss ? StageOf(_plan.Loss, stages) : 0, _plan.Keep is null ? 0 : StageOf(_plan.Keep, stages));
        if (WantsGradient)
            last = Math.Max(last, StageOf(_plan.Gradient!, stages));
        for (int s = 1; s <= last; s++)
        {
            List<Reduce> reduces = stages.Where(kv => kv.Value == s && kv.Key is Reduce).Select(kv => (Reduce)kv.Key).ToList();
            if (reduces.Count == 0)
                continue;
            if (_rowLanes)
            {
                RowLanesReduce(row, reduces);
                continue;
            }
            var accumulators = new List<string>();
            foreach (Reduce r in reduces)
            {
                string acc = "r" + (_temps++).ToString(CultureInfo.InvariantCulture);
                string init = r.Op switch
                {
                    ReduceOp.Max => _t.Compute + ".NegativeInfinity",
                    ReduceOp.Min => _t.Compute + ".PositiveInfinity",
                    _ => _t.Literal(0),
                };
                row.Lines.Add($"{_t.Compute} {acc} = {init};");
                accumulators.Add(acc);
            }
            var vectors = accumulators.Select(a => "v" + a).ToList();
            AxisLoop(row, (loop, vector) =>
            {
                for (int k = 0; k < reduces.Count; k++)
                {
                    string v = vector ? VValue(reduces[k].X, loop) : Number(reduces[k].X, loop);
                    if (vector && _mask is not null)
                    {
                        string identity = reduces[k].Op switch
                        {
                            ReduceOp.Max => $"{V}.Create({_t.Compute}.NegativeInfinity)",
                            ReduceOp.Min => $"{V}.Create({_t.Compute}.PositiveInfinity)",
                            _ => $"{VT}.Zero",
                        };
                        v = $"{V}.ConditionalSelect({_mask}, {v}, {identity})";
                    }
                    string acc = vector ? vectors[k] : accumulators[k];
                    string math = vector ? V : _t.Math;
                    loop.Lines.Add(reduces[k].Op switch
                    {
                        ReduceOp.Max when vector && _shifts.Contains(reduces[k]) => $"{acc} = {Fast}.ShiftMax({acc}, {v});",
                        ReduceOp.Max => $"{acc} = {math}.Max({acc}, {v});",
                        ReduceOp.Min => $"{acc} = {math}.Min({acc}, {v});",
                        _ => $"{acc} += {v};",
                    });
                }
            },
            beforeVector: () =>
            {
                for (int k = 0; k < reduces.Count; k++)
                {
                    string init = reduces[k].Op switch
                    {
                        ReduceOp.Max => $"{V}.Create({_t.Compute}.NegativeInfinity)",
                        ReduceOp.Min => $"{V}.Create({_t.Compute}.PositiveInfinity)",
                        _ => $"{VT}.Zero",
                    };
                    row.Lines.Add($"{VT} {vectors[k]} = {init};");
                }
            },
            afterVector: () =>
            {
                for (int k = 0; k < reduces.Count; k++)
                {
                    string acc = accumulators[k], va = vectors[k];
                    row.Lines.Add(reduces[k].Op switch
                    {
                        ReduceOp.Max when _shifts.Contains(reduces[k]) => $"{acc} = {_t.Math}.Max({acc}, {Fast}.ShiftMaxAcross({va}));",
                        ReduceOp.Max => $"{acc} = {_t.Math}.Max({acc}, global::DslLosses.Kernels.VectorLanes.MaxAcross({va}));",
                        ReduceOp.Min => $"{acc} = {_t.Math}.Min({acc}, global::DslLosses.Kernels.VectorLanes.MinAcross({va}));",
                        _ => $"{acc} += {V}.Sum({va});",
                    });
                }
            });
            for (int k = 0; k < reduces.Count; k++)
                row.Names[reduces[k]] = accumulators[k];
        }

        if (_plan.LossHasAxis)
        {
            AxisLoop(row, (loop, vector) =>
            {
                if (vector)
                {
                    if (WantsLoss)
                    {
                        string v = VValue(_plan.Loss, loop);
                        if (Totals && _mask is not null)
                            v = $"{V}.ConditionalSelect({_mask}, {v}, {VT}.Zero)";
                        loop.Lines.Add(Totals ? $"total += {V}.Sum({v});" : $"{V}.StoreUnsafe({v}, ref dest, (nuint)e);");
                    }
                    if (WantsGradient)
                        loop.Lines.Add($"{V}.StoreUnsafe({VValue(_plan.Gradient!, loop)} * {Broadcast("scale", row)}, ref grad, (nuint)e);");
                    return;
                }
                if (WantsLoss)
                    Consume(loop, Value(_plan.Loss, loop), "e");
                if (WantsGradient)
                    WriteGradient(loop, "e");
            });
            return;
        }
        if (_rowLanes)
        {
            string v = VValue(_plan.Loss, row);
            row.Lines.Add(Totals ? $"total += {V}.Sum({v});" : $"{V}.StoreUnsafe({v}, ref dest, (nuint)row);");
            return;
        }
        if (WantsLoss)
            Consume(row, Value(_plan.Loss, row), lossIndex);
        if (WantsGradient)
        {
            string upstream = Upstream(row, lossIndex);
            AxisLoop(row, (loop, vector) => loop.Lines.Add(vector
                ? $"{V}.StoreUnsafe({VValue(_plan.Gradient!, loop)} * {Broadcast(upstream, row)}, ref grad, (nuint)e);"
                : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref grad, e) = {_t.Store($"{Number(_plan.Gradient!, loop)} * {upstream}")};"));
        }
    }

    /// <summary>One stage of reductions in a row tile: an accumulator vector per reduction, one lane per row.</summary>
    private void RowLanesReduce(Block row, List<Reduce> reduces)
    {
        var accumulators = new List<string>();
        foreach (Reduce r in reduces)
        {
            string acc = "vr" + (_temps++).ToString(CultureInfo.InvariantCulture);
            string init = r.Op switch
            {
                ReduceOp.Max => $"{V}.Create({_t.Compute}.NegativeInfinity)",
                ReduceOp.Min => $"{V}.Create({_t.Compute}.PositiveInfinity)",
                _ => $"{VT}.Zero",
            };
            row.Lines.Add($"{VT} {acc} = {init};");
            accumulators.Add(acc);
        }
        AxisLoop(row, (loop, _) =>
        {
            for (int k = 0; k < reduces.Count; k++)
            {
                string v = VValue(reduces[k].X, loop), acc = accumulators[k];
                loop.Lines.Add(reduces[k].Op switch
                {
                    ReduceOp.Max when _shifts.Contains(reduces[k]) => $"{acc} = {Fast}.ShiftMax({acc}, {v});",
                    ReduceOp.Max => $"{acc} = {V}.Max({acc}, {v});",
                    ReduceOp.Min => $"{acc} = {V}.Min({acc}, {v});",
                    _ => $"{acc} += {v};",
                });
            }
        });
        for (int k = 0; k < reduces.Count; k++)
            row.Names[new VectorOf(reduces[k])] = accumulators[k];
    }

    /// <summary>The factor every gradient of a loss entry is scaled by: its weight (when weighted) times the reduction's scale.</summary>
    private string Upstream(Block block, string lossIndex)
    {
        if (!_weighted)
            return "scale";
        string u = "u" + (_temps++).ToString(CultureInfo.InvariantCulture);
        block.Lines.Add($"var {u} = {_t.Load($"global::System.Runtime.CompilerServices.Unsafe.Add(ref sw, wm.Index({lossIndex}))")} * scale;");
        return u;
    }

    private void WriteGradient(Block block, string index)
    {
        string upstream = Upstream(block, index);
        block.Lines.Add($"global::System.Runtime.CompilerServices.Unsafe.Add(ref grad, {index}) = {_t.Store($"{Number(_plan.Gradient!, block)} * {upstream}")};");
    }

    /// <summary>
    /// A loop over the loss axis: unrolled when its length is a small literal; with vectors (then a scalar tail) when
    /// this variant is vectorised; a plain loop otherwise.
    /// </summary>
    private void AxisLoop(Block row, Action<Block, bool> body, Action? beforeVector = null, Action? afterVector = null)
    {
        int n = _plan.LiteralAxisLength;
        if (n > 0 && n <= MaxUnroll)
        {
            for (int j = 0; j < n; j++)
            {
                var copy = new Block(row, Level.Elem, j.ToString(CultureInfo.InvariantCulture));
                copy.Lines.Add($"nint e = {ElementIndex(j.ToString(CultureInfo.InvariantCulture))};");
                if (_rowLanes)
                    copy.Lanes("e", "ls", $"{V}.Create({_t.Literal(j)})");
                body(copy, _rowLanes);
                row.AppendChild($"// {(j == 0 ? "loss axis unrolled: " : "")}j = {j}", copy);
            }
            return;
        }
        if (_rowLanes)
        {
            var column = new Block(row, Level.Elem, "j");
            column.Lines.Add($"nint e = {ElementIndex("j")};");
            column.Lanes("e", "ls", $"{V}.Create(({_t.Compute})j)");
            body(column, true);
            row.AppendChild($"for (nint j = 0; j < {_c}; j++)", column);
            return;
        }
        if (_vec is not null)
        {
            string jv = "j" + (_temps++).ToString(CultureInfo.InvariantCulture);
            beforeVector?.Invoke();
            row.Lines.Add($"nint {jv} = 0;");
            var vloop = new Block(row, Level.Elem, jv);
            vloop.Lines.Add($"nint e = e0 + {jv};");
            body(vloop, true);
            row.AppendChild($"for (; {jv} <= {_c} - {Lanes}; {jv} += {Lanes})", vloop);
            // The rest of the row (the variant runs only when the row holds a whole vector): one more vector ending at
            // the row's end, its lanes already done masked out of every sum, max and total. Stores of those lanes
            // rewrite the values they already hold, so they need no mask.
            string jt = "j" + (_temps++).ToString(CultureInfo.InvariantCulture);
            var last = new Block(row, Level.Elem, jt);
            last.Lines.Add($"nint {jt} = {_c} - {Lanes};");
            last.Lines.Add($"nint e = e0 + {jt};");
            _mask = "m" + (_temps++).ToString(CultureInfo.InvariantCulture);
            last.Lines.Add($"var {_mask} = {V}.GreaterThanOrEqual({VT}.Indices, {V}.Create(({_t.Compute})({jv} - {jt})));");
            body(last, true);
            _mask = null;
            row.AppendChild($"if ({jv} < {_c})", last);
            afterVector?.Invoke();
            return;
        }
        var loop = new Block(row, Level.Elem, "j");
        loop.Lines.Add($"nint e = {ElementIndex("j")};");
        body(loop, false);
        row.AppendChild($"for (nint j = 0; j < {_c}; j++)", loop);
    }

    private string ElementIndex(string j)
    {
        if (j == "0")
            return "e0";
        return _innerIsOne ? $"e0 + {j}" : $"e0 + {j} * inner";
    }

    private string ZeroAt(string target, string index) => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {target}, {index}) = {(_t.Widens ? "(" + _t.Type + ")0f" : _t.Literal(0))};";

    private void Consume(Block block, string value, string index)
    {
        string v = value;
        if (_weighted)
            v = $"{value} * {_t.Load($"global::System.Runtime.CompilerServices.Unsafe.Add(ref sw, wm.Index({index}))")}";
        if (Totals)
            block.Lines.Add($"total += {v};");
        else
            block.Lines.Add($"global::System.Runtime.CompilerServices.Unsafe.Add(ref dest, {index}) = {_t.Store(v)};");
    }

    /// <summary>Stage of a row-level barrier: reductions run one loop after everything inside them; gathers right after.</summary>
    private static int StageOf(Expr node, Dictionary<Expr, int> stages)
    {
        if (stages.TryGetValue(node, out int known))
            return known;
        int stage = node switch
        {
            Reduce r => StageOf(r.X, stages) + 1,
            Gather g => StageOf(g.X, stages),
            Unary u => StageOf(u.X, stages),
            Binary b => Math.Max(StageOf(b.Left, stages), StageOf(b.Right, stages)),
            Where w => Math.Max(StageOf(w.Condition, stages), Math.Max(StageOf(w.WhenTrue, stages), StageOf(w.WhenFalse, stages))),
            Clip c => Math.Max(StageOf(c.X, stages), Math.Max(StageOf(c.Lo, stages), StageOf(c.Hi, stages))),
            _ => 0,
        };
        if (node is Reduce or Gather)
            stages[node] = stage;
        return stage;
    }

    // ---- values ---------------------------------------------------------------------------------------------

    private enum Kind
    {
        Number,
        Bool,
        Int,
    }

    private Kind KindOf(Expr node) => node switch
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
        return KindOf(node) == Kind.Int ? "(" + _t.Compute + ")" + code : code;
    }

    /// <summary>Emits <paramref name="node"/> (once per scope) and returns the C# expression that holds it.</summary>
    private string Value(Expr node, Block block)
    {
        if (node is Const constant)
            return _t.Literal(constant.Value);
        if (node is Param { Kind: ParamKind.Scalar or ParamKind.Int } scalar)
            return ParamName(_plan.Formula.Parameters[scalar.Index]);
        if (node is AxisLength)
            return _plan.LiteralAxisLength > 0 ? _t.Literal(_plan.LiteralAxisLength) : "(" + _t.Compute + ")c";
        if (node is Unary { Op: UnaryOp.StopGradient } stop)
            return Value(stop.X, block);

        Level level = Lowerer.LevelOf(node, _plan.Geometry);
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
                string index = _plan.Geometry.RoleOf(p.Index) == TensorRole.Row && _plan.Loops == LoopShape.Rows ? "row" : "e";
                string load = $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {ParamName(_plan.Formula.Parameters[p.Index])}, {index})";
                code = p.Kind == ParamKind.Indices ? load : _t.Load(load);
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
                code = $"global::DslLosses.Kernels.LossMath.Clip({Number(clip.X, block)}, {Number(clip.Lo, block)}, {Number(clip.Hi, block)})";
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

        string temp = "t" + (_temps++).ToString(CultureInfo.InvariantCulture);
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
            // a per-row log inside a vectorised nest (log Σ exp): inlined, where a call into the C library would also
            // make the JIT save and restore every vector register live across the row loop
            UnaryOp.Log when _vec is not null && _t.Compute == "float" => $"global::DslLosses.Kernels.FastMath.Log({x})",
            UnaryOp.Log => $"{m}.Log({x})",
            UnaryOp.Log1p => $"global::DslLosses.Kernels.LossMath.Log1p({x})",
            UnaryOp.Exp => $"{m}.Exp({x})",
            UnaryOp.Abs => $"{m}.Abs({x})",
            UnaryOp.Sqrt => $"{m}.Sqrt({x})",
            UnaryOp.Square => $"{x} * {x}",
            UnaryOp.Sigmoid => $"global::DslLosses.Kernels.LossMath.Sigmoid({x})",
            UnaryOp.Softplus => $"global::DslLosses.Kernels.LossMath.Softplus({x})",
            UnaryOp.IsFinite => $"{_t.Compute}.IsFinite({x})",
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
            return $"global::DslLosses.Kernels.LossMath.SoftplusMinus({Number(softplus.X, block)}, {Number(b.Right, block)})";
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

    /// <summary>A vector key in the value caches (the same node can be held as a scalar and as a vector).</summary>
    private sealed record VectorOf(Expr X) : Expr;

    /// <summary>A scalar expression repeated in every lane, hoisted into <paramref name="block"/>.</summary>
    private string Broadcast(string scalar, Block block)
    {
        string temp = "b" + (_temps++).ToString(CultureInfo.InvariantCulture);
        block.Lines.Add($"var {temp} = {V}.Create({scalar});");
        return temp;
    }

    /// <summary>Emits <paramref name="node"/> as a vector of consecutive elements along the loss axis (or the flat loop).</summary>
    private string VValue(Expr node, Block block)
    {
        if (node is Unary { Op: UnaryOp.StopGradient } stop)
            return VValue(stop.X, block);
        var key = new VectorOf(node);
        Level level = Lowerer.LevelOf(node, _plan.Geometry);
        if (node is Const or AxisLength or Param { Kind: ParamKind.Scalar or ParamKind.Int })
            level = Level.Uniform;
        Block target = block;
        while (target.Level > level && target.Parent is not null)
            target = target.Parent;
        if (target.Find(key) is { } known)
            return known;

        string code;
        if (_rowLanes && level == Level.Row && node is Gather gather)
            return RowLanesGather(gather, target);
        if (level < Level.Elem && !(_rowLanes && level == Level.Row))
        {
            string scalar = Value(node, target);
            code = KindOf(node) switch
            {
                Kind.Bool => $"{scalar} ? {VT}.AllBitsSet : {VT}.Zero",
                Kind.Int => $"{V}.Create(({_t.Compute}){scalar})",
                _ => $"{V}.Create({scalar})",
            };
        }
        else
        {
            code = node switch
            {
                Param p when _rowLanes => RowLanesLoad(p, target),
                Param p => $"{V}.LoadUnsafe(ref {ParamName(_plan.Formula.Parameters[p.Index])}, (nuint)e)",
                Unary u => VUnary(u, block),
                Binary b => VBinary(b, block),
                Where w => $"{V}.ConditionalSelect({VValue(w.Condition, block)}, {VValue(w.WhenTrue, block)}, {VValue(w.WhenFalse, block)})",
                Clip c => VLower(VUpper(VValue(c.X, block), c.Hi, block), c.Lo, block),
                AxisIndexIs a when _rowLanes => $"{V}.Equals({LaneBlock(target).LaneColumn}, {VValue(a.Index, block)})",
                Reduce when _rowLanes => throw new InvalidOperationException("internal: a reduction was used before its stage was emitted"),
                AxisIndexIs a => $"{V}.Equals({V}.Create(({_t.Compute}){target.AxisIndex}) + {VT}.Indices, {VValue(a.Index, block)})",
                _ => throw new InvalidOperationException("internal: no vector emission for " + node.GetType().Name),
            };
        }
        string temp = "v" + (_temps++).ToString(CultureInfo.InvariantCulture);
        target.Lines.Add($"var {temp} = {code};");
        target.Names[key] = temp;
        return temp;
    }

    private string VUnary(Unary u, Block block)
    {
        string x = VValue(u.X, block);
        string one = $"{V}.Create({_t.Literal(1)})";
        // float lanes use the inlined exp/log of FastMath (≤ 1 ulp, tested); double lanes the BCL's
        string math = _t.Compute == "float" ? "global::DslLosses.Kernels.FastMath" : V;
        return u.Op switch
        {
            UnaryOp.Neg => "-" + x,
            UnaryOp.Not => "~" + x,
            // an argument that is provably a positive normal finite number (or NaN): no special values to handle
            UnaryOp.Log when _t.Compute == "float" && _ranges.IsPositiveNormalFinite(u.X) => $"{math}.LogPositive({x})",
            UnaryOp.Log => $"{math}.Log({x})",
            UnaryOp.Exp => $"{math}.Exp({x})",
            UnaryOp.Log1p => $"global::DslLosses.Kernels.VectorLanes.Log1p({x})",
            UnaryOp.Abs => $"{V}.Abs({x})",
            UnaryOp.Sqrt => $"{V}.Sqrt({x})",
            UnaryOp.Square => $"{x} * {x}",
            UnaryOp.Sigmoid => $"{one} / ({one} + {math}.Exp(-{x}))",
            UnaryOp.Softplus => $"{PositivePart(x)} + {SoftplusTail(x)}",
            UnaryOp.IsFinite => $"~({V}.IsNaN({x}) | {V}.IsPositiveInfinity({x}) | {V}.IsNegativeInfinity({x}))",
            _ => throw new InvalidOperationException("internal: vector unary " + u.Op),
        };
    }

    /// <summary><c>log1p(exp(-|x|))</c>: fused on float lanes (FastMath, no special values to handle inside), composed on double lanes.</summary>
    private string SoftplusTail(string x)
        => _t.Compute == "float"
            ? $"global::DslLosses.Kernels.FastMath.Log1pExpNegAbs({x})"
            : $"global::DslLosses.Kernels.VectorLanes.Log1p({V}.Exp(-{V}.Abs({x})))";

    private string VBinary(Binary b, Block block)
    {
        if (b.Op == BinaryOp.Sub && b.Left is Unary { Op: UnaryOp.Softplus } softplus)
        {
            // as in BinaryCode: (max(x, 0) - y) + log1p(exp(-|x|)), TensorFlow's order
            string x = VValue(softplus.X, block), y = VValue(b.Right, block);
            return $"({PositivePart(x)} - {y}) + {SoftplusTail(x)}";
        }
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
            BinaryOp.Max => $"{V}.Max({l}, {r})",
            BinaryOp.Min => $"{V}.Min({l}, {r})",
            BinaryOp.Pow => $"global::DslLosses.Kernels.VectorLanes.Pow({l}, {r})",
            BinaryOp.Lt => $"{V}.LessThan({l}, {r})",
            BinaryOp.Gt => $"{V}.GreaterThan({l}, {r})",
            BinaryOp.Le => $"{V}.LessThanOrEqual({l}, {r})",
            BinaryOp.Ge => $"{V}.GreaterThanOrEqual({l}, {r})",
            BinaryOp.Eq => $"{V}.Equals({l}, {r})",
            BinaryOp.Ne => $"~{V}.Equals({l}, {r})",
            BinaryOp.And => $"{l} & {r}",
            BinaryOp.Or => $"{l} | {r}",
            _ => throw new InvalidOperationException("internal: vector binary " + b.Op),
        };
    }

    /// <summary>A subexpression of constants only whose value (folded in the compute type) is neither a zero nor NaN.</summary>
    private bool NonZeroConstant(Expr node)
    {
        if (!ConstantsOnly(node))
            return false;
        Interval r = _ranges.Of(node);
        return r.IsPoint && r.Lo != 0 && !double.IsNaN(r.Lo);
    }

    private static bool ConstantsOnly(Expr node) => node switch
    {
        Const => true,
        Unary u => ConstantsOnly(u.X),
        Binary b => ConstantsOnly(b.Left) && ConstantsOnly(b.Right),
        _ => false,
    };

    /// <summary>
    /// <c>max(x, lo)</c>: one instruction against a constant bound that is not a zero (NaN in x kept, and no zero whose
    /// sign could differ from <c>Vector.Max</c>'s), IEEE's <c>Vector.Max</c> otherwise.
    /// </summary>
    private string VLower(string x, Expr lo, Block block)
        => NonZeroConstant(lo) ? $"{Fast}.AtLeast({x}, {VValue(lo, block)})" : $"{V}.Max({x}, {VValue(lo, block)})";

    /// <summary><c>min(x, hi)</c>, as <see cref="VLower"/>.</summary>
    private string VUpper(string x, Expr hi, Block block)
        => NonZeroConstant(hi) ? $"{Fast}.AtMost({x}, {VValue(hi, block)})" : $"{V}.Min({x}, {VValue(hi, block)})";

    /// <summary>
    /// <c>max(x, 0)</c> of a softplus, in one instruction: at <c>x = ±0</c> it is added to <c>log1p(e^0) = ln 2</c>, so the
    /// sign of the zero never shows; NaN in x is kept.
    /// </summary>
    private string PositivePart(string x) => $"{Fast}.AtLeast({x}, {VT}.Zero)";

    private static Block LaneBlock(Block block)
    {
        for (Block? b = block; b is not null; b = b.Parent)
        {
            if (b.LaneIndex is not null)
                return b;
        }
        throw new InvalidOperationException("internal: an element of a row tile outside a loop over the loss axis or a gather");
    }

    /// <summary>A tensor in a row tile: per-row values are consecutive; elements are gathered, lane l from row l of the tile.</summary>
    private string RowLanesLoad(Param p, Block target)
    {
        ParamModel param = _plan.Formula.Parameters[p.Index];
        if (_plan.Geometry.RoleOf(p.Index) == TensorRole.Row)
        {
            string load = $"{V}.LoadUnsafe(ref {ParamName(param)}, (nuint)row)";
            return param.Kind == ParamKind.Indices ? $"{V}.ConvertToSingle({load})" : load;
        }
        Block lanes = LaneBlock(target);
        if (_tileColumns.TryGetValue(p.Index, out string? columns))
        {
            return lanes.LaneBase == "e"
                ? $"{V}.LoadUnsafe(ref {columns}, (nuint)({lanes.AxisIndex} * {Lanes}))"
                : $"global::DslLosses.Kernels.VectorLanes.AtLabels(ref {columns}, ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {ParamName(param)}, {lanes.LaneBase}), {lanes.AxisIndex}, {_c})";
        }
        return $"global::DslLosses.Kernels.VectorLanes.Gather(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {ParamName(param)}, {lanes.LaneBase}), {lanes.LaneIndex})";
    }

    /// <summary>
    /// The elements at each row's class index in a row tile. A tile with a label out of range is left to the row-by-row
    /// loop after the tiles, which throws for the right row; nothing of the tile has been written or added by then.
    /// </summary>
    private string RowLanesGather(Gather g, Block row)
    {
        ParamModel index = _plan.Formula.Parameters[((Param)g.Index).Index];
        string id = (_temps++).ToString(CultureInfo.InvariantCulture);
        string labels = "g" + id + "i", offsets = "g" + id + "e", column = "g" + id + "f", value = "g" + id;
        var at = new Block(row, Level.Elem, labels);
        at.Lanes("e0", offsets, column);
        string v = VValue(g.X, at);
        at.Lines.Add($"{value} = {v};");
        row.Lines.Add($"var {labels} = {V}.LoadUnsafe(ref {ParamName(index)}, (nuint)row);");
        row.Lines.Add($"if ({V}.GreaterThanOrEqualAny({V}.AsUInt32({labels}), {V}.Create((uint){_c}))) break;");
        row.Lines.Add($"var {offsets} = ls + {labels};");
        row.Lines.Add($"var {column} = {V}.ConvertToSingle({labels});");
        row.Lines.Add($"{VT} {value};");
        row.AppendChild(null, at);
        row.Names[new VectorOf(g)] = value;
        return value;
    }

    /// <summary>The element at the row's class index: range-checked, then the operand evaluated at that one element.</summary>
    private string GatherCode(Gather g, Block row)
    {
        var param = (Param)g.Index;
        ParamModel index = _plan.Formula.Parameters[param.Index];
        string id = (_temps++).ToString(CultureInfo.InvariantCulture);
        string label = "g" + id + "i", value = "g" + id;
        var at = new Block(row, Level.Elem, label);
        at.Lines.Add($"nint e = {(_innerIsOne ? $"e0 + {label}" : $"e0 + {label} * inner")};");
        string v = Number(g.X, at);
        at.Lines.Add($"{value} = {v};");

        string load = $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {ParamName(index)}, row)";
        row.Lines.Add(param.Kind == ParamKind.Indices ? $"int {label} = {load};" : $"int {label} = (int){load};");
        row.Lines.Add($"if ((uint){label} >= (ulong){_c}) throw global::DslLosses.Kernels.Shapes.IndexOutOfRange({Quote(_plan.Formula.LossName)}, {Quote(index.Name)}, {label}, {_c}, row);");
        row.Lines.Add($"{_t.Compute} {value};");
        row.AppendChild(null, at);
        row.Names[g] = value;
        return value;
    }

    public static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>A scope of generated statements: its level, the values already computed in it, and its lines.</summary>
    private sealed class Block
    {
        public Block(Block? parent, Level level, string? axisIndex)
        {
            Parent = parent;
            Level = level;
            AxisIndex = axisIndex;
        }

        public Block? Parent { get; }

        public Level Level { get; }

        /// <summary>The position along the loss axis in this block (a loop variable, a literal, or a gathered label).</summary>
        public string? AxisIndex { get; }

        public List<string> Lines { get; } = new();

        public Dictionary<Expr, string> Names { get; } = new();

        /// <summary>In a row tile: the base element index, the lane offsets from it, and the position along the loss axis as a vector.</summary>
        public string? LaneBase { get; private set; }

        public string? LaneIndex { get; private set; }

        public string? LaneColumn { get; private set; }

        public void Lanes(string baseIndex, string offsets, string column)
        {
            LaneBase = baseIndex;
            LaneIndex = offsets;
            LaneColumn = column;
        }

        public string? Find(Expr node)
        {
            for (Block? b = this; b is not null; b = b.Parent)
            {
                if (b.Names.TryGetValue(node, out string? name))
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
