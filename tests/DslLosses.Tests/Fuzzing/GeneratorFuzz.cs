using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using DslLosses.Generator;
using DslLosses.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace DslLosses.Tests.Fuzzing;

/// <summary>What happened to one case: its class and every violated property (empty when it behaved).</summary>
public sealed class CaseOutcome
{
    public string Class = "";
    public readonly List<string> Violations = new();
    /// <summary>The ids of the DSL errors reported, for a case of class <c>dsl-error</c>.</summary>
    public readonly List<string> Errors = new();
    public double GeneratorMilliseconds;
}

/// <summary>
/// Runs fuzz cases through the generator (one driver run per case, bounded by a 2 s cancellation), the analyzers and the
/// C# compiler (the generated code of many cases in one in-memory compilation), then runs the ones built from random
/// formulas on seeded inputs in a collectible <see cref="AssemblyLoadContext"/> and checks the numeric relations.
/// </summary>
public sealed partial class GeneratorFuzz
{
    public const string Usings = "using DslLosses;\nusing static DslLosses.Dsl;\n";

    /// <summary>The longest a generator run on one formula may take before it counts as a hang.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);

    private const int BatchSize = 40;

    private static readonly Lazy<ImmutableArray<DiagnosticAnalyzer>> s_analyzers = new(() => typeof(DslLosses.Analyzers.FormulaAnalyzer).Assembly.GetTypes()
        .Where(t => typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && !t.IsAbstract)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .Append(new FormulaDiagnosticsAnalyzer())
        .ToImmutableArray());

    /// <summary>Counts per relation: how often it was checked, violated, and skipped (a non-smooth point, a non-finite reference).</summary>
    public readonly SortedDictionary<string, (int Checked, int Violated, int Skipped)> Relations = new(StringComparer.Ordinal);

    /// <summary>How much code was generated (and then compiled), per kind of case: mutants, and each family of random formulas.</summary>
    public readonly SortedDictionary<string, (int Cases, long Characters)> GeneratedSize = new(StringComparer.Ordinal);

    /// <summary>Where the time went, per stage.</summary>
    public readonly SortedDictionary<string, TimeSpan> Stages = new(StringComparer.Ordinal);

    private void Time(string stage, Stopwatch watch)
    {
        Stages.TryGetValue(stage, out TimeSpan t);
        Stages[stage] = t + watch.Elapsed;
        watch.Restart();
    }

    public static FuzzCase Case(int seed, int index)
    {
        var random = new Random(unchecked(seed * 1_000_003 + index));
        if (random.Next(2) == 0)
            return Mutator.Next(random);
        (Signature signature, Node body) = RandomFormula.Next(random);
        return RandomCase(signature, body);
    }

    /// <summary>
    /// The case of a random formula: <c>F</c> in every element type, and beside it, when it has several gradients, a
    /// formula per gradient destination marked on that tensor alone (<c>Fp</c>, <c>Fq</c>, ..., in double).
    /// </summary>
    public static FuzzCase RandomCase(Signature signature, Node body)
    {
        string method = "    [Loss(ElementTypes = " + signature.ElementTypes + ")]\n    static TensorExpr F(" + signature.Text + ")\n        => " + body.Text + ";";
        foreach (string tensor in signature.Companions(body))
            method += "\n\n    [Loss(ElementTypes = LossElementTypes.Double)]\n    static TensorExpr F" + tensor + "(" + signature.MarkedOnly(tensor).Text + ")\n        => " + body.Text + ";";
        return new("random " + signature.Family, "", Mutator.PlainType, method, body, signature);
    }

