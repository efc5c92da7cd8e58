using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DslLosses.Analyzers;

/// <summary>
/// DSL0301 and DSL0302: constant predictions that contradict <c>fromLogits</c> — values outside [0, 1] read as
/// probabilities (clipped silently), or values that all look like probabilities read as logits.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LogitsAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property with the <c>fromLogits</c> value the code fix writes ("true" or "false").</summary>
    public const string FromLogitsProperty = "FromLogits";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.ProbabilitiesOutOfRange, Descriptors.ProbabilitiesAsLogits);

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
            if (CallSite.From((IInvocationOperation)context.Operation, symbols, context.CancellationToken) is not { } site ||
                site.Kind == CallKind.Generated || site.Activation is null || site.FromLogits is not bool fromLogits || site.YPred is null)
                return;
            if (KnownTensors.Infer(site.YPred, symbols, context.CancellationToken) is not { Values.IsDefaultOrEmpty: false } pred)
                return;

            var additional = site.FromLogitsOwner is { } owner ? new[] { owner.Syntax.GetLocation() } : Array.Empty<Location>();
            string name = site.YPred.Parameter?.Name ?? "yPred";
            if (!fromLogits)
            {
                int bad = pred.Values.IndexOf(pred.Values.FirstOrDefault(v => v < 0 || v > 1));
                if (bad < 0 || !(pred.Values[bad] < 0 || pred.Values[bad] > 1))
                    return;
                var properties = ImmutableDictionary<string, string?>.Empty.Add(FromLogitsProperty, "true");
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.ProbabilitiesOutOfRange, site.YPred.Syntax.GetLocation(), additional, properties,
                    site.LossName, name, pred.Values[bad].ToString("R", CultureInfo.InvariantCulture)));
            }
            else if (LooksLikeProbabilities(pred, site.Activation))
            {
                var properties = ImmutableDictionary<string, string?>.Empty.Add(FromLogitsProperty, "false");
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.ProbabilitiesAsLogits, site.YPred.Syntax.GetLocation(), additional, properties,
                    site.LossName, name, "a " + site.Activation));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// All values in [0, 1], at least two, at least one strictly between; for a softmax loss every row along the last
    /// axis also sums to 1. Zero or ±1 logits alone are not enough to warn.
    /// </summary>
    private static bool LooksLikeProbabilities(KnownTensor pred, string activation)
    {
        ImmutableArray<double> v = pred.Values;
        if (v.Length < 2 || v.Any(x => !(x >= 0 && x <= 1)) || !v.Any(x => x > 0 && x < 1))
            return false;
        if (activation != "softmax")
            return true;
        if (pred.Rank == 0 || pred.Shape[pred.Rank - 1] < 2)
            return false;
        int c = (int)pred.Shape[pred.Rank - 1];
        for (int row = 0; row + c <= v.Length; row += c)
        {
            double sum = 0;
            for (int j = 0; j < c; j++)
                sum += v[row + j];
            if (Math.Abs(sum - 1) > 1e-3)
                return false;
        }
        return true;
    }
}
