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
public sealed class GeneratorFuzz
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
        return RandomCase(RandomFormula.Next(random));
    }

    public static FuzzCase RandomCase(Node body)
        => new("random", "", Mutator.PlainType,
            "    [Loss(ElementTypes = LossElementTypes.All)]\n    static TensorExpr F(" + RandomFormula.Signature + ")\n        => " + body.Text + ";", body);

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

    private void CompileAndRun(IReadOnlyList<(int Index, FuzzCase Case)> cases, List<CaseOutcome> outcomes, List<(int Slot, SyntaxTree User, ImmutableArray<SyntaxTree> Generated)> batch)
    {
        var harnesses = new Dictionary<int, (SyntaxTree Tree, bool Gradient)>();
        foreach (var (slot, _, gen) in batch)
        {
            (int index, FuzzCase c) = cases[slot];
            if (c.Body is null)
                continue;
            bool gradient = gen.Any(g => g.ToString().Contains(" FWithGradient(", StringComparison.Ordinal));
            harnesses[slot] = (CSharpSyntaxTree.ParseText(Harness(index, gradient), GeneratorHarness.ParseOptions, path: $"Harness{index}.cs"), gradient);
        }
        var owner = new Dictionary<SyntaxTree, int>();
        foreach (var (slot, user, gen) in batch)
        {
            owner[user] = slot;
            foreach (SyntaxTree g in gen)
                owner[g] = slot;
            if (harnesses.TryGetValue(slot, out var h))
                owner[h.Tree] = slot;
        }
        var stage = Stopwatch.StartNew();
        CSharpCompilation compilation = GeneratorHarness.Compile().AddSyntaxTrees(owner.Keys);
        var failed = new HashSet<int>();
        // Emit binds everything once and reports the errors: the common case (all compile) costs one pass; a batch with
        // nothing to run only needs the binding
        using var image = new MemoryStream();
        bool runs = harnesses.Count > 0;
        var emitted = runs ? compilation.Emit(image) : null;
        foreach (Diagnostic d in (emitted?.Diagnostics ?? compilation.GetDiagnostics()).Where(d => d.Severity == DiagnosticSeverity.Error))
        {
            int slot = d.Location.SourceTree is { } t && owner.TryGetValue(t, out int s) ? s : -1;
            if (slot < 0)
                continue;
            if (failed.Add(slot))
                outcomes[slot].Class = "bad-emit";
            if (outcomes[slot].Violations.Count < 3)
                outcomes[slot].Violations.Add("generated code does not compile: " + d);
        }
        foreach (var (slot, _, _) in batch)
            Count("generated code compiles", !failed.Contains(slot));
        Time("compile", stage);
        if (!harnesses.Keys.Any(s => !failed.Contains(s)))
            return;
        if (failed.Count > 0)
        {
            compilation = compilation.RemoveSyntaxTrees(owner.Where(kv => failed.Contains(kv.Value)).Select(kv => kv.Key));
            image.SetLength(0);
            emitted = compilation.Emit(image);
        }
        if (!emitted!.Success)
        {
            foreach (var (slot, _, _) in batch)
                outcomes[slot].Violations.Add("batch emit failed: " + emitted.Diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error));
            return;
        }
        image.Position = 0;
        var context = new AssemblyLoadContext("fuzz", isCollectible: true);
        try
        {
            Assembly assembly = context.LoadFromStream(image);
            foreach (var (slot, (_, gradient)) in harnesses.Where(h => !failed.Contains(h.Key)))
            {
                (int index, _) = cases[slot];
                MethodInfo run = assembly.GetType($"Fuzz.Case{index}.Harness")!.GetMethod("Run")!;
                try
                {
                    CheckNumbers(index, gradient, cases[slot].Case.Body!.Text.StartsWith(RandomFormula.MaskPrefix, StringComparison.Ordinal), (y, p, s, k, b, n) => (double[])run.Invoke(null, new object[] { y, p, s, k, b, n })!, outcomes[slot]);
                }
                catch (TargetInvocationException ex)
                {
                    outcomes[slot].Violations.Add("the generated code threw: " + ex.InnerException);
                }
            }
        }
        finally
        {
            context.Unload();
            Time("run", stage);
        }
    }

    /// <summary>The entry the numeric checks call: every result of one formula on one input, as one array.</summary>
    private static string Harness(int index, bool gradient) => Usings + $$"""
        namespace Fuzz.Case{{index}}
        {
            public static class Harness
            {
                /// <summary>[sum, mean, sum in float, per-sample count, fused sum, fused mean, per-sample..., per-sample in float..., gradient..., MeanWithSampleWeight, MeanWithSampleWeight with row weights, Sum with row weights, Sum in Half, Sum in float on the Half-rounded inputs]</summary>
                public static double[] Run(double[] y, double[] p, double s, int[] k, int b, int n)
                {
                    nint[] shape = { b, n };
                    var yd = new System.Numerics.Tensors.ReadOnlyTensorSpan<double>(y, shape, default);
                    var pd = new System.Numerics.Tensors.ReadOnlyTensorSpan<double>(p, shape, default);
                    float[] y32 = System.Array.ConvertAll(y, v => (float)v), p32 = System.Array.ConvertAll(p, v => (float)v);
                    var yf = new System.Numerics.Tensors.ReadOnlyTensorSpan<float>(y32, shape, default);
                    var pf = new System.Numerics.Tensors.ReadOnlyTensorSpan<float>(p32, shape, default);
                    var kd = new System.Numerics.Tensors.ReadOnlyTensorSpan<int>(k, new nint[] { b }, default);
                    var result = new System.Collections.Generic.List<double>();
                    result.Add(L.F(yd, pd, s, kd, Reduction.Sum));
                    result.Add(L.F(yd, pd, s, kd, Reduction.SumOverBatchSize));
                    result.Add(L.F(yf, pf, (float)s, kd, Reduction.Sum));
                    var per = L.FPerSample(yd, pd, s, kd);
                    var perF = L.FPerSample(yf, pf, (float)s, kd);
                    result.Add(per.FlattenedLength);
                    var g = new double[y.Length];
                    {{(gradient
                        ? "result.Add(L.FWithGradient(yd, pd, s, kd, new System.Numerics.Tensors.TensorSpan<double>(new double[y.Length], shape, default), Reduction.Sum));\n                    result.Add(L.FWithGradient(yd, pd, s, kd, new System.Numerics.Tensors.TensorSpan<double>(new double[y.Length], shape, default), Reduction.SumOverBatchSize));\n                    L.FGradient(yd, pd, s, kd, new System.Numerics.Tensors.TensorSpan<double>(g, shape, default), Reduction.Sum);"
                        : "result.Add(double.NaN);\n                    result.Add(double.NaN);")}}
                    foreach (double v in per) result.Add(v);
                    foreach (float v in perF) result.Add(v);
                    result.AddRange(g);
                    // MeanWithSampleWeight: unweighted, then with one weight per row, and Sum with those weights
                    double[] rowWeights = new double[b];
                    for (int i = 0; i < b; i++) rowWeights[i] = 0.25 + i;
                    var wd = new System.Numerics.Tensors.ReadOnlyTensorSpan<double>(rowWeights, new nint[] { b }, default);
                    result.Add(L.F(yd, pd, s, kd, Reduction.MeanWithSampleWeight));
                    result.Add(L.F(yd, pd, s, kd, Reduction.MeanWithSampleWeight, wd));
                    result.Add(L.F(yd, pd, s, kd, Reduction.Sum, wd));
                    // Half: computed in float and rounded once, so it is the float result on the same (Half-rounded) inputs, rounded
                    System.Half[] yh = System.Array.ConvertAll(y, v => (System.Half)v), ph = System.Array.ConvertAll(p, v => (System.Half)v);
                    result.Add((double)L.F(new System.Numerics.Tensors.ReadOnlyTensorSpan<System.Half>(yh, shape, default), new System.Numerics.Tensors.ReadOnlyTensorSpan<System.Half>(ph, shape, default), (System.Half)s, kd, Reduction.Sum));
                    float[] yhf = System.Array.ConvertAll(yh, v => (float)v), phf = System.Array.ConvertAll(ph, v => (float)v);
                    result.Add(L.F(new System.Numerics.Tensors.ReadOnlyTensorSpan<float>(yhf, shape, default), new System.Numerics.Tensors.ReadOnlyTensorSpan<float>(phf, shape, default), (float)(System.Half)s, kd, Reduction.Sum));
                    return result.ToArray();
                }
            }
        }
        """;

    private delegate double[] Formula(double[] y, double[] p, double s, int[] k, int b, int n);

    private void CheckNumbers(int index, bool gradient, bool masked, Formula f, CaseOutcome outcome)
    {
        var random = new Random(index);
        int b = 1 + random.Next(4);
        int n = new[] { 1, 2, 3, 5, 8, 17, 33 }[random.Next(7)];
        double[] y = Enumerable.Range(0, b * n).Select(_ => random.NextDouble()).ToArray();
        double[] p = Enumerable.Range(0, b * n).Select(_ => random.NextDouble() * 4 - 2).ToArray();
        double s = 0.5 + random.NextDouble() * 1.5;
        int[] k = Enumerable.Range(0, b).Select(_ => random.Next(n)).ToArray();
        double[] r = f(y, p, s, k, b, n);
        double sum = r[0], mean = r[1], sumF = r[2];
        int count = (int)r[3];
        double fusedSum = r[4], fusedMean = r[5];
        double[] per = r.Skip(6).Take(count).ToArray();
        double[] perF = r.Skip(6 + count).Take(count).ToArray();
        double[] grad = r.Skip(6 + 2 * count).Take(b * n).ToArray();
        double meanWithWeights = r[6 + 2 * count + b * n], meanWithRowWeights = r[7 + 2 * count + b * n], weightedSum = r[8 + 2 * count + b * n];
        double sumHalf = r[9 + 2 * count + b * n], sumFloatOnHalfInputs = r[10 + 2 * count + b * n];
        // a masked formula's rows with class index 0 are taken out (the mask, one per row, broadcasts along an
        // elementwise loss's row): SumOverBatchSize counts only the kept entries
        int perRow = count / b;
        int counted = masked ? k.Count(c => c != 0) * perRow : count;
        void Check(string relation, bool ok, string detail)
        {
            Count(relation, ok);
            if (!ok)
                outcome.Violations.Add($"{relation}: {detail} (B={b}, N={n})");
        }
        if (!double.IsFinite(sum))
        {
            Count("per-sample values sum to Sum", true, skipped: true);
            return;
        }
        double magnitude = per.Sum(Math.Abs);
        Check("per-sample values sum to Sum", Math.Abs(per.Sum() - sum) <= 1e-12 * magnitude * (count + 1) + 1e-300, $"Σ per-sample {per.Sum():R}, Sum {sum:R}");
        if (counted == 0)
            Check("SumOverBatchSize = Sum / count", double.IsNaN(mean), $"every row taken out: SumOverBatchSize {mean:R}, expected NaN as tf_keras gives");
        else
            Check("SumOverBatchSize = Sum / count", Math.Abs(mean - sum / counted) <= 1e-15 * Math.Abs(sum / counted), $"SumOverBatchSize {mean:R}, Sum / {counted} = {sum / counted:R}");
        if (masked)
        {
            Check("a masked formula has one loss per row or per element", count == b || count == b * n, $"{count} per-sample losses for {b} rows of {n}");
            for (int j = 0; j < count; j++)
            {
                if (k[j / perRow] == 0)
                    Check("a row taken out by the mask is 0", per[j] == 0 && perF[j] == 0, $"entry {j} (row of class 0): double {per[j]:R}, float {perF[j]:R}");
            }
        }
        // Half rounds the float result on the same Half-rounded inputs once; the kernels differ only in summation order
        if (double.IsFinite(sumFloatOnHalfInputs) && Math.Abs(sumFloatOnHalfInputs) < 60000)
        {
            Check("Half is the float result rounded", Math.Abs(sumHalf - sumFloatOnHalfInputs) <= Math.Abs(sumFloatOnHalfInputs) / 1024 + 1e-5 * (magnitude + 1),
                $"Half {sumHalf:R}, float on the same inputs {sumFloatOnHalfInputs:R}");
        }
        Check("float agrees with double", Math.Abs(sumF - sum) <= 2e-3 * (magnitude + 1), $"float {sumF:R}, double {sum:R}");
        // except when a mask takes every entry out: SumOverBatchSize is NaN there (tf_keras 2), MeanWithSampleWeight 0
        // (Keras 3 divides with divide_no_nan by the kept count)
        if (counted == 0)
            Check("MeanWithSampleWeight without weights is SumOverBatchSize (bit for bit)", meanWithWeights == 0, $"every entry taken out: MeanWithSampleWeight {meanWithWeights:R}, expected 0");
        else
            Check("MeanWithSampleWeight without weights is SumOverBatchSize (bit for bit)", meanWithWeights.Equals(mean), $"MeanWithSampleWeight {meanWithWeights:R}, SumOverBatchSize {mean:R}");
        // the row weights 0.25, 1.25, ... sum (as given, whatever the loss shape) to b (b - 1) / 2 + b / 4
        double weightSum = Enumerable.Range(0, b).Sum(i => 0.25 + i);
        if (masked)
        {
            // tf_keras 2 has no MeanWithSampleWeight; Keras 3 takes masked entries' weights out of the divisor, which
            // this reduction does not do yet for masked formulas: not checked here
            Count("MeanWithSampleWeight = weighted Sum / sum of the weights", true, skipped: true);
        }
        else if (double.IsFinite(weightedSum))
        {
            Check("MeanWithSampleWeight = weighted Sum / sum of the weights", Math.Abs(meanWithRowWeights - weightedSum / weightSum) <= 1e-15 * Math.Abs(weightedSum / weightSum),
                $"MeanWithSampleWeight {meanWithRowWeights:R}, weighted Sum / {weightSum:R} = {weightedSum / weightSum:R}");
        }
        for (int j = 0; j < count; j++)
        {
            if (double.IsFinite(per[j]))
            {
                Check("no NaN where the double result is finite", !double.IsNaN(perF[j]), $"float per-sample {j} is NaN, double {per[j]:R}");
                if (!(Math.Abs(perF[j] - per[j]) <= 2e-3 * (Math.Abs(per[j]) + 1)))
                    Check("float agrees with double", false, $"per-sample {j}: float {perF[j]:R}, double {per[j]:R}");
            }
        }
        if (!gradient)
            return;
        Check("fused total equals the loss (bit for bit)", fusedSum.Equals(sum) && fusedMean.Equals(mean), $"WithGradient Sum {fusedSum:R} vs {sum:R}, SumOverBatchSize {fusedMean:R} vs {mean:R}");
        Check("no NaN where the double result is finite", !grad.Any(double.IsNaN), "a gradient entry is NaN");
        double At(int j, double h)
        {
            double[] q = (double[])p.Clone();
            q[j] += h;
            return f(y, q, s, k, b, n)[0];
        }
        foreach (int j in Enumerable.Range(0, 4).Select(_ => random.Next(b * n)).Distinct())
        {
            double h = 1e-5 * Math.Max(1, Math.Abs(p[j]));
            double central = (At(j, h) - At(j, -h)) / (2 * h);
            double finer = (At(j, h / 10) - At(j, -h / 10)) / (h / 5);
            double scale = Math.Abs(central) + Math.Abs(grad[j]) + 1;
            if (!double.IsFinite(central) || Math.Abs(central - finer) > 1e-4 * scale)
            {
                Count("double gradient agrees with central differences", true, skipped: true); // not smooth here
                continue;
            }
            Check("double gradient agrees with central differences", Math.Abs(grad[j] - central) <= 1e-4 * scale, $"entry {j}: gradient {grad[j]:R}, central difference {central:R}");
        }
    }

    /// <summary>A smaller random formula that still fails (greedy, bounded), or the formula itself.</summary>
    public Node Shrink(int index, Node body, int budget = 40)
    {
        bool progress = true;
        while (progress && budget > 0)
        {
            progress = false;
            foreach (Node candidate in body.Shrinks().Where(c => c.Size < body.Size).Take(budget))
            {
                budget--;
                var scratch = new GeneratorFuzz();
                CaseOutcome outcome = scratch.Run(new[] { (index, RandomCase(candidate)) })[0];
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
