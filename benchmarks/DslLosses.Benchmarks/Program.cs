using System;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using DslLosses.Benchmarks;
using DslLosses.Testing;
using Perfolizer.Horology;

// TorchSharp's native bridge is patched in this program's own output folder before anything loads it (see TorchLoader).
Console.WriteLine("TorchSharp loader: " + TorchLoader.EnsureLoadable());

if (args.Length > 0 && args[0] == "--accuracy")
{
    Accuracy.Print();
    return;
}

#if EMITTER_COMPARISON
if (args.Length > 0 && args[0] == "--emitters-interleaved")
{
    Interleaved.Run(args.Length > 1 ? int.Parse(args[1]) : 41, args.Length > 2 ? args[2] : null);
    return;
}
#endif

// One process (TorchSharp's patched library lives beside this program), short but repeated measurements.
var job = Job.Default
    .WithToolchain(InProcessEmitToolchain.Instance)
    .WithLaunchCount(1)
    .WithWarmupCount(2)
    .WithIterationCount(5)
    .WithIterationTime(TimeInterval.FromMilliseconds(100));
var config = DefaultConfig.Instance
    .AddJob(job)
    .AddColumn(new NsPerElementColumn())
    .WithOptions(ConfigOptions.DisableOptimizationsValidator)
    .HideColumns("Error", "StdDev", "RatioSD", "Gen0", "Gen1", "Gen2", "Alloc Ratio");
BenchmarkSwitcher.FromAssembly(typeof(LossBenchmarks).Assembly).Run(args, config);
