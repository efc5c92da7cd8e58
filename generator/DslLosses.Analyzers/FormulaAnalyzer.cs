using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace DslLosses.Analyzers;

/// <summary>
/// DSL0303 and DSL0304 inside <c>[Loss]</c> formulas: <c>Log(Sigmoid(x))</c>, <c>Log(1 - Sigmoid(x))</c> and
/// <c>Log(Softmax(x))</c> written by hand, and a Sigmoid or Softmax output fed to an operation that takes logits.
/// Values are followed through the formula's locals.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FormulaAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property with the stable replacement expression for the code fix.</summary>
    public const string ReplacementProperty = "Replacement";

    private static readonly ImmutableHashSet<string> LogitsOperations = ImmutableHashSet.Create("Softplus", "LogSoftmax", "LogSumExp", "Sigmoid", "Softmax");

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(Descriptors.LogOfActivation, Descriptors.DoubleActivation);

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
            var invocation = (IInvocationOperation)context.Operation;
            IMethodSymbol target = invocation.TargetMethod;
            if (!SymbolEqualityComparer.Default.Equals(target.ContainingType, symbols.Dsl) || invocation.Arguments.Length == 0)
                return;
            if (context.ContainingSymbol is not IMethodSymbol formula || !symbols.IsFormula(formula))
                return;

            IOperation argument = invocation.Arguments[0].Value;
            if (target.Name == "Log")
                LogOf(context, symbols, invocation, argument);
            else if (LogitsOperations.Contains(target.Name) && Resolve(argument, symbols, out bool viaLocal) is { } inner &&
                     (symbols.IsDsl(inner.TargetMethod, "Sigmoid") || symbols.IsDsl(inner.TargetMethod, "Softmax")))
            {
                string what = (inner.TargetMethod.Name == "Sigmoid" ? "a sigmoid" : "a softmax") + (viaLocal ? $" ({argument.Syntax} = {inner.Syntax})" : "");
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.DoubleActivation, argument.Syntax.GetLocation(), target.Name, what));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
        }
    }

    private static void LogOf(OperationAnalysisContext context, DslSymbols symbols, IInvocationOperation log, IOperation argument)
    {
        string? replacement = null;
        IOperation inner = Unwrap(argument);
        if (Resolve(inner, symbols, out _) is { } activation)
        {
            if (symbols.IsDsl(activation.TargetMethod, "Sigmoid") && activation.Arguments.Length == 1)
                replacement = "-Softplus(" + Negate(activation.Arguments[0].Value.Syntax) + ")";
            else if (symbols.IsDsl(activation.TargetMethod, "Softmax") && activation.Arguments.Length == 2)
                replacement = "LogSoftmax(" + string.Join(", ", activation.Arguments.Select(a => a.Syntax.ToString())) + ")";
        }
        else if (inner is IBinaryOperation { OperatorKind: BinaryOperatorKind.Subtract } difference &&
                 KnownTensors.TryGetNumber(difference.LeftOperand, out double one) && one == 1 &&
                 Resolve(difference.RightOperand, symbols, out _) is { } sigmoid &&
                 symbols.IsDsl(sigmoid.TargetMethod, "Sigmoid") && sigmoid.Arguments.Length == 1)
        {
            replacement = "-Softplus(" + sigmoid.Arguments[0].Value.Syntax + ")";
        }
        if (replacement is null)
            return;
        var properties = ImmutableDictionary<string, string?>.Empty.Add(ReplacementProperty, replacement);
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.LogOfActivation, log.Syntax.GetLocation(), properties, log.Syntax.ToString(), replacement));
    }

    /// <summary><c>-x</c> as source: a simple operand is negated in place, anything else is parenthesised.</summary>
    private static string Negate(SyntaxNode x)
    {
        if (x is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression } minus)
            return minus.Operand.ToString();
        bool simple = x is IdentifierNameSyntax or InvocationExpressionSyntax or MemberAccessExpressionSyntax or LiteralExpressionSyntax or ParenthesizedExpressionSyntax or ElementAccessExpressionSyntax;
        return simple ? "-" + x : "-(" + x + ")";
    }

    private static IOperation Unwrap(IOperation operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } conversion)
            operation = conversion.Operand;
        return operation;
    }

    /// <summary>The DSL call an expression is, directly or through a local assigned once; null otherwise.</summary>
    private static IInvocationOperation? Resolve(IOperation operation, DslSymbols symbols, out bool viaLocal)
    {
        viaLocal = false;
        for (int i = 0; i < 8; i++)
        {
            operation = Unwrap(operation);
            switch (operation)
            {
                case IInvocationOperation invocation when SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, symbols.Dsl):
                    return invocation;
                case ILocalReferenceOperation local when local.SemanticModel is { } model &&
                                                          local.Local.DeclaringSyntaxReferences.Length == 1 &&
                                                          local.Local.DeclaringSyntaxReferences[0].GetSyntax() is VariableDeclaratorSyntax { Initializer.Value: { } value } declarator &&
                                                          declarator.SyntaxTree == model.SyntaxTree &&
                                                          !Reassigned(declarator, local.Local.Name) &&
                                                          model.GetOperation(value) is { } initial:
                    operation = initial;
                    viaLocal = true;
                    break;
                default:
                    return null;
            }
        }
        return null;
    }

    private static bool Reassigned(VariableDeclaratorSyntax declarator, string name)
        => declarator.FirstAncestorOrSelf<MemberDeclarationSyntax>() is not { } member ||
           member.DescendantNodes().OfType<AssignmentExpressionSyntax>().Any(a => a.Left is IdentifierNameSyntax id && id.Identifier.ValueText == name);
}
