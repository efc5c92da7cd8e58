using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DslLosses.Generator.Parsing;

/// <summary>
/// What reading a formula depends on besides its own syntax tree, written as one string, so that the generator can
/// tell without reading a formula again that reading it would give the same result.
/// </summary>
/// <remarks>
/// <para>
/// Reading a formula binds its whole body (overload resolution of every DSL call and operator) and asks the compiler
/// for its errors: a few milliseconds per formula. The generator's first step runs again for every formula whenever
/// the compilation changes, after any keystroke in any file, so it keeps each formula's last result beside this
/// description and reads the formula again only when its tree was edited or the description changed.
/// </para>
/// <para>
/// With its tree unchanged, a formula means something else only if a name it uses (in its attributes, parameter types
/// or body) finds other symbols. A name finds symbols through the file's own usings and scopes (in the unchanged tree),
/// the global usings of other files, the referenced assemblies, and the declarations of other files. The description
/// therefore holds: the referenced assemblies, every global using of the compilation, the compilation options that
/// change what the compiler reports and whether a global type <c>System</c> hides the namespace the generated code
/// names (once per compilation: <see cref="Environment(Compilation)"/>); how many members share the formula's name and,
/// if several, how many of them are formulas (a duplicate formula is an error); and, for each chain of names the
/// formula uses (<c>Log</c>, <c>Math.PI</c>, <c>Consts.Alpha</c>) of which some name is declared in source (the
/// compiler's declaration table answers that without binding anything), every symbol the chain finds by name lookup at
/// the declaration, with its kind, full signature and constant value; for a method of the formula's own type (a helper
/// the parser inlines), also its text and, in the same way, what the names in it find. Names of the formula's own
/// parameters and locals are treated the same way (they find nothing, or a member they hide): that only makes the
/// description stricter. Name lookup neither binds nor resolves overloads, and names declared only in referenced
/// assemblies (the DSL's own vocabulary) are not looked up at all.
/// </para>
/// <para>
/// Cost on a re-run: the environment once per compilation, whether a chain is declared in source once per compilation
/// and chain, each declared chain's meaning once per type declaration; per formula, a string of its own part.
/// </para>
/// </remarks>
internal static class FormulaReferences
{
    private static readonly SymbolDisplayFormat Format = SymbolDisplayFormat.FullyQualifiedFormat
        .WithMemberOptions(SymbolDisplayMemberOptions.IncludeParameters | SymbolDisplayMemberOptions.IncludeType |
                           SymbolDisplayMemberOptions.IncludeContainingType | SymbolDisplayMemberOptions.IncludeModifiers |
                           SymbolDisplayMemberOptions.IncludeRef | SymbolDisplayMemberOptions.IncludeConstantValue)
        .WithParameterOptions(SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeParamsRefOut |
                              SymbolDisplayParameterOptions.IncludeDefaultValue | SymbolDisplayParameterOptions.IncludeName)
        .WithGenericsOptions(SymbolDisplayGenericsOptions.IncludeTypeParameters | SymbolDisplayGenericsOptions.IncludeTypeConstraints)
        .WithKindOptions(SymbolDisplayKindOptions.IncludeMemberKeyword | SymbolDisplayKindOptions.IncludeTypeKeyword);

    /// <summary>What every formula of one compilation shares: looked up once per compilation, not once per formula.</summary>
    private sealed class PerCompilation
    {
        /// <summary>The part of every description that does not depend on the formula (<see cref="Environment(Compilation)"/>).</summary>
        public string? Environment;

        /// <summary>Whether some name of a chain is declared in source (<see cref="DeclaredInSource"/>).</summary>
        public readonly ConcurrentDictionary<string, bool> Declared = new(StringComparer.Ordinal);

        /// <summary>What each chain of names means in each type declaration.</summary>
        public readonly ConcurrentDictionary<(SyntaxNode Scope, string Chain), string> Meanings = new();
    }

    private static readonly ConditionalWeakTable<Compilation, PerCompilation> Compilations = new();

    /// <summary>
    /// The last environment built, so that the next compilation's equal text is the same string instance and the
    /// formulas compare it by reference (an equal string that is another instance compares by content: the same answer).
    /// </summary>
    private static string? s_lastEnvironment;

    /// <summary>
    /// The chains of names <paramref name="syntax"/> uses, sorted: simple names are chains of one name; a qualified name
    /// or member access whose left side is a chain adds the longer chain; an attribute adds its name with the
    /// <c>Attribute</c> suffix too. Depends on the syntax alone: compute it once per declaration node.
    /// </summary>
    public static string[] Names(MethodDeclarationSyntax syntax)
    {
        var chains = new SortedSet<string>(StringComparer.Ordinal);
        foreach (SyntaxNode node in syntax.DescendantNodes())
        {
            switch (node)
            {
                case AttributeSyntax attribute:
                    if (Chain(attribute.Name) is { } attributeChain)
                        chains.Add(attributeChain + "Attribute");
                    break;
                case MemberAccessExpressionSyntax access:
                    chains.Add(Chain(access.Expression) is { } left ? left + "." + access.Name.Identifier.ValueText : access.Name.Identifier.ValueText);
                    break;
                case QualifiedNameSyntax qualified:
                    chains.Add(Chain(qualified.Left) is { } qualifiedLeft ? qualifiedLeft + "." + qualified.Right.Identifier.ValueText : qualified.Right.Identifier.ValueText);
                    break;
                case SimpleNameSyntax name:
                    chains.Add(name.Identifier.ValueText);
                    break;
            }
        }
        return chains.ToArray();
    }

