using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DslLosses.Generator.Diagnostics;
using DslLosses.Generator.Ir;
using DslLosses.Generator.Models;
using DslLosses.Generator.Parsing;
using Microsoft.CodeAnalysis;

namespace DslLosses.Generator.Checking;

/// <summary>Where a value lives: the same for every element, once per row (no loss axis), or per element.</summary>
internal enum Level
{
    Uniform,
    Row,
    Elem,
}

/// <summary>
/// Checks a parsed formula: declared shapes agree with each other, every axis is the loss axis and in range, each
/// DSL operation gets operands of the right level, and the loss depends on a tensor. Reports at the offending node.
/// </summary>
internal sealed class FormulaChecker
{
    private readonly string _method;
    private readonly IReadOnlyList<ParamModel> _parameters;
    private readonly IReadOnlyList<Location> _parameterLocations;
    private readonly int _declaredAxis;
    private readonly Location _attributeLocation;
    private readonly SourceMap _map;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly Dictionary<Expr, Level> _levels = new();
    private readonly Dictionary<string, (int Size, int Param)> _bindings = new();
    private readonly EquatableArray<int> _marked;
    private readonly Location _nameLocation;
    private Geometry _geometry = null!;
    private int _axis;
    private bool _axisValid;

    /// <summary>The axes the formula reduces when an axis operation names several (<c>axes:</c>), sorted; else null.</summary>
    private int[]? _lossAxes;

    /// <summary>
    /// Checks <paramref name="parsed"/>, reporting into <paramref name="diagnostics"/>; the model the later stages work
    /// on, or null when the formula has errors.
    /// </summary>
    public static FormulaModel? Check(ParsedFormula parsed, List<DiagnosticInfo> diagnostics)
    {
        var check = new FormulaChecker(parsed.MethodName, parsed.Parameters, parsed.ParameterLocations, parsed.DeclaredAxis, parsed.AttributeLocation,
            parsed.SourceMap, diagnostics, parsed.MarkedDifferentiable, parsed.NameLocation);
        check._markedScalars = parsed.DifferentiableScalars;
        int lossAxis = check.Run(parsed.Body);
        check.CheckUnusedLocals(parsed.Locals, parsed.Body);
        if (DiagnosticInfo.AnyError(diagnostics))
            return null;
        return new FormulaModel(
            parsed.Namespace,
            parsed.ContainingTypes,
            parsed.MethodName,
            parsed.LossName,
            lossAxis,
            parsed.ElementTypes,
            parsed.Reductions,
            parsed.Parameters,
            parsed.Body,
            parsed.SourceLines,
            check.DifferentiableTensors.ToEquatableArray(),
            parsed.Locals)
        {
            DifferentiableScalars = check.DifferentiableScalars.ToEquatableArray(),
            LossAxisCount = check._lossAxes?.Length ?? 1,
        };
    }

    private FormulaChecker(string method, IReadOnlyList<ParamModel> parameters, IReadOnlyList<Location> parameterLocations, int declaredAxis,
        Location attributeLocation, SourceMap map, List<DiagnosticInfo> diagnostics, EquatableArray<int> marked, Location nameLocation)
    {
        _marked = marked;
        _nameLocation = nameLocation;
        _method = method;
        _parameters = parameters;
        _parameterLocations = parameterLocations;
        _declaredAxis = declaredAxis;
        _attributeLocation = attributeLocation;
        _map = map;
        _diagnostics = diagnostics;
    }

