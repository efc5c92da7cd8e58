using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslLosses.GeneratorBenchmarks;

/// <summary>
/// The floor of an incremental re-run: a generator that finds the <c>[Loss]</c> methods the way <c>LossGenerator</c>
/// does (<c>ForAttributeWithMetadataName</c> with the same syntax-only predicate) and does nothing else with them than
/// collect their names into one source output. What it costs on a new compilation is Roslyn's own work for the
/// attribute search (which runs the transform for every target again on every compilation change), which no generator
/// entered this way can go below.
/// </summary>
public sealed class FloorGenerator : IIncrementalGenerator
{
    /// <summary>The metadata name LossGenerator searches for (<c>FormulaParser.LossAttributeName</c>).</summary>
    public const string LossAttribute = "DslLosses.LossAttribute";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValueProvider<ImmutableArray<string>> names = context.SyntaxProvider
            .ForAttributeWithMetadataName(LossAttribute, static (n, _) => n is MethodDeclarationSyntax, static (n, _) => n.TargetSymbol.Name)
            .WithTrackingName("Names")
            .Collect();
        context.RegisterSourceOutput(names, static (spc, all) =>
            spc.AddSource("LossNames.g.cs", "// " + all.Length + " formulas: " + string.Join(", ", all) + "\n"));
    }
}
