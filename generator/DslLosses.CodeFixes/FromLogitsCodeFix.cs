using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DslLosses.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace DslLosses.CodeFixes;

/// <summary>
/// DSL0301 and DSL0302: sets <c>fromLogits</c> where the loss is created (or on the function call): flips the argument
/// when it is written, adds <c>fromLogits: true</c> when it is not.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FromLogitsCodeFix)), Shared]
public sealed class FromLogitsCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(Descriptors.ProbabilitiesOutOfRange.Id, Descriptors.ProbabilitiesAsLogits.Id);

    /// <inheritdoc/>
    public override FixAllProvider? GetFixAllProvider() => null; // several diagnostics can point at one creation

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
            return;
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (diagnostic.AdditionalLocations.Count == 0 || diagnostic.AdditionalLocations[0].SourceTree != root.SyntaxTree ||
                !diagnostic.Properties.TryGetValue(LogitsAnalyzer.FromLogitsProperty, out string? value) || value is not ("true" or "false"))
                continue;
            SyntaxNode owner = root.FindNode(diagnostic.AdditionalLocations[0].SourceSpan, getInnermostNodeForTie: true);
            if (owner is not (BaseObjectCreationExpressionSyntax or InvocationExpressionSyntax))
                continue;
            context.RegisterCodeFix(
                CodeAction.Create($"Pass fromLogits: {value}", ct => SetAsync(context.Document, owner, value == "true", ct), nameof(FromLogitsCodeFix) + value),
                diagnostic);
        }
    }

    private static async Task<Document> SetAsync(Document document, SyntaxNode owner, bool value, CancellationToken ct)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        SemanticModel? model = await document.GetSemanticModelAsync(ct).ConfigureAwait(false);
        if (root is null || model is null)
            return document;
        LiteralExpressionSyntax literal = SyntaxFactory.LiteralExpression(value ? SyntaxKind.TrueLiteralExpression : SyntaxKind.FalseLiteralExpression);

        ImmutableArray<IArgumentOperation> arguments = model.GetOperation(owner, ct) switch
        {
            IObjectCreationOperation creation => creation.Arguments,
            IInvocationOperation invocation => invocation.Arguments,
            _ => ImmutableArray<IArgumentOperation>.Empty,
        };
        IArgumentOperation? existing = arguments.FirstOrDefault(a => a.Parameter?.Name == "fromLogits" && a.ArgumentKind == ArgumentKind.Explicit);
        if (existing?.Syntax is ArgumentSyntax argument)
            return document.WithSyntaxRoot(root.ReplaceNode(argument.Expression, literal.WithTriviaFrom(argument.Expression)));

        ArgumentSyntax named = SyntaxFactory.Argument(SyntaxFactory.NameColon("fromLogits"), default, literal);
        SyntaxNode updated = owner switch
        {
            InvocationExpressionSyntax call => call.WithArgumentList(call.ArgumentList.AddArguments(named)),
            BaseObjectCreationExpressionSyntax creation => creation.WithArgumentList((creation.ArgumentList ?? SyntaxFactory.ArgumentList()).AddArguments(named)),
            _ => owner,
        };
        return document.WithSyntaxRoot(root.ReplaceNode(owner, updated));
    }
}
