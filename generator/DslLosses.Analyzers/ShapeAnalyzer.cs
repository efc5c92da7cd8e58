using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DslLosses.Analyzers;

/// <summary>
/// DSL0106 and DSL0107: arguments of shapes known at compile time passed to a generated kernel or a built-in loss
/// (class methods, <c>Losses.*</c>, <c>Nn.*</c>, the TorchSharp bridge's <c>Call</c> and the TorchSharp overloads of
/// generated kernels) that the call would refuse at run time, and constant axes out of range.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ShapeAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.ArgumentShapeMismatch, Descriptors.AxisOutOfRange);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (DslSymbols.TryCreate(start.Compilation) is not { } symbols)
                return;
            start.RegisterOperationAction(c => Analyze(c, symbols), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, DslSymbols symbols)
    {
        try
        {
            if (CallSite.From((IInvocationOperation)context.Operation, symbols, context.CancellationToken) is not { } site)
                return;
            var checker = new Checker(site, symbols, context);
            if (site.Kind == CallKind.Generated)
                checker.Generated();
            else
                checker.BuiltIn();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // an analyzer never fails the build: unknown is silent
        }
    }

    private sealed class Checker
    {
        private readonly CallSite _site;
        private readonly DslSymbols _symbols;
        private readonly OperationAnalysisContext _context;
        private readonly HashSet<IOperation> _reported = new();

        public Checker(CallSite site, DslSymbols symbols, OperationAnalysisContext context)
        {
            _site = site;
            _symbols = symbols;
            _context = context;
        }

        private KnownTensor? Known(IArgumentOperation? argument)
            => argument is null ? null : KnownTensors.Infer(argument, _symbols, _context.CancellationToken);

        private void Mismatch(IArgumentOperation at, string detail)
        {
            if (_reported.Add(at))
                _context.ReportDiagnostic(Diagnostic.Create(Descriptors.ArgumentShapeMismatch, at.Syntax.GetLocation(), _site.LossName, detail));
        }

        private static string Name(IArgumentOperation argument)
        {
            string parameter = argument.Parameter?.Name ?? "argument";
            string text = argument.Value.Syntax.ToString();
            if (text.Length > 40 || text.IndexOf('\n') >= 0)
                return "'" + parameter + "'";
            return text == parameter ? "'" + parameter + "'" : "'" + parameter + "' (" + text + ")";
        }

        private static string S(ImmutableArray<long> shape) => KnownTensors.Format(shape);

        private static string Pair(IArgumentOperation a, KnownTensor ta, IArgumentOperation b, KnownTensor tb)
            => $"{Name(a)} has shape {S(ta.Shape)} but {Name(b)} has shape {S(tb.Shape)}";

        // ---- built-in losses -----------------------------------------------------------------------------

        public void BuiltIn()
        {
            KnownTensor? yTrue = Known(_site.YTrue);
            KnownTensor? yPred = Known(_site.YPred);
            if (yTrue is null && yPred is null)
                return;

            if (_site.Kind == CallKind.Sparse)
            {
                Sparse(yTrue, yPred);
                return;
            }

            if (yTrue is not null && yPred is not null && !ShapeRules.SameShape(yTrue.Shape, yPred.Shape))
            {
                Mismatch(_site.YPred!, Pair(_site.YTrue!, yTrue, _site.YPred!, yPred) + "; the shapes must be equal" + SqueezeHint(yTrue.Shape, yPred.Shape));
                return;
            }

            KnownTensor full = yPred ?? yTrue!;
            ImmutableArray<long> loss = full.Shape;
            if (_site.Kind == CallKind.SameShapeReduced)
            {
                if (_site.Axis is not int axis || full.Rank == 0)
                    return;
                int a = ShapeRules.Normalize(axis, full.Rank);
                if (a < 0)
                {
                    AxisOutOfRange(axis, _site.YPred ?? _site.YTrue!, full.Rank);
                    return;
                }
                loss = ShapeRules.Without(full.Shape, a);
            }
            Weights(loss, _site.YPred ?? _site.YTrue!, full);
            Outputs(loss, full);
        }

        private static string SqueezeHint(ImmutableArray<long> a, ImmutableArray<long> b)
        {
            (ImmutableArray<long> small, ImmutableArray<long> big) = a.Length < b.Length ? (a, b) : (b, a);
            if (big.Length == small.Length + 1 && big[big.Length - 1] == 1 && small.SequenceEqual(big.Take(small.Length)))
                return $" (tf_keras squeezes the trailing 1 of tensors but broadcasts arrays to [{small[0]}, {small[0]}], Keras's classic silent bug; give both the shape {S(big)} or {S(small)})";
            return "";
        }

        private void Sparse(KnownTensor? labels, KnownTensor? pred)
        {
            if (pred is null || pred.Rank == 0 || _site.Axis is not int axis)
                return;
            int a = ShapeRules.Normalize(axis, pred.Rank);
            if (a < 0)
            {
                AxisOutOfRange(axis, _site.YPred!, pred.Rank);
                return;
            }
            ImmutableArray<long> loss = ShapeRules.Without(pred.Shape, a);
            if (labels is not null)
            {
                bool trailingOne = a == pred.Rank - 1 && labels.Rank == pred.Rank && labels.Shape[labels.Rank - 1] == 1 &&
                                   labels.Shape.Take(loss.Length).SequenceEqual(loss);
                if (!ShapeRules.SameShape(labels.Shape, loss) && !trailingOne)
                {
                    string hint = ShapeRules.SameShape(labels.Shape, pred.Shape) && pred.Shape[a] != 1
                        ? "; these look like one-hot labels: use CategoricalCrossentropy for them"
                        : "";
                    Mismatch(_site.YTrue!, Pair(_site.YPred!, pred, _site.YTrue!, labels) +
                        $"; sparse labels must have the shape of the predictions without the class axis, {S(loss)}" +
                        (a == pred.Rank - 1 ? $" (or {S(loss.Add(1))})" : "") + hint);
                    return;
                }
            }
            Weights(loss, _site.YPred!, pred);
            Outputs(loss, pred);
        }

        private void AxisOutOfRange(int axis, IArgumentOperation tensor, int rank)
        {
            IOperation at = _site.AxisSource ?? tensor;
            _context.ReportDiagnostic(Diagnostic.Create(Descriptors.AxisOutOfRange, at.Syntax.GetLocation(),
                _site.LossName, axis, tensor.Parameter?.Name ?? "yPred", rank, rank - 1));
        }

        private void Weights(ImmutableArray<long> loss, IArgumentOperation input, KnownTensor full)
        {
            if (Known(_site.SampleWeight) is not { } w || ShapeRules.WeightsFit(w.Shape, loss))
                return;
            Mismatch(_site.SampleWeight!, $"{Name(_site.SampleWeight!)} has shape {S(w.Shape)} but {Name(input)} has shape {S(full.Shape)}: " +
                $"the weights do not broadcast against the per-sample losses {S(loss)} (use {WeightChoices(loss)})");
        }

        /// <summary>The weight shapes that fit, each once: a scalar, [B], [B, 1] and the loss shape (which may be [B] itself).</summary>
        private static string WeightChoices(ImmutableArray<long> loss)
        {
            var choices = new List<string> { "a scalar" };
            if (loss.Length > 0)
                choices.AddRange(new[] { $"[{loss[0]}]", $"[{loss[0]}, 1]" });
            if (loss.Length > 0 && !choices.Contains(S(loss)))
                choices.Add(S(loss));
            return string.Join(", ", choices.Take(choices.Count - 1)) + " or " + choices[choices.Count - 1];
        }

        private void Outputs(ImmutableArray<long> loss, KnownTensor full)
        {
            if (Known(_site.Destination) is { } d && d.Count != ShapeRules.Product(loss))
                Mismatch(_site.Destination!, $"{Name(_site.Destination!)} has shape {S(d.Shape)} but the per-sample losses have shape {S(loss)} ({ShapeRules.Product(loss)} elements)");
            if (Known(_site.Gradient) is { } g && g.Count != full.Count)
                Mismatch(_site.Gradient!, $"{Name(_site.Gradient!)} has shape {S(g.Shape)} but the gradient has the shape of yPred, {S(full.Shape)}");
        }

        // ---- generated kernels ---------------------------------------------------------------------------

        private sealed class Entry
        {
            public Entry(IParameterSymbol parameter, ImmutableArray<Dim> declared, IArgumentOperation argument, KnownTensor tensor)
            {
                Parameter = parameter;
                Declared = declared;
                Argument = argument;
                Tensor = tensor;
            }

            public IParameterSymbol Parameter { get; }
            public ImmutableArray<Dim> Declared { get; }
            public IArgumentOperation Argument { get; }
            public KnownTensor Tensor { get; }
        }

        public void Generated()
        {
            IMethodSymbol formula = _site.Formula!;
            var entries = new List<Entry>();
            foreach (IParameterSymbol parameter in formula.Parameters)
            {
                ImmutableArray<Dim> declared = _symbols.DeclaredShape(parameter);
                if (declared.IsDefaultOrEmpty || declared.Skip(1).Any(d => d.IsEllipsis))
                    continue;
                IArgumentOperation? argument = _site.Arguments.FirstOrDefault(a => a.Parameter?.Name == parameter.Name);
                if (argument is null || Known(argument) is not { } tensor)
                    continue;
                entries.Add(new Entry(parameter, declared, argument, tensor));
            }
            if (entries.Count == 0)
                return;
            if (entries.Any(e => e.Declared[0].IsEllipsis))
                Ellipsis(formula, entries);
            else
                Fixed(formula, entries);
        }

        private void Fixed(IMethodSymbol formula, List<Entry> entries)
        {
            var bound = new Dictionary<string, (long Size, Entry Owner)>(StringComparer.Ordinal);
            var good = new List<Entry>();
            foreach (Entry e in entries)
            {
                if (e.Tensor.Rank != e.Declared.Length)
                {
                    Mismatch(e.Argument, $"{Name(e.Argument)} has shape {S(e.Tensor.Shape)} (rank {e.Tensor.Rank}) but is declared {ShapeRules.Format(e.Declared)} (rank {e.Declared.Length})");
                    continue;
                }
                bool ok = true;
                for (int i = 0; i < e.Declared.Length && ok; i++)
                {
                    Dim d = e.Declared[i];
                    long size = e.Tensor.Shape[i];
                    if (d.Name is null)
                    {
                        if (d.Size != size)
                        {
                            Mismatch(e.Argument, $"{Name(e.Argument)} has shape {S(e.Tensor.Shape)} but is declared {ShapeRules.Format(e.Declared)}: dimension {i} must be {d.Size}");
                            ok = false;
                        }
                    }
                    else if (bound.TryGetValue(d.Name, out var b))
                    {
                        if (b.Size != size)
                        {
                            Mismatch(e.Argument, Pair(b.Owner.Argument, b.Owner.Tensor, e.Argument, e.Tensor) +
                                $"; both declare dimension {d.Name} ({ShapeRules.Format(b.Owner.Declared)} and {ShapeRules.Format(e.Declared)}), which must have one size");
                            ok = false;
                        }
                    }
                    else
                    {
                        bound[d.Name] = (size, e);
                    }
                }
                if (ok)
                    good.Add(e);
            }
            if (good.Count != entries.Count)
                return;

            // the full shape: the longest declaration, with every name bound
            ImmutableArray<Dim> longest = entries.Select(e => e.Declared).OrderByDescending(d => d.Length).First();
            foreach (IParameterSymbol p in formula.Parameters)
            {
                ImmutableArray<Dim> declared = _symbols.DeclaredShape(p);
                if (!declared.IsDefault && declared.Length > longest.Length)
                    longest = declared;
            }
            var full = ImmutableArray.CreateBuilder<long>(longest.Length);
            foreach (Dim d in longest)
            {
                if (d.IsEllipsis)
                    return;
                if (d.Name is null)
                    full.Add(d.Size);
                else if (bound.TryGetValue(d.Name, out var b))
                    full.Add(b.Size);
                else
                    return;
            }
            int axis = ShapeRules.Normalize(_symbols.LossAxis(formula), full.Count);
            if (axis < 0)
                return;
            int count = 1;
            if (DslSymbols.FirstReducedAxis(formula, full.Count, _context.CancellationToken) is int first)
            {
                // several trailing axes reduced (checked by DSL0108): the per-sample losses keep the axes before them
                if (first <= 0 || first >= full.Count)
                    return;
                (axis, count) = (first, full.Count - first);
            }
            GeneratedOutputs(full.ToImmutable(), axis, entries[entries.Count - 1], count);
        }

        private void Ellipsis(IMethodSymbol formula, List<Entry> entries)
        {
            if (entries.Any(e => !e.Declared[0].IsEllipsis))
                return;
            int trailing = formula.Parameters.Select(p => _symbols.DeclaredShape(p)).Where(d => !d.IsDefaultOrEmpty).Max(d => d.Length - 1);
            if (trailing > 1)
                return;

            if (trailing == 0)
            {
                // elementwise over any shape: every tensor has one shape
                Entry first = entries[0];
                foreach (Entry e in entries.Skip(1))
                {
                    if (!ShapeRules.SameShape(first.Tensor.Shape, e.Tensor.Shape))
                    {
                        Mismatch(e.Argument, Pair(first.Argument, first.Tensor, e.Argument, e.Tensor) + "; the shapes must be equal");
                        return;
                    }
                }
                GeneratedOutputs(first.Tensor.Shape, -1, first);
                return;
            }

            List<Entry> fulls = entries.Where(e => e.Declared.Length == 2).ToList();
            if (fulls.Count == 0 || _site.Axis is not int axis)
                return;
            Entry f0 = fulls[0];
            if (f0.Tensor.Rank == 0)
                return;
            int a = ShapeRules.Normalize(axis, f0.Tensor.Rank);
            if (a < 0)
            {
                AxisOutOfRange(axis, f0.Argument, f0.Tensor.Rank);
                return;
            }
            foreach (Entry e in fulls.Skip(1))
            {
                bool sameName = e.Declared[1].ToString() == f0.Declared[1].ToString();
                bool fits = sameName
                    ? ShapeRules.SameShape(f0.Tensor.Shape, e.Tensor.Shape)
                    : e.Tensor.Rank == f0.Tensor.Rank && ShapeRules.SameShape(ShapeRules.Without(e.Tensor.Shape, a), ShapeRules.Without(f0.Tensor.Shape, a));
                if (!fits)
                {
                    Mismatch(e.Argument, Pair(f0.Argument, f0.Tensor, e.Argument, e.Tensor) +
                        $"; they are declared {ShapeRules.Format(f0.Declared)} and {ShapeRules.Format(e.Declared)}, so " +
                        (sameName ? "the shapes must be equal" + SqueezeHint(f0.Tensor.Shape, e.Tensor.Shape) : "they must agree outside the loss axis"));
                    return;
                }
            }
            ImmutableArray<long> reduced = ShapeRules.Without(f0.Tensor.Shape, a);
            foreach (Entry e in entries.Where(e => e.Declared.Length == 1))
            {
                if (!ShapeRules.SameShape(e.Tensor.Shape, reduced))
                {
                    Mismatch(e.Argument, Pair(f0.Argument, f0.Tensor, e.Argument, e.Tensor) +
                        $"; {e.Parameter.Name} is declared {ShapeRules.Format(e.Declared)}, the shape of {f0.Parameter.Name} without the loss axis {a}: {S(reduced)}");
                    return;
                }
            }
            GeneratedOutputs(f0.Tensor.Shape, a, f0);
        }

        /// <summary>
        /// Weights and destinations of a generated kernel. Whether its per-sample loss keeps the loss axis depends on the
        /// formula body, so a shape is refused only when it fits neither the full shape nor the shape without the axis.
        /// </summary>
        private void GeneratedOutputs(ImmutableArray<long> full, int axis, Entry reference, int count = 1)
        {
            ImmutableArray<long> reduced = axis < 0 ? full : count == 1 ? ShapeRules.Without(full, axis) : full.RemoveRange(axis, count);
            if (Known(_site.SampleWeight) is { } w && !ShapeRules.WeightsFit(w.Shape, full) && !ShapeRules.WeightsFit(w.Shape, reduced))
            {
                Mismatch(_site.SampleWeight!, $"{Name(_site.SampleWeight!)} has shape {S(w.Shape)} but {Name(reference.Argument)} has shape {S(reference.Tensor.Shape)}: " +
                    $"the weights do not broadcast against the per-sample losses {S(reduced)} (use {WeightChoices(reduced)})");
            }
            if (Known(_site.Destination) is { } d && d.Count != ShapeRules.Product(full) && d.Count != ShapeRules.Product(reduced))
            {
                Mismatch(_site.Destination!, $"{Name(_site.Destination!)} has shape {S(d.Shape)} but the per-sample losses have shape {S(reduced)} ({ShapeRules.Product(reduced)} elements)");
            }
        }
    }
}
