using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
using DslLosses.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DslLosses.GeneratorBenchmarks;

/// <summary>
/// The re-run after an unrelated edit (the <c>incremental-N</c> workload: N formulas and a file without formulas, which
/// gets a comment), for <see cref="LossGenerator"/> and for the trivial <see cref="FloorGenerator"/>, in one process:
/// each round runs both drivers once, in alternating order, each on a compilation of its own (so that neither finds
/// what the other bound), after a full garbage collection. Reports the fastest and the median of the wall time
/// (building the compilation included, as in the quick mode) and of the driver's timing info (the generator's own
/// time), and the ratio ours / floor. With <c>--steps</c>, every round also runs a third and fourth driver that track
/// their steps, and the median time of each tracked step is listed.
/// </summary>
public static class Floor
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(int formulas, int rounds, bool steps)
    {
        SyntaxTree[] trees = Workloads.Parse(Workloads.FormulaSources(formulas).Append(Workloads.Other));
        SyntaxTree edited = CSharpSyntaxTree.ParseText(Workloads.OtherEdited, Workloads.ParseOptions, trees[^1].FilePath);
        CSharpCompilation compilation = Workloads.Compile(trees);
        Compilation Edited() => compilation.ReplaceSyntaxTree(trees[^1], edited);

        var lossGenerator = new LossGenerator();
        var drivers = new (string Name, GeneratorDriver Driver)[]
        {
            ("floor", Workloads.Run(Workloads.Driver(new FloorGenerator()), compilation, check: true)),
            ("LossGenerator", Workloads.Run(Workloads.Driver(lossGenerator), compilation, check: true)),
        };
        (string Name, GeneratorDriver Driver)[] tracked = steps
            ?
            [
                ("floor", Workloads.Run(Workloads.Driver(new FloorGenerator(), trackSteps: true), compilation, check: true)),
                ("LossGenerator", Workloads.Run(Workloads.Driver(new LossGenerator(), trackSteps: true), compilation, check: true)),
            ]
            : [];
        int readingsBefore = FullReadings(lossGenerator);

        // Warm-up: JIT both re-runs.
        for (int i = 0; i < 3; i++)
        {
            foreach ((_, GeneratorDriver d) in drivers)
                Workloads.Run(d, Edited(), check: true);
        }

        string load = Program.LoadAverage();
        var wall = drivers.Select(_ => new List<double>()).ToArray();
        var own = drivers.Select(_ => new List<double>()).ToArray();
        var stepTimes = tracked.Select(_ => new Dictionary<string, List<double>>(StringComparer.Ordinal)).ToArray();
        long[] chars = new long[drivers.Length];
        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < drivers.Length; k++)
            {
                int which = round % 2 == 0 ? k : drivers.Length - 1 - k;
                Compilation next = Edited();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var sw = Stopwatch.StartNew();
                GeneratorDriver d = drivers[which].Driver.RunGenerators(next);
                sw.Stop();
                wall[which].Add(sw.Elapsed.TotalMilliseconds);
                own[which].Add(d.GetTimingInfo().ElapsedTime.TotalMilliseconds);
                chars[which] = Workloads.GeneratedChars(d);
            }
            for (int k = 0; k < tracked.Length; k++)
            {
                GeneratorDriver d = tracked[k].Driver.RunGenerators(Edited());
                GeneratorRunResult result = d.GetRunResult().Results[0];
                Add(stepTimes[k], "(driver: the generator's own time)", d.GetTimingInfo().ElapsedTime.TotalMilliseconds);
                foreach (KeyValuePair<string, System.Collections.Immutable.ImmutableArray<IncrementalGeneratorRunStep>> step in result.TrackedSteps)
                    Add(stepTimes[k], step.Key, step.Value.Sum(s => s.ElapsedTime.TotalMilliseconds));
                foreach (KeyValuePair<string, System.Collections.Immutable.ImmutableArray<IncrementalGeneratorRunStep>> step in result.TrackedOutputSteps)
                    Add(stepTimes[k], "output: " + step.Key, step.Value.Sum(s => s.ElapsedTime.TotalMilliseconds));
            }
        }
        int readings = FullReadings(lossGenerator) - readingsBefore;

        Console.WriteLine($"CPU: {Program.CpuName()}, {Environment.ProcessorCount} cores; load average before the rounds: {load}, after: {Program.LoadAverage()}");
        Console.WriteLine($"{formulas} formulas, re-run after an unrelated edit; {rounds} rounds, each runs both drivers in alternating order after a full GC.");
        Console.WriteLine($"LossGenerator read {readings} formula(s) in full over the {rounds + 3} re-runs (0: every reading came from its cache).");
        Console.WriteLine();
        Console.WriteLine("| generator | wall: fastest | wall: median | own (driver timing): fastest | own: median | generated (chars) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        for (int k = 0; k < drivers.Length; k++)
            Console.WriteLine($"| {drivers[k].Name} | {Ms(wall[k].Min())} | {Ms(Median(wall[k]))} | {Ms(own[k].Min())} | {Ms(Median(own[k]))} | {chars[k].ToString("N0", Inv)} |");
        double[] perRound = wall[1].Zip(wall[0], (o, f) => o / f).ToArray();
        double[] perRoundOwn = own[1].Zip(own[0], (o, f) => o / f).ToArray();
        Console.WriteLine(string.Create(Inv,
            $"| **ratio LossGenerator / floor** | {wall[1].Min() / wall[0].Min():0.00} | {Median(wall[1]) / Median(wall[0]):0.00} | {own[1].Min() / own[0].Min():0.00} | {Median(own[1]) / Median(own[0]):0.00} | |"));
        Console.WriteLine(string.Create(Inv,
            $"median of the per-round ratios: wall {Median(perRound):0.00} (quartiles {Quantile(perRound, 0.25):0.00}-{Quantile(perRound, 0.75):0.00}), own {Median(perRoundOwn):0.00} (quartiles {Quantile(perRoundOwn, 0.25):0.00}-{Quantile(perRoundOwn, 0.75):0.00})"));

        for (int k = 0; k < tracked.Length; k++)
        {
            Console.WriteLine();
            Console.WriteLine($"Tracked steps of {tracked[k].Name} (a driver of its own with trackIncrementalGeneratorSteps; median over {rounds} re-runs, ms, sum over the step's entries):");
            Console.WriteLine();
            Console.WriteLine("| step | median | fastest |");
            Console.WriteLine("|---|---:|---:|");
            foreach ((string name, List<double> times) in stepTimes[k].OrderByDescending(p => Median(p.Value)))
                Console.WriteLine(string.Create(Inv, $"| {name} | {Median(times):0.000} | {times.Min():0.000} |"));
        }
        return 0;
    }

    private static void Add(Dictionary<string, List<double>> times, string name, double ms)
    {
        if (!times.TryGetValue(name, out List<double>? list))
            times[name] = list = new List<double>();
        list.Add(ms);
    }

    /// <summary>LossGenerator's count of formulas read in full (internal; read here to show the cache was hit).</summary>
    private static int FullReadings(LossGenerator generator)
        => (int)typeof(LossGenerator).GetProperty("FullReadings", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(generator)!;

    private static double Median(IReadOnlyCollection<double> values) => Quantile(values, 0.5);

    private static double Quantile(IReadOnlyCollection<double> values, double q)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        double at = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(at);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
    }

    private static string Ms(double ms) => ms.ToString("0.00", Inv) + " ms";
}