    /// <summary>Checks <paramref name="body"/>; returns the loss axis (normalised for fixed ranks, negative for variadic shapes).</summary>
    public int Run(Expr body)
    {
        _geometry = Geometry.Of(_parameters, _declaredAxis);
        ResolveSeveralAxes();
        if (_diagnostics.Count > 0)
            return _axis;
        if (_lossAxes is not null)
            _geometry = Geometry.Of(_parameters, _lossAxes[0], _lossAxes.Length);
        CheckShapes();
        if (_diagnostics.Count > 0)
            return _axis;
        CheckAxis();
        if (_diagnostics.Count > 0)
            return _axis;

        Expr result = body is Masked masked ? masked.Loss : body;
        if (body is Masked m)
        {
            Level keep = LevelOf(m.Keep);
            if (ContainsAxisWork(m.Keep))
                Report(DiagnosticDescriptors.InvalidArgument, m.Keep, $"The keep mask of Masked in '{_method}' must be computed without axis operations (it decides which rows are computed at all)");
            else if (keep > LevelOf(m.Loss))
                Report(DiagnosticDescriptors.InvalidArgument, m.Keep, $"The keep mask of Masked in '{_method}' has a loss axis but the loss has none; mask rows, not elements");
            else if (keep == Level.Elem && (ContainsAxisWork(m.Loss) || _geometry.Roles.Any(r => r == TensorRole.Row)))
                Report(DiagnosticDescriptors.InvalidArgument, m.Keep, $"The keep mask of Masked in '{_method}' varies along the loss axis, but this loss is computed row by row (it uses axis operations or row tensors): mask whole rows with a mask without the loss axis, or zero single elements with Where(keep, loss, 0)");
        }
        Level level = LevelOf(result);
        if (_diagnostics.Count == 0 && (level == Level.Uniform || !DependsOnTensor(result)))
            Report(DiagnosticDescriptors.LossWithoutTensor, body, _method);
        if (_diagnostics.Count == 0)
            ChooseDifferentiable(result, level);
        return _axis;
    }

    /// <summary>
    /// Checks the locals the returned loss does not use (the nodes it uses were checked with it, and each node reports
    /// once): an invalid operation is an error even when its value is dropped.
    /// </summary>
    private void CheckUnusedLocals(EquatableArray<LocalValue> locals, Expr body)
    {
        if (!_axisValid || _geometry is null)
            return;
        foreach (LocalValue local in locals)
        {
            if (!Expr.AreEqual(local.Value, body))
                LevelOf(local.Value);
        }
    }

    private EquatableArray<int> _markedScalars;

    /// <summary>The Scalar parameters marked [Differentiable] whose gradient is generated.</summary>
    public List<int> DifferentiableScalars { get; } = new();

    /// <summary>The tensor parameters the gradient kernels differentiate by, in parameter order; none when no gradient is generated.</summary>
    public List<int> DifferentiableTensors { get; } = new();

