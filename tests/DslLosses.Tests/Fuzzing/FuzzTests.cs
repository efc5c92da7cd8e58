using System;
using System.Diagnostics;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace DslLosses.Tests.Fuzzing;

/// <summary>
/// The formula fuzzer: seeded and deterministic. <c>DSLLOSSES_FUZZ_CASES</c> sets the number of cases (300 by default),
/// <c>DSLLOSSES_FUZZ_SEED</c> the seed (1). Every case must pass through the generator with no exception, no DSL0099, no
/// AD0001 and within 2 s; its errors must point into the formula; with no error its generated code must compile; and the
/// formulas that compile must satisfy the numeric relations. A failure prints the formula (random formulas shrunk).
/// </summary>
[Trait("Category", "Kernels")]
public class FuzzTests
{
    private readonly ITestOutputHelper _output;

    public FuzzTests(ITestOutputHelper output) => _output = output;

    private static int Setting(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), out int value) && value > 0 ? value : fallback;

    [Fact]
    public void Formulas_mutated_and_random_pass_the_generator_the_compiler_and_the_numeric_relations()
    {
        int cases = Setting("DSLLOSSES_FUZZ_CASES", 300), seed = Setting("DSLLOSSES_FUZZ_SEED", 1);
        var fuzz = new GeneratorFuzz();
        var watch = Stopwatch.StartNew();
        var all = Enumerable.Range(0, cases).Select(i => (Index: i, Case: GeneratorFuzz.Case(seed, i))).ToList();
        var outcomes = new System.Collections.Generic.List<CaseOutcome>();
        const int Chunk = 200;
        for (int start = 0; start < all.Count; start += Chunk)
            outcomes.AddRange(fuzz.Run(all.Skip(start).Take(Chunk).ToList()));

        _output.WriteLine($"{cases} cases, seed {seed}, {watch.Elapsed.TotalSeconds:F1} s; slowest generator run {outcomes.Max(o => o.GeneratorMilliseconds):F0} ms");
        _output.WriteLine("  time: " + string.Join(", ", fuzz.Stages.Select(kv => $"{kv.Key} {kv.Value.TotalSeconds:F1} s")));
        _output.WriteLine("  generated code: " + string.Join(", ", fuzz.GeneratedSize.Select(kv => $"{kv.Key} {kv.Value.Cases} cases {kv.Value.Characters / 1024} KB")));
        foreach (var group in all.Zip(outcomes).GroupBy(x => (x.First.Case.Body is null ? "mutant " : x.First.Case.Kind + " ") + x.Second.Class).OrderBy(g => g.Key, StringComparer.Ordinal))
            _output.WriteLine($"  class {group.Key}: {group.Count()}");
        // random formulas are well typed, so their errors are the DSL's own limits: which ones, how often
        foreach (var group in all.Zip(outcomes).Where(x => x.First.Case.Body is not null).SelectMany(x => x.Second.Errors.Select(id => (id, x.First))).GroupBy(x => x.id).OrderBy(g => g.Key, StringComparer.Ordinal))
            _output.WriteLine($"  random formulas refused with {group.Key}: {group.Count()}, e.g. {group.First().Item2.Case.Body!.Text}");
        foreach (var (relation, (checkedCount, violated, skipped)) in fuzz.Relations)
            _output.WriteLine($"  relation '{relation}': {checkedCount} checked, {violated} violated, {skipped} skipped");

        var failures = all.Zip(outcomes).Where(x => x.Second.Violations.Count > 0).ToList();
        foreach (var ((index, c), outcome) in failures.Take(10))
        {
            string formula = c.Body is { } body ? GeneratorFuzz.RandomCase(c.Signature!, fuzz.Shrink(index, c.Signature!, body)).Source(index) : c.Source(index);
            _output.WriteLine($"---- case {index} ({c.Kind}, {outcome.Class}):\n{string.Join("\n", outcome.Violations)}\n{formula}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases failed (seed {seed}); first: case {failures.FirstOrDefault().First.Index}: {string.Join("; ", failures.FirstOrDefault().Second?.Violations ?? new())}\n{failures.FirstOrDefault().First.Case?.Source(failures.FirstOrDefault().First.Index)}");
    }
}
