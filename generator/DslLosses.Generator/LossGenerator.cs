using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using DslLosses.Generator.Checking;
using DslLosses.Generator.Diagnostics;
using DslLosses.Generator.Emitting;
using DslLosses.Generator.Lowering;
using DslLosses.Generator.Models;
using DslLosses.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("DslLosses.Tests")]

namespace DslLosses.Generator;

/// <summary>
/// The DslLosses source generator: every <c>[Loss]</c> method becomes shape-checked kernels for each element type and
/// reduction. Parse → check → lower → emit, one generated file per type that holds formulas.
/// </summary>
/// <remarks>
/// The stages, each in its folder, each calling only the ones below it:
/// <list type="bullet">
/// <item><c>Parsing/</c> reads a method's syntax and symbols into the loss IR (<c>ParsedFormula</c>).</item>
/// <item><c>Checking/</c> checks shapes, axes and levels and reports at the formula's nodes (<c>FormulaModel</c>, no symbols or syntax).</item>
/// <item><c>Lowering/</c> rewrites for stability, picks the loop shape, differentiates, and makes every choice of the
/// kernels once (<c>KernelChoices</c>): one equatable <c>KernelPlan</c> per formula, which the <see cref="Steps.Lower"/>
/// step caches.</item>
/// <item><c>Emitting/</c> prints the plans as C#; it reads the choices and decides nothing.</item>
/// </list>
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class LossGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps (used by the incrementality tests).</summary>
    public static class Steps
    {
        public const string Parse = nameof(Parse);
        public const string Lower = nameof(Lower);
        public const string Group = nameof(Group);
        public const string Options = nameof(Options);
        public const string TorchSharp = nameof(TorchSharp);
    }

    /// <summary>
    /// The first step: parse one annotated method, then check it. Both report at source locations, which the models
    /// that leave this step no longer carry; every later step works on the checked model alone.
    /// </summary>
    internal static Result<FormulaModel?> ParseAndCheck(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method || context.TargetNode is not MethodDeclarationSyntax syntax)
            return new Result<FormulaModel?>(null, EquatableArray<DiagnosticInfo>.Empty);
        return ParseAndCheck(method, syntax, context.SemanticModel, context.Attributes.FirstOrDefault(), cancellationToken);
    }

    /// <inheritdoc cref="ParseAndCheck(GeneratorAttributeSyntaxContext, CancellationToken)"/>
    internal static Result<FormulaModel?> ParseAndCheck(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model, AttributeData? lossAttribute, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        try
        {
            ParsedFormula? parsed = FormulaParser.Parse(method, syntax, model, lossAttribute, diagnostics, cancellationToken);
            FormulaModel? formula = parsed is null ? null : FormulaChecker.Check(parsed, diagnostics);
            return new Result<FormulaModel?>(DiagnosticInfo.AnyError(diagnostics) ? null : formula, diagnostics.ToEquatableArray());
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, syntax.Identifier.GetLocation(), method.Name, ex.GetType().Name + ": " + ex.Message));
            return new Result<FormulaModel?>(null, diagnostics.ToEquatableArray());
        }
    }

    /// <summary>
    /// Each formula's last reading, kept per method declaration node (a node lives as long as its syntax tree, which
    /// the next compilation shares when its file was not edited) with the <see cref="FormulaReferences"/> description
    /// it was read under. <c>ForAttributeWithMetadataName</c> runs its transform for every formula on every
    /// compilation change; with this, a formula whose file and referenced names are unchanged costs a name lookup per
    /// name instead of binding its body again.
    /// </summary>
    private readonly ConditionalWeakTable<MethodDeclarationSyntax, Reading> _readings = new();

    /// <summary>How many times a formula was read in full (not taken from <see cref="_readings"/>); for the tests.</summary>
    internal int FullReadings => Volatile.Read(ref _fullReadings);

    private int _fullReadings;

    private sealed class Reading
    {
        /// <summary>The chains of names the declaration uses (<see cref="FormulaReferences.Names"/>): syntax only.</summary>
        public string[]? Names;

        /// <summary>The compilation's part of the description the result was read under (<see cref="FormulaReferences.Environment"/>).</summary>
        public string? Environment;

        /// <summary>The formula's own part of that description (<see cref="FormulaReferences.Describe"/>).</summary>
        public string? References;

        public Result<FormulaModel?>? Result;
    }

    /// <summary>
    /// <see cref="ParseAndCheck(GeneratorAttributeSyntaxContext, CancellationToken)"/>, or the same declaration's last
    /// result when nothing it refers to has changed since (<see cref="FormulaReferences"/>).
    /// </summary>
    private Result<FormulaModel?> ReadFormula(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method || context.TargetNode is not MethodDeclarationSyntax syntax)
            return ParseAndCheck(context, cancellationToken);

        Reading reading = _readings.GetValue(syntax, static _ => new Reading());
        string[] names;
        Result<FormulaModel?>? cached;
        string? cachedEnvironment, cachedReferences;
        lock (reading)
        {
            names = reading.Names ??= FormulaReferences.Names(syntax);
            (cached, cachedEnvironment, cachedReferences) = (reading.Result, reading.Environment, reading.References);
        }

        string? environment = null, references = null;
        try
        {
            environment = FormulaReferences.Environment(context.SemanticModel.Compilation);
            references = FormulaReferences.Describe(names, syntax, method, context.SemanticModel, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The description only saves work: if it fails, read the formula, which reports its own failures.
        }
        // string == compares the references first: the environment is usually the previous compilation's instance.
        if (cached is not null && references is not null && references == cachedReferences && environment == cachedEnvironment)
            return cached;

        Interlocked.Increment(ref _fullReadings);
        Result<FormulaModel?> result = ParseAndCheck(context, cancellationToken);
        lock (reading)
        {
            (reading.Result, reading.Environment, reading.References) = (references is null ? null : result, environment, references);
        }
        return result;
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<Result<FormulaModel?>> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                FormulaParser.LossAttributeName,
                static (node, _) => node is MethodDeclarationSyntax,
                (ctx, ct) => ReadFormula(ctx, ct))
            .WithTrackingName(Steps.Parse);

        // The diagnostics of reading and checking are reported by FormulaDiagnosticsAnalyzer, which reads each formula the
        // same way while it is typed; reporting them here too would report each problem twice in a build.

        IncrementalValuesProvider<KernelPlan> plans = parsed
            .Select(static (r, _) => r.Value)
            .Where(static f => f is not null)
            .Select(static (f, _) => Lowerer.Lower(f!))
            .WithTrackingName(Steps.Lower);

        IncrementalValuesProvider<EquatableArray<KernelPlan>> byType = plans
            .Collect()
            .SelectMany(static (all, _) => all
                .GroupBy(p => SourceEmitter.HintName(p.Formula), StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.OrderBy(p => p.Formula.MethodName, StringComparer.Ordinal).ToEquatableArray())
                .ToImmutableArray())
            .WithTrackingName(Steps.Group);

        // Only the one bit the emitter needs: whether the compilation allows unsafe code (for the multi-core totals).
        IncrementalValueProvider<bool> allowUnsafe = context.CompilationProvider
            .Select(static (c, _) => c.Options is CSharpCompilationOptions { AllowUnsafe: true })
            .WithTrackingName(Steps.Options);

        context.RegisterSourceOutput(byType.Combine(allowUnsafe), static (spc, input) =>
        {
            EquatableArray<KernelPlan> group = input.Left;
            try
            {
                spc.AddSource(SourceEmitter.HintName(group[0].Formula), SourceEmitter.Emit(group.ToList(), input.Right, spc.CancellationToken));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                foreach (KernelPlan plan in group)
                    spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, plan.Formula.MethodName, ex.GetType().Name + ": " + ex.Message));
            }
        });

        // TorchSharp entry points, only when the consumer references DslLosses.TorchSharp
        TorchSharpEmitter.Register(context, byType);
    }
}