    /// <summary>The mutants generated so far in this run, by their source and generated code with the case number taken out.</summary>
    private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);

    private void Count(string relation, bool ok, bool skipped = false)
    {
        Relations.TryGetValue(relation, out var c);
        Relations[relation] = skipped ? (c.Checked, c.Violated, c.Skipped + 1) : (c.Checked + 1, c.Violated + (ok ? 0 : 1), c.Skipped);
    }

    /// <summary>Runs the cases; the outcomes are in the order given.</summary>
    public List<CaseOutcome> Run(IReadOnlyList<(int Index, FuzzCase Case)> cases)
    {
        var outcomes = new List<CaseOutcome>();
        var trees = new List<SyntaxTree>();
        var generated = new List<(int Slot, SyntaxTree User, ImmutableArray<SyntaxTree> Generated)>();
        var duplicates = new List<(int Slot, int First)>();
        _seen.Clear();
        for (int slot = 0; slot < cases.Count; slot++)
        {
            (int index, FuzzCase c) = cases[slot];
            var outcome = new CaseOutcome();
            outcomes.Add(outcome);
            SyntaxTree tree = CSharpSyntaxTree.ParseText(c.Source(index), GeneratorHarness.ParseOptions, path: $"Case{index}.cs");
            trees.Add(tree);
            CSharpCompilation compilation = GeneratorHarness.Compile().AddSyntaxTrees(tree);
            var watch = Stopwatch.StartNew();
            // a run cut off at the limit is repeated once: a busy machine may pause one run, a hang stays a hang
            GeneratorDriver? driver = Generate(compilation) ?? Generate(compilation);
            outcome.GeneratorMilliseconds = watch.Elapsed.TotalMilliseconds;
            if (driver is null)
            {
                outcome.Class = "hang";
                outcome.Violations.Add($"hang: the generator did not finish within {Limit.TotalSeconds} s, twice");
                continue;
            }
            Time("generator", watch);
            GeneratorRunResult result = driver.GetRunResult().Results.Single();
            if (result.Exception is not null)
            {
                outcome.Class = "crash";
                outcome.Violations.Add("generator exception: " + result.Exception.GetType().Name + ": " + result.Exception.Message);
                continue;
            }
            // the formula checks are reported by the formula analyzer, as in a build; the generator reports only DSL0099
            var reported = result.Diagnostics.Concat(GeneratorHarness.FormulaDiagnostics(compilation).Where(d => d.Id.StartsWith("DSL", StringComparison.Ordinal))).ToList();
            if (reported.Any(d => d.Id == "DSL0099"))
            {
                outcome.Class = "internal-error";
                outcome.Violations.Add("DSL0099: " + reported.First(d => d.Id == "DSL0099").GetMessage());
                continue;
            }
            bool userErrors = compilation.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);
            var dslErrors = reported.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (dslErrors.Count > 0)
            {
                outcome.Class = "dsl-error";
                outcome.Errors.AddRange(dslErrors.Select(d => d.Id).Distinct());
                foreach (Diagnostic d in dslErrors)
                {
                    bool inside = InsideFormula(tree, d.Location);
                    Count("error points inside the formula", inside);
                    if (!inside)
                        outcome.Violations.Add($"{d.Id} located outside the formula ({d.Location.GetLineSpan()}): {d.GetMessage()}");
                }
                if (result.GeneratedSources.Length > 0)
                    outcome.Violations.Add("code generated although the generator reported an error");
                continue;
            }
            if (userErrors)
            {
                outcome.Class = "csharp-error";
                continue;
            }
            if (result.GeneratedSources.Length == 0)
            {
                outcome.Class = "no-output";
                outcome.Violations.Add("no error and no generated code");
                continue;
            }
            // the same formula in another case's namespace compiles the same way: compile it once
            string key = c.Body is null
                ? string.Join("\n", new[] { tree.ToString() }.Concat(result.GeneratedSources.Select(g => g.SourceText.ToString()))).Replace("Fuzz.Case" + index, "Fuzz.Case")
                : "";
            if (key.Length > 0 && _seen.TryGetValue(key, out int first))
            {
                outcome.Class = "generated-again";
                duplicates.Add((slot, first));
                continue;
            }
            if (key.Length > 0)
                _seen[key] = slot;
            outcome.Class = "generated";
            generated.Add((slot, tree, result.GeneratedSources.Select(g => g.SyntaxTree).ToImmutableArray()));
            string kind = c.Body is null ? "mutants" : c.Kind;
            GeneratedSize.TryGetValue(kind, out var size);
            GeneratedSize[kind] = (size.Cases + 1, size.Characters + result.GeneratedSources.Sum(g => (long)g.SourceText.Length));
        }

        for (int slot = 0; slot < cases.Count; slot++)
        {
            if (cases[slot].Case.MustBeRefused is not { } why)
                continue;
            // an error located outside the formula is reported above; here the error must be there at all
            bool refused = outcomes[slot].Class == "dsl-error";
            Count("a mutant that must be refused gets a DSL error", refused);
            if (!refused)
                outcomes[slot].Violations.Add($"{why}, but the case is {outcomes[slot].Class}, not a DSL error");
        }

        var stage = Stopwatch.StartNew();
        CheckAnalyzers(trees, outcomes);
        Time("analyzers", stage);
        // random formulas (run on numbers) and mutants (compiled only) in batches of their own
        foreach (bool random in new[] { true, false })
        {
            var kind = generated.Where(g => (cases[g.Slot].Case.Body is not null) == random).ToList();
            for (int start = 0; start < kind.Count; start += BatchSize)
                CompileAndRun(cases, outcomes, kind.Skip(start).Take(BatchSize).ToList());
        }
        foreach (var (slot, first) in duplicates)
            outcomes[slot].Violations.AddRange(outcomes[first].Violations.Select(v => $"(as case {cases[first].Index}) {v}"));
        return outcomes;
    }

    /// <summary>Warms the generator and the compiler up, so the first case's run is not charged with their start-up.</summary>
    static GeneratorFuzz() => Generate(GeneratorHarness.Compile(Usings + "public static partial class W { [Loss] static TensorExpr F([Shape(\"B\", \"N\")] TensorExpr x) => Mean(Exp(x), -1); }"), TimeSpan.FromMinutes(5));

    /// <summary>One generator run bounded by <paramref name="limit"/> (default <see cref="Limit"/>): null when cut off.</summary>
    private static GeneratorDriver? Generate(Compilation compilation, TimeSpan? limit = null)
    {
        using var cancel = new CancellationTokenSource(limit ?? Limit);
        try
        {
            return GeneratorHarness.Driver().RunGenerators(compilation, cancel.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Whether a diagnostic sits in the user's file inside a [Loss] method or on the name of a type around one.</summary>
    private static bool InsideFormula(SyntaxTree tree, Location location)
    {
        if (location.SourceTree != tree)
            return false;
        SyntaxNode root = tree.GetRoot();
        foreach (MethodDeclarationSyntax method in root.DescendantNodes().OfType<MethodDeclarationSyntax>())
        {
            if (method.Span.Contains(location.SourceSpan))
                return true;
        }
        return root.DescendantNodes().OfType<TypeDeclarationSyntax>().Any(t => t.Identifier.Span == location.SourceSpan);
    }

    private void CheckAnalyzers(List<SyntaxTree> trees, List<CaseOutcome> outcomes)
    {
        for (int start = 0; start < trees.Count; start += BatchSize)
        {
            List<SyntaxTree> chunk = trees.Skip(start).Take(BatchSize).ToList();
            var exceptions = new List<string>();
            var options = new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                (ex, analyzer, diagnostic) => exceptions.Add(analyzer.GetType().Name + ": " + ex.GetType().Name + ": " + ex.Message), concurrentAnalysis: false, logAnalyzerExecutionTime: false);
            var diagnostics = GeneratorHarness.Compile().AddSyntaxTrees(chunk).WithAnalyzers(s_analyzers.Value, options).GetAllDiagnosticsAsync().GetAwaiter().GetResult();
            foreach (Diagnostic d in diagnostics.Where(d => d.Id == "AD0001"))
            {
                int i = chunk.IndexOf(d.Location.SourceTree!);
                outcomes[start + Math.Max(0, i)].Violations.Add("AD0001: " + d.GetMessage());
            }
            foreach (string ex in exceptions)
                outcomes[start].Violations.Add("analyzer exception (batch): " + ex);
            Count("no analyzer exception (AD0001)", exceptions.Count == 0 && !diagnostics.Any(d => d.Id == "AD0001"));
        }
    }

    /// <summary>A smaller random formula that still fails (greedy, bounded), or the formula itself.</summary>
    public Node Shrink(int index, Signature signature, Node body, int budget = 40)
    {
        bool progress = true;
        while (progress && budget > 0)
        {
            progress = false;
            foreach (Node candidate in body.Shrinks().Where(c => c.Size < body.Size).Take(budget))
            {
                budget--;
                var scratch = new GeneratorFuzz();
                CaseOutcome outcome = scratch.Run(new[] { (index, RandomCase(signature, candidate)) })[0];
                if (outcome.Violations.Count > 0)
                {
                    body = candidate;
                    progress = true;
                    break;
                }
            }
        }
        return body;
    }
}
