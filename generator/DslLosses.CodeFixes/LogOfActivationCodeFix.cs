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

/// <summary>DSL0303: rewrites <c>Log(Sigmoid(x))</c>, <c>Log(1 - Sigmoid(x))</c>, <c>Log(Softmax(x))</c> into the stable logits form.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LogOfActivationCodeFix)), Shared]
public sealed class LogOfActivationCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.LogOfActivation.Id);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax log ||
                !diagnostic.Properties.TryGetValue(FormulaAnalyzer.ReplacementProperty, out string? replacement) || string.IsNullOrEmpty(replacement))
                continue;
            context.RegisterCodeFix(
                CodeAction.Create($"Write {replacement}", ct => RewriteAsync(context.Document, log, replacement!, ct), nameof(LogOfActivationCodeFix)),
                diagnostic);
        }
    }

    private static async Task<Document> RewriteAsync(Document document, InvocationExpressionSyntax log, string replacement, CancellationToken ct)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        if (root is null)
            return document;
        SyntaxNode target = log;
        // -Log(Sigmoid(x)) becomes Softplus(-x), not -(-Softplus(-x))
        if (replacement.StartsWith("-", System.StringComparison.Ordinal) && log.Parent is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression } minus)
        {
            target = minus;
            replacement = replacement.Substring(1);
        }
        ExpressionSyntax expression = SyntaxFactory.ParseExpression(replacement);
        if (replacement.StartsWith("-", System.StringComparison.Ordinal) && target.Parent is PrefixUnaryExpressionSyntax)
            expression = SyntaxFactory.ParenthesizedExpression(expression);
        return document.WithSyntaxRoot(root.ReplaceNode(target, expression.WithTriviaFrom(target)));
    }
}
