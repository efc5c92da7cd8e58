using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using DslLosses.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DslLosses.GeneratorBenchmarks;

/// <summary>
/// <c>--floor [--formulas N] [--runs R] [--steps]</c>: the re-run after an unrelated edit, LossGenerator against the
/// floor (<see cref="FloorGenerator"/>), alternating in one process (<see cref="Floor"/>).
/// <c>--quick [--timeout S] [--runs R] [--chain 10,20,...] [--cases a,b]</c>: each case once per run in a process of
/// its own, stopped after S seconds (a generator that does not finish is reported, not waited for).
/// Anything else: BenchmarkDotNet (<c>--filter '*'</c>).
/// </summary>
public static class Program
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--case")
            return Child(args[1], int.Parse(Option(args, "--runs") ?? "3", Inv));
        if (args.Length > 0 && args[0] == "--floor")
            return Floor.Run(int.Parse(Option(args, "--formulas") ?? "100", Inv), int.Parse(Option(args, "--runs") ?? "40", Inv), args.Contains("--steps"));
        if (args.Length > 0 && args[0] == "--quick")
            return Quick(args);

        // In process: the generator and the compiler are loaded from this program's folder, built against the checkout
        // to measure; a job given on the command line (--job) runs in process too.
        IConfig config = DefaultConfig.Instance.WithOptions(ConfigOptions.DisableOptimizationsValidator);
        if (args.Any(a => a is "--job" or "-j"))
        {
            if (!args.Contains("--inProcess"))
                args = [.. args, "--inProcess"];
        }
        else
        {
            config = config.AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithWarmupCount(1)
                .WithIterationCount(5)
                .WithLaunchCount(1));
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    // ---- the child: one case, timed with a stopwatch

    private static int Child(string name, int runs)
    {
        // JIT the compiler and the generator on a small workload first: the runs time the generator, not the JIT
        Workloads.Run(Workloads.Driver(), Workloads.Compile(Workloads.Parse(Workloads.FormulaSources(1))), check: true);

        Func<GeneratorDriver> run;
        string[] parts = name.Split('-');
        int n = int.Parse(parts[1], Inv);
        switch (parts[0])
        {
            case "formulas":
            {
                SyntaxTree[] trees = Workloads.Parse(Workloads.FormulaSources(n).Append(Workloads.Other));
                run = () => Workloads.Run(Workloads.Driver(), Workloads.Compile(trees), check: true);
                break;
            }
            case "chain":
            {
                SyntaxTree[] trees = Workloads.Parse([Workloads.ChainSource(n)]);
                run = () => Workloads.Run(Workloads.Driver(), Workloads.Compile(trees), check: true);
                break;
            }
            case "incremental" or "floor":
            {
                SyntaxTree[] trees = Workloads.Parse(Workloads.FormulaSources(n).Append(Workloads.Other));
                SyntaxTree edited = CSharpSyntaxTree.ParseText(Workloads.OtherEdited, Workloads.ParseOptions, trees[^1].FilePath);
                CSharpCompilation compilation = Workloads.Compile(trees);
                GeneratorDriver warm = Workloads.Run(Workloads.Driver(parts[0] == "floor" ? new FloorGenerator() : null), compilation, check: true);
                run = () => Workloads.Run(warm, compilation.ReplaceSyntaxTree(trees[^1], edited));
                break;
            }
            default:
                Console.Error.WriteLine("unknown case " + name);
                return 2;
        }
        Console.WriteLine("READY");
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            GeneratorDriver d = run();
            sw.Stop();
            // the driver's timing info: the generator's own time, without building the compilation it was handed
            double own = d.GetTimingInfo().ElapsedTime.TotalSeconds;
            Console.WriteLine(string.Create(Inv, $"RUN {sw.Elapsed.TotalSeconds:R} {Workloads.GeneratedChars(d)} {own:R}"));
        }
        return 0;
    }

    // ---- the parent: every case in a child process, with a timeout

    private static int Quick(string[] args)
    {
        double timeout = double.Parse(Option(args, "--timeout") ?? "60", Inv);
        int runs = int.Parse(Option(args, "--runs") ?? "3", Inv);
        int[] chain = (Option(args, "--chain") ?? "10,20,40,80,160").Split(',').Select(s => int.Parse(s, Inv)).ToArray();
        var cases = new List<string> { "formulas-1", "formulas-10", "formulas-100", "incremental-100" };
        cases.AddRange(chain.Select(c => "chain-" + c.ToString(Inv)));
        if (Option(args, "--cases") is { } only)
            cases = only.Split(',').ToList();

        Console.WriteLine($"Generator: {typeof(LossGenerator).Assembly.Location}");
        Console.WriteLine($"CPU: {CpuName()}, {Environment.ProcessorCount} cores; load average at start: {LoadAverage()}");
        Console.WriteLine($"Each case in a process of its own, after a JIT warm-up on one formula; {runs} runs, each stopped after {timeout.ToString(Inv)} s.");
        Console.WriteLine();
        Console.WriteLine("| case | first run | fastest run | generator's own time in the fastest run | runs | generated (chars) | note |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        string? chainGaveUp = null;
        foreach (string c in cases)
        {
            if (c.StartsWith("chain-", StringComparison.Ordinal) && chainGaveUp is not null)
            {
                Console.WriteLine($"| {Label(c)} | - | - | - | 0 | - | not run: the chain of {chainGaveUp} did not finish within {timeout.ToString(Inv)} s |");
                continue;
            }
            (List<(double Seconds, long Chars, double Own)> results, string note) = RunChild(c, runs, timeout);
            if (c.StartsWith("chain-", StringComparison.Ordinal) && results.Count == 0)
                chainGaveUp = c["chain-".Length..];
            string first = results.Count > 0 ? Format(results[0].Seconds) : "-";
            string best = results.Count > 0 ? Format(results.Min(r => r.Seconds)) : "-";
            string own = results.Count > 0 ? Format(results.MinBy(r => r.Seconds).Own) : "-";
            string chars = results.Count > 0 ? results[^1].Chars.ToString("N0", Inv) : "-";
            Console.WriteLine($"| {Label(c)} | {first} | {best} | {own} | {results.Count} | {chars} | {note} |");
        }
        Console.WriteLine();
        Console.WriteLine($"load average at end: {LoadAverage()}");
        return 0;
    }

    private static string Label(string c)
    {
        string[] p = c.Split('-');
        return p[0] switch
        {
            "formulas" => $"{p[1]} formula{(p[1] == "1" ? "" : "s")}, full run",
            "chain" => $"{p[1]} chained locals, full run",
            "incremental" => $"{p[1]} formulas, re-run after an unrelated edit",
            "floor" => $"{p[1]} formulas, re-run after an unrelated edit, trivial generator (the floor)",
            _ => c,
        };
    }

    private static string Format(double s) => s >= 1 ? s.ToString("0.00", Inv) + " s" : (s * 1000).ToString("0.0", Inv) + " ms";

    private static (List<(double, long, double)>, string) RunChild(string name, int runs, double timeout)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string self = Environment.ProcessPath!;
        psi.FileName = self;
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            psi.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (string a in new[] { "--case", name, "--runs", runs.ToString(Inv) })
            psi.ArgumentList.Add(a);

        var results = new List<(double, long, double)>();
        using Process p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string note = "";
        // setup (parsing, the first full run of the incremental case) gets more time than a run
        double limit = Math.Max(300, 5 * timeout);
        while (true)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(limit));
            string? line;
            try
            {
                line = p.StandardOutput.ReadLineAsync(cts.Token).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                note = results.Count == 0 && limit == timeout
                    ? $"**did not finish within {timeout.ToString(Inv)} s** (stopped)"
                    : results.Count == 0 ? $"**setup did not finish within {limit.ToString(Inv)} s** (stopped)"
                    : $"run {results.Count + 1} did not finish within {timeout.ToString(Inv)} s (stopped)";
                break;
            }
            if (line is null)
            {
                p.WaitForExit();
                if (p.ExitCode != 0)
                    note = "failed: " + stderr.Result.Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.Trim();
                break;
            }
            if (line == "READY")
                limit = timeout;
            else if (line.StartsWith("RUN ", StringComparison.Ordinal))
            {
                string[] f = line.Split(' ');
                results.Add((double.Parse(f[1], Inv), long.Parse(f[2], Inv), double.Parse(f[3], Inv)));
            }
        }
        return (results, note);
    }

    internal static string CpuName()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { return "unknown"; }
    }

    internal static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
    }
}