    /// <summary>
    /// The part of every description that does not depend on the formula: the referenced assemblies, the global usings
    /// of every file and the options that change what the compiler reports. Built once per compilation; the same text
    /// as the previous compilation's is returned as the same string instance.
    /// </summary>
    public static string Environment(Compilation compilation)
    {
        PerCompilation shared = Compilations.GetValue(compilation, static _ => new PerCompilation());
        if (Volatile.Read(ref shared.Environment) is { } known)
            return known;
        string built = BuildEnvironment(compilation);
        string? last = Volatile.Read(ref s_lastEnvironment);
        if (built == last)
            built = last;
        else
            Volatile.Write(ref s_lastEnvironment, built);
        return Interlocked.CompareExchange(ref shared.Environment, built, null) ?? built;
    }

    /// <summary>
    /// The formula's own part of the description of what the declaration <paramref name="syntax"/>, which uses
    /// <paramref name="names"/> (<see cref="Names"/>), refers to in <paramref name="model"/>'s compilation; the other
    /// part is the compilation's <see cref="Environment(Compilation)"/>.
    /// </summary>
    public static string Describe(string[] names, MethodDeclarationSyntax syntax, IMethodSymbol method, SemanticModel model, CancellationToken cancellationToken)
    {
        Compilation compilation = model.Compilation;
        PerCompilation shared = Compilations.GetValue(compilation, static _ => new PerCompilation());
        var text = new StringBuilder();
        // A duplicate formula is an error (FormulaParser): the members of the formula's name, and when there are others,
        // how many of them are formulas (an overload elsewhere that gains [Loss] keeps the count).
        ImmutableArray<ISymbol> sameName = method.ContainingType?.GetMembers(method.Name) ?? ImmutableArray<ISymbol>.Empty;
        text.Append(sameName.Length);
        if (sameName.Length > 1)
            text.Append(' ').Append(sameName.OfType<IMethodSymbol>().Count(m => m.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == FormulaParser.LossAttributeName)));
        text.Append('\n');