    /// <summary>
    /// The marked tensor parameters (any number), else the prediction when the declaration says which it is: the only full-shape TensorExpr, or
    /// of two or more (the target first, by Keras's <c>(y_true, y_pred)</c> order) the only one after the first that
    /// the loss depends on differentiably. With several such candidates (a full-shape weight after the prediction)
    /// nothing is guessed: an error asks for <c>[Differentiable]</c>. A formula the differentiator cannot handle gets
    /// a warning and loss kernels only.
    /// </summary>
    private void ChooseDifferentiable(Expr loss, Level level)
    {
        foreach (int scalar in _markedScalars)
        {
            string? whyNot = level == Level.Elem && ContainsAxisWork(loss)
                ? "the loss keeps the loss axis and also reduces along it (a per-element loss built from row reductions); return a per-row loss to get gradients"
                : !AppearsDifferentiably(loss, scalar) ? $"the loss depends on '{_parameters[scalar].Name}' only through comparisons or masks, if at all, so its gradient is zero" : null;
            if (whyNot is null)
                DifferentiableScalars.Add(scalar);
            else
                ReportAt(DiagnosticDescriptors.NoGradient, _nameLocation, _method, whyNot);
        }
        var chosen = new List<int>(_marked);
        if (chosen.Count == 0)
        {
            var full = Enumerable.Range(0, _parameters.Count).Where(i => _parameters[i].Kind == ParamKind.Tensor && _geometry.RoleOf(i) == TensorRole.Full).ToList();
            var candidates = full.Skip(1).Where(i => AppearsDifferentiably(loss, i)).ToList();
            if (candidates.Count > 1)
            {
                string names = string.Join(", ", candidates.Select(i => "'" + _parameters[i].Name + "'"));
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AmbiguousPrediction, _nameLocation, _method, names) with
                {
                    Properties = new EquatableArray<(string, string)>(new[] { (DiagnosticDescriptors.CandidatesProperty, string.Join(",", candidates.Select(i => _parameters[i].Name))) }),
                });
                return;
            }
            int guess = candidates.Count == 1 ? candidates[0] : full.Count > 0 ? full[full.Count - 1] : -1;
            if (guess >= 0)
                chosen.Add(guess);
        }
        if (chosen.Count == 0)
            return;
        if (level == Level.Elem && ContainsAxisWork(loss))
        {
            ReportAt(DiagnosticDescriptors.NoGradient, _nameLocation, _method,
                "the loss keeps the loss axis and also reduces along it (a per-element loss built from row reductions); return a per-row loss to get gradients");
            return;
        }
        // Every differentiable tensor gets its destination in the one gradient pass; one the differentiator cannot
        // handle gets the warning and no destination, the others keep theirs.
        foreach (int index in chosen)
        {
            string name = _parameters[index].Name;
            string? why = null;
            if (_geometry.RoleOf(index) is not (TensorRole.Full or TensorRole.Class))
                why = $"'{name}' has no loss axis (one value per row); gradients are generated for full-shape tensors and per-class vectors";
            else if (!AppearsDifferentiably(loss, index))
                why = $"the loss depends on '{name}' only through comparisons, masks or indices, so its gradient is zero everywhere";
            if (why is null)
                DifferentiableTensors.Add(index);
            else
                ReportAt(DiagnosticDescriptors.NoGradient, _nameLocation, _method, why);
        }
    }

    /// <summary>Whether <paramref name="parameter"/> reaches the loss through an operation with a derivative.</summary>
    private static bool AppearsDifferentiably(Expr node, int parameter) => ExprTree.Exists(node, n => n is Param p && p.Index == parameter, static n => n switch
    {
        Unary { Op: UnaryOp.Not or UnaryOp.IsFinite or UnaryOp.StopGradient or UnaryOp.Sign } => Array.Empty<Expr>(),
        Unary u => new[] { u.X },
        Binary { Op: BinaryOp.Lt or BinaryOp.Gt or BinaryOp.Le or BinaryOp.Ge or BinaryOp.Eq or BinaryOp.Ne or BinaryOp.And or BinaryOp.Or } => Array.Empty<Expr>(),
        Binary b => new[] { b.Left, b.Right },
        Where w => new[] { w.WhenTrue, w.WhenFalse },
        Clip c => new[] { c.X, c.Lo, c.Hi },
        Reduce r => new[] { r.X },
        AxisMap a => new[] { a.X },
        Gather g => new[] { g.X },
        Masked m => new[] { m.Loss },
        _ => Array.Empty<Expr>(),
    });

    // ---- declarations --------------------------------------------------------------------------------------

    private void CheckShapes()
    {
        var tensors = Enumerable.Range(0, _parameters.Count).Where(i => _parameters[i].IsTensor && _parameters[i].Shape.Count > 0).ToList();
        if (tensors.Count == 0)
            return;

        bool anyVariadic = tensors.Any(i => _parameters[i].IsVariadic);
        if (anyVariadic && !_geometry.Variadic)
        {
            int fixedOne = tensors.First(i => !_parameters[i].IsVariadic);
            int variadicOne = tensors.First(i => _parameters[i].IsVariadic);
            ReportAt(DiagnosticDescriptors.InconsistentDimensions, _parameterLocations[fixedOne],
                _parameters[fixedOne].Name, _parameters[fixedOne].ShapeText, _parameters[variadicOne].Name, _parameters[variadicOne].ShapeText,
                "declare either every tensor with a leading \"...\" or none");
            return;
        }

        if (_geometry.Variadic)
        {
            foreach (int i in tensors.Where(i => _parameters[i].FixedRank > 1))
                ReportAt(DiagnosticDescriptors.InvalidShape, _parameterLocations[i], _parameters[i].Name,
                    "after \"...\" declare at most one dimension, the loss axis (e.g. [Shape(\"...\", \"C\")]); the leading dimensions are matched at run time");
            var full = tensors.Where(i => _geometry.RoleOf(i) == TensorRole.Full && _parameters[i].FixedRank == 1).ToList();
            for (int k = 1; k < full.Count; k++)
                CompareDim(full[0], 1, full[k], 1, "the loss axis");
            return;
        }

        int rank = _geometry.FullRank;
        int firstFull = tensors.First(i => _geometry.RoleOf(i) == TensorRole.Full);
        foreach (int i in tensors.Where(i => _geometry.RoleOf(i) == TensorRole.None))
        {
            ReportAt(DiagnosticDescriptors.RankMismatch, _parameterLocations[i],
                _parameters[i].Name, _parameters[i].ShapeText, _parameters[i].FixedRank.ToString(CultureInfo.InvariantCulture), _method,
                rank.ToString(CultureInfo.InvariantCulture), _parameters[firstFull].ShapeText, (rank - (_lossAxes?.Length ?? 1)).ToString(CultureInfo.InvariantCulture));
        }

        // Every position of the full shape is declared once by the first full tensor; the others must agree.
        foreach (int i in tensors.Where(i => i != firstFull && _geometry.RoleOf(i) == TensorRole.Full))
        {
            for (int d = 0; d < rank; d++)
                CompareDim(firstFull, d, i, d, $"dimension {d}");
        }

    }

    private void CompareDim(int first, int firstDim, int second, int secondDim, string what)
    {
        Dim a = _parameters[first].Shape[firstDim], b = _parameters[second].Shape[secondDim];
        if (a.Equals(b))
            return;
        string why;
        if (a.IsLiteral != b.IsLiteral)
        {
            // A name meets a literal size: the name is that size. The same name bound to two sizes is a contradiction.
            (Dim named, Dim literal) = a.IsLiteral ? (b, a) : (a, b);
            if (!_bindings.TryGetValue(named.Name!, out (int Size, int Param) bound))
            {
                _bindings[named.Name!] = (literal.Size, second);
                return;
            }
            if (bound.Size == literal.Size)
                return;
            why = $"{what}: \"{named.Name}\" is {bound.Size} in '{_parameters[bound.Param].Name}' but {literal.Size} here";
        }
        else
        {
            why = a.IsLiteral
                ? $"{what} cannot be both {a} and {b}"
                : $"{what} must be the same in both; use one name (different names declare different sizes)";
        }
        ReportAt(DiagnosticDescriptors.InconsistentDimensions, _parameterLocations[second],
            _parameters[second].Name, _parameters[second].ShapeText, _parameters[first].Name, _parameters[first].ShapeText, why);
    }

    /// <summary>Where a row-level tensor's dimension sits in the full shape.</summary>
    public static int FullPosition(int rowDim, int axis) => rowDim < axis ? rowDim : rowDim + 1;

    private void CheckAxis()
    {
        _axis = _declaredAxis;
        _axisValid = true;
        if (_geometry.Variadic)
        {
            if (_declaredAxis >= 0)
            {
                _axisValid = false;
                ReportAt(DiagnosticDescriptors.AxisOutOfRange, _attributeLocation, _declaredAxis.ToString(CultureInfo.InvariantCulture),
                    $"'{_method}', whose shapes start with \"...\" (any rank): count the axis from the end, e.g. Axis = -1");
            }
            return;
        }
        int rank = _geometry.FullRank;
        if (rank == 0)
            return;
        if (_declaredAxis < -rank || _declaredAxis >= rank)
        {
            _axisValid = false;
            ReportAt(DiagnosticDescriptors.AxisOutOfRange, _attributeLocation, _declaredAxis.ToString(CultureInfo.InvariantCulture),
                $"'{_method}', whose tensors have rank {rank} (valid axes: {-rank} to {rank - 1})");
            return;
        }
        _axis = _lossAxes is not null ? _lossAxes[0] : _declaredAxis < 0 ? _declaredAxis + rank : _declaredAxis;

        // Row-level tensors drop the loss axis: their dimensions must match the full shape without it.
        var tensors = Enumerable.Range(0, _parameters.Count).Where(i => _parameters[i].IsTensor).ToList();
        int firstFull = tensors.FirstOrDefault(i => _geometry.RoleOf(i) == TensorRole.Full);
        foreach (int i in tensors.Where(i => _geometry.RoleOf(i) == TensorRole.Row))
        {
            if (_lossAxes is { Length: > 1 } && _parameters[i].Shape.Count == 1 && _parameters[i].Shape[0].Equals(_parameters[firstFull].Shape[rank - 1])
                && !_parameters[i].Shape[0].Equals(_parameters[firstFull].Shape[0]))
            {
                ReportAt(DiagnosticDescriptors.SeveralAxes, _parameterLocations[i], $"'{_parameters[i].Name}' declared {_parameters[i].ShapeText}", _method,
                    $"it looks like one value per class, which a formula reducing several axes ({Format(_lossAxes)}) does not take; " +
                    $"declare it with the full shape {_parameters[firstFull].ShapeText} (tiled), or one value per sample ({_parameters[firstFull].Shape[0]})");
                continue;
            }
            if (rank == 2 && !_parameters[i].Shape[0].Equals(_parameters[firstFull].Shape[1 - _axis]) && !_parameters[i].Shape[0].IsLiteral && !_parameters[firstFull].Shape[1 - _axis].IsLiteral)
            {
                // a vector beside a matrix: one value per row, or one per class along the loss axis; it is neither
                ReportAt(DiagnosticDescriptors.InconsistentDimensions, _parameterLocations[i],
                    _parameters[i].Name, _parameters[i].ShapeText, _parameters[firstFull].Name, _parameters[firstFull].ShapeText,
                    $"a one-dimensional tensor beside it holds one value per row, declared ({_parameters[firstFull].Shape[1 - _axis]}), " +
                    $"or one value per class along the loss axis {_axis}, declared ({_parameters[firstFull].Shape[_axis]}); use one of those names");
                continue;
            }
            for (int d = 0; d < _parameters[i].Shape.Count; d++)
                CompareDim(firstFull, FullPosition(d, _axis), i, d, $"dimension {FullPosition(d, _axis)} of the full shape (dimension {d} without the loss axis {_axis})");
        }
    }

    // ---- expressions ---------------------------------------------------------------------------------------

    /// <summary>
    /// The axes of the operations written with <c>axes:</c>: each list must name the trailing axes of the full shape
    /// (contiguous, ending with the last, without the batch axis), and all must name the same ones; they become the
    /// formula's loss axes, flattened into one in the kernels. Reports at the operation.
    /// </summary>
    private void ResolveSeveralAxes()
    {
        foreach (var entry in _map.AllAxes)
        {
            Expr node = entry.Key;
            WrittenAxes written = entry.Value;
            string operation = OperationName(node) + "(..., axes: " + written + ")";
            if (_geometry.Variadic)
            {
                Report(DiagnosticDescriptors.SeveralAxes, node, operation, _method,
                    "a formula whose shapes start with \"...\" has one loss axis; declare fixed-rank shapes (e.g. [Shape(\"B\", \"H\", \"W\", \"C\")]) to reduce several axes");
                continue;
            }
            int rank = _geometry.FullRank;
            int[] axes = written.Resolve(rank);
            string? why = WhyNotTrailing(written, axes, rank);
            if (why is not null)
            {
                Report(DiagnosticDescriptors.SeveralAxes, node, operation, _method, why);
                continue;
            }
            Array.Sort(axes);
            if (_lossAxes is null)
                _lossAxes = axes;
            else if (!_lossAxes.SequenceEqual(axes))
                Report(DiagnosticDescriptors.SeveralAxes, node, operation, _method,
                    $"another axis operation of the formula reduces axes {Format(_lossAxes)}; every axis operation of a formula reduces the same axes (they are flattened into one loss axis)");
        }
        if (_lossAxes is null || _diagnostics.Count > 0)
            return;
        int declared = _declaredAxis < 0 ? _declaredAxis + _geometry.FullRank : _declaredAxis;
        if (Array.IndexOf(_lossAxes, declared) < 0)
        {
            ReportAt(DiagnosticDescriptors.SeveralAxes, _attributeLocation, "[Loss(Axis = " + _declaredAxis.ToString(CultureInfo.InvariantCulture) + ")]", _method,
                $"the formula reduces axes {Format(_lossAxes)}, which do not include it; leave Axis at its default (-1) or name one of them");
        }
    }

    /// <summary>Why resolved <paramref name="axes"/> are not the trailing, contiguous, non-batch axes of a rank-<paramref name="rank"/> shape; null when they are.</summary>
    private static string? WhyNotTrailing(WrittenAxes written, int[] axes, int rank)
    {
        if (axes.Length == 0)
            return $"the tensors have rank {rank}: there is no axis besides the batch axis to reduce";
        for (int i = 0; i < axes.Length; i++)
        {
            if (axes[i] < 0 || axes[i] >= rank)
                return $"axis {written.Axes[i]} is out of range for rank {rank} (valid axes: {-rank} to {rank - 1})";
            if (Array.IndexOf(axes, axes[i]) != i)
                return $"axis {axes[i]} is listed twice";
        }
        if (Array.IndexOf(axes, 0) >= 0)
            return "axis 0 is the batch axis, which the generated methods reduce (Reduction.Sum, SumOverBatchSize, MeanWithSampleWeight with sampleWeight); leave it out";
        int first = rank - axes.Length;
        string trailing = "[" + string.Join(", ", Enumerable.Range(first, axes.Length)) + "]";
        if (Array.IndexOf(axes, rank - 1) < 0)
            return $"the last axis ({rank - 1}) is not among them; the reduced axes must be the trailing axes of the shape, e.g. {trailing}";
        // distinct, in range and holding the last axis: contiguous exactly when the smallest is rank - count
        int lowest = axes.Min();
        if (lowest == first)
            return null;
        int gap = Enumerable.Range(lowest, rank - lowest).First(a => Array.IndexOf(axes, a) < 0);
        return $"they leave out axis {gap} between them; the reduced axes must be contiguous and end with the last axis, e.g. {trailing}";
    }

    private static string Format(int[] axes) => "[" + string.Join(", ", axes) + "]";

    private static string OperationName(Expr node) => node switch
    {
        Reduce r => r.Op.ToString(),
        AxisMap a => a.Op.ToString(),
        Gather => "Gather",
        AxisLength => "Dim",
        _ => node.GetType().Name,
    };

    private bool AxisMatches(int written, Expr node, string operation)
    {
        if (!_axisValid)
            return false;
        if (_lossAxes is not null)
        {
            // several axes: the operations written with axes: were checked by ResolveSeveralAxes
            if (_map.AxesOf(node) is not null)
                return true;
            int rank = _geometry.FullRank;
            int one = written < 0 ? written + rank : written;
            if (_lossAxes.Length == 1 && one == _lossAxes[0])
                return true;
            Report(DiagnosticDescriptors.SeveralAxes, node, operation + "(..., axis: " + written.ToString(CultureInfo.InvariantCulture) + ")", _method,
                node is Gather or AxisLength
                    ? $"it works along one axis, but the formula reduces axes {Format(_lossAxes)} (flattened into one loss axis); Gather and Dim need a formula with one loss axis"
                    : $"it works along one axis, but another axis operation of the formula reduces axes {Format(_lossAxes)}; every axis operation of a formula reduces the same axes: write axes: {Format(_lossAxes)} here too");
            return false;
        }
        if (!_geometry.HasLossAxis)
        {
            Report(DiagnosticDescriptors.InvalidArgument, node,
                $"{operation} needs a loss axis, but every tensor of '{_method}' is declared [Shape(\"...\")]; declare the class axis, e.g. [Shape(\"...\", \"C\")]");
            return false;
        }
        bool same;
        if (_geometry.Variadic)
        {
            same = written == _declaredAxis;
            if (!same && written >= 0)
            {
                Report(DiagnosticDescriptors.AxisOutOfRange, node, written.ToString(CultureInfo.InvariantCulture),
                    $"'{_method}', whose shapes start with \"...\" (any rank): count the axis from the end, e.g. axis: -1");
                return false;
            }
        }
        else
        {
            int rank = _geometry.FullRank;
            if (written < -rank || written >= rank)
            {
                Report(DiagnosticDescriptors.AxisOutOfRange, node, written.ToString(CultureInfo.InvariantCulture),
                    $"'{_method}', whose tensors have rank {rank} (valid axes: {-rank} to {rank - 1})");
                return false;
            }
            same = (written < 0 ? written + rank : written) == _axis;
        }
        if (!same)
        {
            Report(DiagnosticDescriptors.WrongAxis, node, operation, written.ToString(CultureInfo.InvariantCulture), _method,
                _declaredAxis.ToString(CultureInfo.InvariantCulture));
        }
        return same;
    }

    private Level LevelOf(Expr node)
    {
        if (_levels.TryGetValue(node, out Level cached))
            return cached;
        Level level = Compute(node);
        _levels[node] = level;
        return level;
    }

    private Level Compute(Expr node)
    {
        switch (node)
        {
            case Const or AxisLength:
                if (node is AxisLength length)
                    AxisMatches(length.Axis, node, "Dim");
                return Level.Uniform;
            case Param p:
                return _geometry.RoleOf(p.Index) switch
                {
                    TensorRole.Full or TensorRole.Class => Level.Elem,
                    TensorRole.Row => Level.Row,
                    _ => Level.Uniform,
                };
            case Unary u:
                return LevelOf(u.X);
            case Binary b:
                return Max(LevelOf(b.Left), LevelOf(b.Right));
            case Where w:
                return Max(LevelOf(w.Condition), Max(LevelOf(w.WhenTrue), LevelOf(w.WhenFalse)));
            case Clip c:
                return Max(LevelOf(c.X), Max(LevelOf(c.Lo), LevelOf(c.Hi)));
            case Reduce r:
            {
                Level x = LevelOf(r.X);
                // one report per node: an operation along the wrong axis is not also told its argument lacks the loss axis
                if (AxisMatches(r.Axis, node, r.Op.ToString()) && x != Level.Elem)
                    Report(DiagnosticDescriptors.InvalidArgument, node, $"{r.Op} reduces along the loss axis, but its argument has no loss axis (it is {Describe(x)}); reduce a value computed from a full-shape tensor");
                return Level.Row;
            }
            case AxisMap a:
            {
                Level x = LevelOf(a.X);
                if (AxisMatches(a.Axis, node, a.Op.ToString()) && x != Level.Elem)
                    Report(DiagnosticDescriptors.InvalidArgument, node, $"{a.Op} normalises along the loss axis, but its argument has no loss axis (it is {Describe(x)})");
                return Level.Elem;
            }
            case Gather g:
            {
                Level x = LevelOf(g.X);
                bool axisMatches = AxisMatches(g.Axis, node, "Gather");
                if (g.Index is not Param { Kind: ParamKind.Indices } index || _geometry.RoleOf(index.Index) != TensorRole.Row)
                    Report(DiagnosticDescriptors.InvalidArgument, g.Index, "The index of Gather must be an Indices parameter declared with the full shape minus the loss axis (one class index per row), e.g. [Shape(\"B\")] against [Shape(\"B\", \"C\")]");
                if (axisMatches && x != Level.Elem)
                    Report(DiagnosticDescriptors.InvalidArgument, node, $"Gather picks one element along the loss axis, but its argument has no loss axis (it is {Describe(x)})");
                return Level.Row;
            }
            case Masked:
                Report(DiagnosticDescriptors.InvalidArgument, node, $"Masked must be the value the formula returns (return Masked(loss, keep);), not part of an expression");
                return Level.Row;
            default:
                Report(DiagnosticDescriptors.UnsupportedConstruct, node, node.GetType().Name, "not supported by the checker");
                return Level.Uniform;
        }
    }

    private static string Describe(Level level) => level == Level.Uniform ? "a scalar" : "one value per row";

    private static Level Max(Level a, Level b) => a > b ? a : b;

    private bool DependsOnTensor(Expr node) => ExprTree.Exists(node, n => n is Gather || (n is Param p && _parameters[p.Index].IsTensor), static n => n switch
    {
        Masked m => new[] { m.Loss },
        Unary or Binary or Where or Clip or Reduce or AxisMap => ExprTree.Children(n),
        _ => Array.Empty<Expr>(),
    });

    private static bool ContainsAxisWork(Expr node) => ExprTree.Exists(node, static n => n is Reduce or AxisMap or Gather, ExprTree.ElementwiseChildren);

    private void Report(DiagnosticDescriptor descriptor, Expr node, params string[] arguments)
        => ReportAt(descriptor, _map[node] ?? _attributeLocation, arguments);

    private void ReportAt(DiagnosticDescriptor descriptor, Location location, params string[] arguments)
        => _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
}
