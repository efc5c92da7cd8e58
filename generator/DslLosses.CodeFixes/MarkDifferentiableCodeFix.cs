using System;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslLosses.CodeFixes;

/// <summary>DSL0502 (reported by the generator): marks one of the candidate predictions <c>[Differentiable]</c>, one action per candidate.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MarkDifferentiableCodeFix)), Shared]
public sealed class MarkDifferentiableCodeFix : CodeFixProvider
{
    /// <summary>The generator's ambiguous-prediction diagnostic.</summary>
    public const string DiagnosticId = "DSL0502";

    /// <summary>The diagnostic property that lists the candidate parameters, comma-separated.</summary>
    public const string CandidatesProperty = "Candidates";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticId);

    /// <inheritdoc/>
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method ||
                !diagnostic.Properties.TryGetValue(CandidatesProperty, out string? candidates) || string.IsNullOrEmpty(candidates))
                continue;
            foreach (string name in candidates!.Split(','))
            {
                if (method.ParameterList.Parameters.FirstOrDefault(p => p.Identifier.ValueText == name) is null)
                    continue;
                context.RegisterCodeFix(
                    CodeAction.Create($"Mark '{name}' [Differentiable]", ct => MarkAsync(context.Document, method, name, ct), nameof(MarkDifferentiableCodeFix) + "." + name),
                    diagnostic);
            }
        }
    }

    private static async Task<Document> MarkAsync(Document document, MethodDeclarationSyntax method, string name, CancellationToken ct)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        ParameterSyntax? parameter = method.ParameterList.Parameters.FirstOrDefault(p => p.Identifier.ValueText == name);
        if (root is null || parameter is null)
            return document;
        AttributeSyntax attribute = SyntaxFactory.Attribute(SyntaxFactory.IdentifierName("Differentiable"));
        ParameterSyntax marked;
        if (parameter.AttributeLists.Count > 0)
        {
            // [Shape("B", "C")] becomes [Differentiable, Shape("B", "C")]
            AttributeListSyntax list = parameter.AttributeLists[0];
            SyntaxToken comma = SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space);
            var attributes = SyntaxFactory.SeparatedList(new[] { attribute }.Concat(list.Attributes), Enumerable.Repeat(comma, list.Attributes.Count));
            marked = parameter.ReplaceNode(list, list.WithAttributes(attributes));
        }
        else
        {
            marked = parameter.WithAttributeLists(SyntaxFactory.SingletonList(SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute)).WithTrailingTrivia(SyntaxFactory.Space)))
                .WithLeadingTrivia(parameter.GetLeadingTrivia());
        }
        return document.WithSyntaxRoot(root.ReplaceNode(parameter, marked));
    }
}
