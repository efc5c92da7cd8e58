using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using DslLosses.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslLosses.CodeFixes;

/// <summary>DSL0201: replaces a label smoothing outside [0, 1] by the nearest bound.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ClampLabelSmoothingCodeFix)), Shared]
public sealed class ClampLabelSmoothingCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.LabelSmoothingOutOfRange.Id);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax expression ||
                !diagnostic.Properties.TryGetValue(LabelSmoothingAnalyzer.ClampedProperty, out string? bound) || bound is null)
                continue;
            context.RegisterCodeFix(
                CodeAction.Create($"Clamp labelSmoothing to {bound}", ct => ClampAsync(context.Document, expression, bound, ct), nameof(ClampLabelSmoothingCodeFix)),
                diagnostic);
        }
    }

    private static async Task<Document> ClampAsync(Document document, ExpressionSyntax expression, string bound, CancellationToken ct)
    {
        SemanticModel? model = await document.GetSemanticModelAsync(ct).ConfigureAwait(false);
        SyntaxNode? root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        if (model is null || root is null)
            return document;
        SpecialType type = model.GetTypeInfo(expression, ct).Type?.SpecialType ?? SpecialType.None;
        LiteralExpressionSyntax literal = type switch
        {
            SpecialType.System_Single => SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(bound + "f", bound == "1" ? 1f : 0f)),
            SpecialType.System_Int32 => SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(bound == "1" ? 1 : 0)),
            _ => SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(bound + ".0", bound == "1" ? 1.0 : 0.0)),
        };
        return document.WithSyntaxRoot(root.ReplaceNode(expression, literal.WithTriviaFrom(expression)));
    }
}
