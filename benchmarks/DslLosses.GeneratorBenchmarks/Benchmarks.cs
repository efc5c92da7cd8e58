using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DslLosses.GeneratorBenchmarks;

/// <summary>
/// A full generator run (new driver, new compilation over already parsed trees) on 1, 10 and 100 typical formulas.
/// </summary>
[MemoryDiagnoser]
public class FormulaCount
{
    private SyntaxTree[] _trees = [];

    [Params(1, 10, 100)]
    public int Formulas { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _trees = Workloads.Parse(Workloads.FormulaSources(Formulas).Append(Workloads.Other));
        Workloads.Run(Workloads.Driver(), Workloads.Compile(_trees), check: true);
    }

    [Benchmark(Description = "full run")]
    public GeneratorDriver FullRun() => Workloads.Run(Workloads.Driver(), Workloads.Compile(_trees));
}

/// <summary>
/// A full generator run on one formula of N chained locals, each used twice by the next. The sizes run are those of
/// <c>DSL_GENBENCH_CHAIN</c> (comma-separated; default 10,20,40,80,160): on a generator whose cost grows exponentially
/// with N, keep it to sizes that finish (the quick mode finds them).
/// </summary>
[MemoryDiagnoser]
public class ChainedLocals
{
    private SyntaxTree[] _trees = [];

    public static IEnumerable<int> Sizes()
        => (Environment.GetEnvironmentVariable("DSL_GENBENCH_CHAIN") is { Length: > 0 } s ? s : "10,20,40,80,160")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(x => int.Parse(x, CultureInfo.InvariantCulture));

    [ParamsSource(nameof(Sizes))]
    public int Locals { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _trees = Workloads.Parse([Workloads.ChainSource(Locals)]);
        Workloads.Run(Workloads.Driver(), Workloads.Compile(_trees), check: true);
    }

    [Benchmark(Description = "full run")]
    public GeneratorDriver FullRun() => Workloads.Run(Workloads.Driver(), Workloads.Compile(_trees));
}

/// <summary>
/// The incremental re-run after an unrelated edit: a driver that has run on 100 formulas and a file without formulas
/// runs again on the compilation where that file has a comment added. Each invocation starts from the same driver
/// state and a new compilation (<see cref="Compilation.ReplaceSyntaxTree"/>, included in the time).
/// </summary>
[MemoryDiagnoser]
public class Incremental
{
    private protected CSharpCompilation _compilation = null!;
    private protected SyntaxTree _other = null!;
    private protected SyntaxTree _edited = null!;
    private GeneratorDriver _driver = null!;

    [Params(100)]
    public int Formulas { get; set; }

    [GlobalSetup]
    public virtual void Setup()
    {
        SyntaxTree[] trees = Workloads.Parse(Workloads.FormulaSources(Formulas).Append(Workloads.Other));
        _other = trees[^1];
        _edited = CSharpSyntaxTree.ParseText(Workloads.OtherEdited, Workloads.ParseOptions, _other.FilePath);
        _compilation = Workloads.Compile(trees);
        _driver = Workloads.Run(Workloads.Driver(), _compilation, check: true);
    }

    [Benchmark(Description = "re-run after an unrelated edit")]
    public GeneratorDriver UnrelatedEdit() => Workloads.Run(_driver, _compilation.ReplaceSyntaxTree(_other, _edited));
}

/// <summary>
/// <see cref="Incremental"/> for LossGenerator against the floor (<see cref="FloorGenerator"/>: the same
/// <c>ForAttributeWithMetadataName</c> search and nothing else), on the same workload and edit. The alternating
/// stopwatch mode (<c>--floor</c>, <see cref="Floor"/>) gives the ratio under load; this is the BenchmarkDotNet view.
/// </summary>
[MemoryDiagnoser]
public class IncrementalFloor : Incremental
{
    private GeneratorDriver _floor = null!;

    /// <summary>The base's setup (its <c>[GlobalSetup]</c> applies to this override), then the floor's driver.</summary>
    public override void Setup()
    {
        base.Setup();
        _floor = Workloads.Run(Workloads.Driver(new FloorGenerator()), _compilation, check: true);
    }

    [Benchmark(Baseline = true, Description = "floor: re-run after an unrelated edit")]
    public GeneratorDriver Floor() => Workloads.Run(_floor, _compilation.ReplaceSyntaxTree(_other, _edited));
}
