using System;
using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DslLosses.Analyzers;

/// <summary>
/// DSL0201: a constant <c>labelSmoothing</c> outside [0, 1] given to a built-in loss (constructor or function form) or to
/// a generated kernel whose formula has a <c>labelSmoothing</c> scalar. Literals, consts and constant expressions count.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LabelSmoothingAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property holding the clamped value ("0" or "1") for the code fix.</summary>
    public const string ClampedProperty = "Clamped";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.LabelSmoothingOutOfRange);

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
            IArgumentOperation? argument = null;
            foreach (IArgumentOperation a in arguments)
            {
                if (a.ArgumentKind == ArgumentKind.Explicit && a.Parameter is { } p && IsLabelSmoothing(p.Name))
                    argument = a;
            }
            if (argument is null || !KnownTensors.TryGetNumber(argument.Value, out double value) || value is >= 0.0 and <= 1.0)
                return;

            bool builtIn = SymbolEqualityComparer.Default.Equals(method.ContainingAssembly, symbols.RuntimeAssembly);
            if (!builtIn && symbols.FormulaOf(method.OriginalDefinition) is null)
                return;

            string loss = method.MethodKind == MethodKind.Constructor ? "new " + method.ContainingType.Name : method.ContainingType.Name + "." + method.Name;
            string convention = Convention(method);
            var properties = ImmutableDictionary<string, string?>.Empty.Add(ClampedProperty, value > 1.0 ? "1" : "0");
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.LabelSmoothingOutOfRange, argument.Value.Syntax.GetLocation(), properties,
                loss, value.ToString("R", CultureInfo.InvariantCulture), convention));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
        }
    }

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
