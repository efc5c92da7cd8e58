#if EMITTER_COMPARISON
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;

namespace DslLosses.Benchmarks;

/// <summary>
/// A cross-check of <see cref="EmitterComparison"/> for a shared machine (<c>--emitters-interleaved [rounds [case-name-part]]</c>): the
/// two emitters' kernels timed in alternating blocks of about 10 ms (previous, current, current, previous, ...), so
/// that a change in the machine's load hits both alike; per case, the median over rounds of current / previous.
/// </summary>
public static class Interleaved
{
    public static void Run(int rounds, string? filter = null)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"interleaved blocks of ~10 ms, {rounds} rounds per case; ratio = current / previous (median over rounds, and of the fastest block of each)");
        Console.WriteLine($"{"case",-42} {"previous min",14} {"current min",14} {"median ratio",13} {"min ratio",10} {"q1-q3",12}");
        foreach (string threads in new[] { "1", "default" })
        {
            foreach (string size in new[] { "32x10", "4096x100", "65536x256" })
            {
                foreach (Loss loss in Enum.GetValues<Loss>())
                {
                    var b = new EmitterComparison { Threads = threads, Size = size, Loss = loss };
                    b.GlobalSetup();
                    Print($"{loss} {size} threads={threads}", b.PreviousEmitter, b.CurrentEmitter, rounds);
                    b.GlobalCleanup();
                }
            }
            foreach (Loss loss in new[] { Loss.BceLogits, Loss.CceLogits })
            {
                var g = new EmitterComparisonWithGradient { Threads = threads, Size = "4096x100", Loss = loss };
                g.GlobalSetup();
                Print($"{loss} 4096x100 with gradient threads={threads}", g.PreviousEmitter, g.CurrentEmitter, rounds);
                g.GlobalCleanup();
            }
        }

        void Print(string name, Func<float> previous, Func<float> current, int rounds)
        {
            if (filter is not null && !name.Contains(filter, StringComparison.OrdinalIgnoreCase))
                return;
            (double p, double c, double median, double q1, double q3) = Measure(previous, current, rounds);
            Console.WriteLine($"{name,-42} {Time(p),14} {Time(c),14} {median.ToString("0.000", inv),13} {(c / p).ToString("0.000", inv),10} {(q1.ToString("0.00", inv) + "-" + q3.ToString("0.00", inv)),12}");
        }

        string Time(double ns) => ns >= 1e6 ? (ns / 1e6).ToString("0.000", inv) + " ms" : ns >= 1e3 ? (ns / 1e3).ToString("0.00", inv) + " us" : ns.ToString("0.0", inv) + " ns";
    }

    private static (double PreviousMin, double CurrentMin, double Median, double Q1, double Q3) Measure(Func<float> previous, Func<float> current, int rounds)
    {
        // warm up both past tiered compilation, then size the blocks
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 400)
        {
            previous();
            current();
        }
        double once = Block(previous, 1);
        int calls = Math.Max(1, (int)(10e6 / once));
        var ratios = new List<double>(rounds);
        double pMin = double.MaxValue, cMin = double.MaxValue;
        for (int r = 0; r < rounds; r++)
        {
            double p, c;
            if ((r & 1) == 0)
            {
                p = Block(previous, calls);
                c = Block(current, calls);
            }
            else
            {
                c = Block(current, calls);
                p = Block(previous, calls);
            }
            ratios.Add(c / p);
            pMin = Math.Min(pMin, p);
            cMin = Math.Min(cMin, c);
        }
        ratios.Sort();
        return (pMin, cMin, ratios[ratios.Count / 2], ratios[ratios.Count / 4], ratios[3 * ratios.Count / 4]);
    }

    /// <summary>Nanoseconds per call over <paramref name="calls"/> calls.</summary>
    private static double Block(Func<float> kernel, int calls)
    {
        float sink = 0;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++)
            sink += kernel();
        long ticks = Stopwatch.GetTimestamp() - start;
        GC.KeepAlive(sink);
        return ticks * (1e9 / Stopwatch.Frequency) / calls;
    }
}
#endif
