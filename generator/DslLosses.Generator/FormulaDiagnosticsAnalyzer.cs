using System;
using System.Collections.Immutable;
using System.Linq;
using DslLosses.Generator.Diagnostics;
using DslLosses.Generator.Models;
using DslLosses.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DslLosses.Generator;

/// <summary>
/// The formula checks (DSL00xx, DSL01xx, DSL04xx, DSL05xx) as an analyzer, so that an IDE shows them while the formula is
/// typed, as it shows the compiler's own errors: in its default (balanced) mode an IDE runs source generators only on
/// save or build, analyzers as you type.
/// </summary>
/// <remarks>
/// It runs the generator's first step itself (<see cref="LossGenerator.ParseAndCheck(IMethodSymbol, MethodDeclarationSyntax, SemanticModel, AttributeData?, System.Threading.CancellationToken)"/>:
/// the same parser, checker and descriptors) on each <c>[Loss]</c> method and reports what it finds. The generator
/// reads the formula the same way and emits nothing for a formula with an error, but reports nothing itself, so that
/// each problem is reported once; it reports only failures of its own emission (DSL0099). A build with analyzers
/// turned off (<c>RunAnalyzers=false</c>) therefore shows no formula diagnostics: a formula with an error just gets no
/// generated methods.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FormulaDiagnosticsAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => DiagnosticDescriptors.All;

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            // no DslLosses reference, no formulas
            if (start.Compilation.GetTypeByMetadataName(FormulaParser.LossAttributeName) is not { } loss)
                return;
            start.RegisterSyntaxNodeAction(c => Analyze(c, loss), SyntaxKind.MethodDeclaration);
        });
    }

    private static void Analyze(SyntaxNodeAnalysisContext context, INamedTypeSymbol loss)
    {
        var syntax = (MethodDeclarationSyntax)context.Node;
        if (syntax.AttributeLists.Count == 0 || context.SemanticModel.GetDeclaredSymbol(syntax, context.CancellationToken) is not { } method)
            return;
        AttributeData? attribute = method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, loss));
        if (attribute is null)
            return;
        // ParseAndCheck turns its own failures into DSL0099 at the formula's name
        foreach (DiagnosticInfo diagnostic in LossGenerator.ParseAndCheck(method, syntax, context.SemanticModel, attribute, context.CancellationToken).Diagnostics)
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
    }
}