        // Every formula of a type declaration sees the same names in scope: look each chain up once per declaration
        // and compilation, not once per formula; and whether a chain is declared in source at all once per compilation
        // (most chains are the DSL's own names, shared by every formula).
        SyntaxNode scope = syntax.Parent as TypeDeclarationSyntax ?? (SyntaxNode)syntax;
        foreach (string chain in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!DeclaredInSource(shared, compilation, chain))
                continue;
            if (!shared.Meanings.TryGetValue((scope, chain), out string? meaning))
            {
                var expanded = new HashSet<SyntaxNode>();
                shared.Meanings[(scope, chain)] = meaning = Meaning(shared, model, syntax.SpanStart, chain, method.ContainingType, expanded, cancellationToken);
            }
            text.Append(chain).Append(" =").Append(meaning).Append('\n');
        }
        return text.ToString();
    }

    private static bool DeclaredInSource(PerCompilation shared, Compilation compilation, string chain)
    {
        if (!shared.Declared.TryGetValue(chain, out bool declared))
            shared.Declared[chain] = declared = DeclaredInSource(compilation, chain);
        return declared;
    }

    private static bool DeclaredInSource(Compilation compilation, string chain)
    {
        foreach (string part in chain.Split('.', ':'))
        {
            if (part.Length > 0 && part != "global" && compilation.ContainsSymbolsWithName(part, SymbolFilter.All))
                return true;
        }
        return false;
    }

    /// <summary>
    /// The referenced assemblies, the global usings of every file, the options that change what the compiler reports,
    /// and whether a type <c>System</c> in the global namespace hides the namespace the generated code names (an error
    /// of every formula, FormulaParser).
    /// </summary>
    private static string BuildEnvironment(Compilation compilation)
    {
        var text = new StringBuilder();
        // FormulaParser asks the compilation's global namespace, which merges the references' (listed above, so fixed
        // while they are) with the source assembly's: ask the source assembly alone, which needs no merging.
        text.Append("System hidden: ").Append(compilation.Assembly.GlobalNamespace.GetTypeMembers("System").Length > 0).Append('\n');
        foreach (MetadataReference reference in compilation.References)
            text.Append(reference.Display).Append('\n');
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            foreach (UsingDirectiveSyntax directive in tree.GetCompilationUnitRoot().Usings)
            {
                if (!directive.GlobalKeyword.IsKind(SyntaxKind.None))
                    text.Append(directive.ToString()).Append('\n');
            }
        }
        if (compilation.Options is CSharpCompilationOptions options)
        {
            text.Append(options.AllowUnsafe).Append(' ').Append(options.CheckOverflow).Append(' ').Append(options.NullableContextOptions)
                .Append(' ').Append(options.GeneralDiagnosticOption).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>
    /// Every symbol <paramref name="chain"/> (<c>Log</c>, <c>Math.PI</c>) finds at <paramref name="position"/>, described
    /// and sorted. A method of the formula's own type <paramref name="owner"/> declared in source may be a helper that
    /// the parser inlines (BodyParser), so its body is part of the formula: its declaration's text is added, and what
    /// the names it uses find where it is declared (helpers of helpers in turn; each declaration once, in
    /// <paramref name="expanded"/>).
    /// </summary>
    private static string Meaning(PerCompilation shared, SemanticModel model, int position, string chain, INamedTypeSymbol? owner,
        HashSet<SyntaxNode> expanded, CancellationToken cancellationToken)
    {
        string[] parts = chain.Split('.');
        ImmutableArray<ISymbol> found = First(model, position, parts[0]);
        for (int i = 1; i < parts.Length; i++)
        {
            var next = ImmutableArray.CreateBuilder<ISymbol>();
            foreach (ISymbol container in found)
            {
                INamespaceOrTypeSymbol? scope = container is IAliasSymbol alias ? alias.Target : container as INamespaceOrTypeSymbol;
                if (scope is not null)
                    next.AddRange(model.LookupSymbols(position, scope, parts[i]));
            }
            found = next.ToImmutable();
        }

        // Lookup order is not part of the meaning: sort, so that an unrelated reordering does not read the formula again.
        var text = new StringBuilder();
        foreach (string symbol in found.Select(s => Write(s) + Helper(shared, model, s, owner, expanded, cancellationToken)).OrderBy(s => s, StringComparer.Ordinal))
            text.Append(' ').Append(symbol).Append(';');
        return text.ToString();
    }

    /// <summary>For a method of <paramref name="owner"/> declared in source: its text and the meanings of the names it uses (see <see cref="Meaning"/>).</summary>
    private static string Helper(PerCompilation shared, SemanticModel model, ISymbol symbol, INamedTypeSymbol? owner, HashSet<SyntaxNode> expanded, CancellationToken cancellationToken)
    {
        if (owner is null || symbol is not IMethodSymbol method || !SymbolEqualityComparer.Default.Equals(method.ContainingType, owner))
            return "";
        var text = new StringBuilder();
        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is not MethodDeclarationSyntax helper || !expanded.Add(helper))
                continue;
            text.Append(" { ").Append(helper.ToString());
            SemanticModel helperModel = helper.SyntaxTree == model.SyntaxTree ? model : model.Compilation.GetSemanticModel(helper.SyntaxTree);
            foreach (string chain in Names(helper))
            {
                if (DeclaredInSource(shared, model.Compilation, chain))
                    text.Append(' ').Append(chain).Append(" =").Append(Meaning(shared, helperModel, helper.SpanStart, chain, owner, expanded, cancellationToken));
            }
            text.Append(" }");
        }
        return text.ToString();
    }

    /// <summary>What the first name of a chain finds: <c>global::A</c> in the global namespace, <c>alias::A</c> in the alias's target.</summary>
    private static ImmutableArray<ISymbol> First(SemanticModel model, int position, string first)
    {
        int separator = first.IndexOf("::", StringComparison.Ordinal);
        if (separator < 0)
            return model.LookupSymbols(position, name: first);
        string alias = first.Substring(0, separator), name = first.Substring(separator + 2);
        if (alias == "global")
            return model.LookupSymbols(position, model.Compilation.GlobalNamespace, name);
        var found = ImmutableArray.CreateBuilder<ISymbol>();
        foreach (IAliasSymbol target in model.LookupNamespacesAndTypes(position, name: alias).OfType<IAliasSymbol>())
            found.AddRange(model.LookupSymbols(position, target.Target, name));
        return found.ToImmutable();
    }

    /// <summary><c>A.B.C</c> for a chain of simple names; null for anything else (an invocation, a literal, ...).</summary>
    private static string? Chain(ExpressionSyntax expression) => expression switch
    {
        SimpleNameSyntax name => name.Identifier.ValueText,
        AliasQualifiedNameSyntax aliased => aliased.Alias.Identifier.ValueText + "::" + aliased.Name.Identifier.ValueText,
        QualifiedNameSyntax qualified => Chain(qualified.Left) is { } left ? left + "." + qualified.Right.Identifier.ValueText : null,
        MemberAccessExpressionSyntax access => Chain(access.Expression) is { } left ? left + "." + access.Name.Identifier.ValueText : null,
        _ => null,
    };

    private static string Write(ISymbol symbol)
    {
        string described = symbol.Kind + " " + symbol.ToDisplayString(Format);
        return symbol switch
        {
            IAliasSymbol alias => described + " -> " + alias.Target.ToDisplayString(Format),
            IFieldSymbol { HasConstantValue: true } field => described + " = " + Convert.ToString(field.ConstantValue, CultureInfo.InvariantCulture),
            ILocalSymbol { HasConstantValue: true } local => described + " = " + Convert.ToString(local.ConstantValue, CultureInfo.InvariantCulture),
            _ => described,
        };
    }
}
