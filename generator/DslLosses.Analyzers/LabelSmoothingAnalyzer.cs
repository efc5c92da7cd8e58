using System;
using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DslLosses.Analyzers;

/// <summary>
/// DSL0201: a constant <c>labelSmoothing</c> outside [0, 1] given to a built-in loss (constructor or function form) or to
/// a generated kernel whose formula has a <c>labelSmoothing</c> scalar. DSL0202: a constant <c>delta</c> (> 0),
/// <c>gamma</c> (>= 0) or <c>alpha</c> (in [0, 1]) outside its range given to a built-in loss. Literals, consts and
/// constant expressions count.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LabelSmoothingAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property holding the clamped value ("0" or "1") for the code fix.</summary>
    public const string ClampedProperty = "Clamped";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.LabelSmoothingOutOfRange, Descriptors.OptionOutOfRange);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (DslSymbols.TryCreate(start.Compilation) is not { } symbols)
                return;
            start.RegisterOperationAction(c =>
            {
                switch (c.Operation)
                {
                    case IInvocationOperation invocation:
                        Check(c, symbols, invocation.TargetMethod, invocation.Arguments);
                        break;
                    case IObjectCreationOperation { Constructor: { } constructor } creation:
                        Check(c, symbols, constructor, creation.Arguments);
                        break;
                }
            }, OperationKind.Invocation, OperationKind.ObjectCreation);
        });
    }

    /// <summary>Whether a parameter name means label smoothing.</summary>
    internal static bool IsLabelSmoothing(string name)
        => string.Equals(name, "labelSmoothing", StringComparison.OrdinalIgnoreCase) || name == "label_smoothing";

    private static void Check(OperationAnalysisContext context, DslSymbols symbols, IMethodSymbol method, ImmutableArray<IArgumentOperation> arguments)
    {
        try
        {
            bool builtIn = SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, symbols.RuntimeAssembly);
            string loss = method.MethodKind == MethodKind.Constructor ? "new " + method.ContainingType.Name : method.ContainingType.Name + "." + method.Name;
            IArgumentOperation? argument = null;
            foreach (IArgumentOperation a in arguments)
            {
                if (a.ArgumentKind != ArgumentKind.Explicit || a.Parameter is not { } p)
                    continue;
                if (IsLabelSmoothing(p.Name))
                    argument = a;
                else if (builtIn && RangeOf(p.Name) is { } range && KnownTensors.TryGetNumber(a.Value, out double option) && !range.Holds(option))
                {
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.OptionOutOfRange, a.Value.Syntax.GetLocation(),
                        loss, p.Name, option.ToString("R", CultureInfo.InvariantCulture), range.Text));
                }
            }
            if (argument is null || !KnownTensors.TryGetNumber(argument.Value, out double value) || value is >= 0.0 and <= 1.0)
                return;

            if (!builtIn && symbols.FormulaOf(method.OriginalDefinition) is null)
                return;

            string convention = Convention(method);
            var properties = ImmutableDictionary<string, string?>.Empty.Add(ClampedProperty, value > 1.0 ? "1" : "0");
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.LabelSmoothingOutOfRange, argument.Value.Syntax.GetLocation(), properties,
                loss, value.ToString("R", CultureInfo.InvariantCulture), convention));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
        }
    }

    /// <summary>The valid range of the built-in losses' other options (<c>delta</c>, <c>gamma</c>, <c>alpha</c>), as the constructors check it.</summary>
    private static (Func<double, bool> Holds, string Text)? RangeOf(string parameter) => parameter switch
    {
        "delta" => (v => v > 0.0 && !double.IsInfinity(v), "a finite number greater than 0"),
        "gamma" => (v => v >= 0.0 && !double.IsInfinity(v), "a finite number at least 0"),
        "alpha" => (v => v is >= 0.0 and <= 1.0, "in [0, 1]"),
        _ => null,
    };

    private static string Convention(IMethodSymbol method)
    {
        string name = (method.ContainingType.Name + "." + method.Name).ToLowerInvariant();
        if (name.Contains("binary"))
            return "Keras smooths binary labels as y * (1 - ls) + 0.5 * ls";
        if (name.Contains("categorical"))
            return "Keras smooths one-hot labels as y * (1 - ls) + ls / C";
        return "a smoothing factor mixes the labels with a uniform target";
    }
}
