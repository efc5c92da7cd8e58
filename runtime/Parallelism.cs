using System;

namespace DslLosses;

/// <summary>How the generated kernels may use more than one core.</summary>
/// <remarks>
/// Inputs of at least <see cref="Kernels.ParallelSum.SplitThreshold"/> elements are computed in chunks of rows whose
/// boundaries depend only on the input's shape: totals add the chunk totals in chunk order; unweighted per-sample
/// losses and unweighted gradients (by full-shape inputs) write each chunk's own rows. The result is therefore
/// bit-identical for every value of <see cref="MaxDegreeOfParallelism"/> (and on every machine with the same vector width):
/// the thread count changes the speed, never the numbers. Smaller inputs run on the calling thread, where handing work to
/// another core costs more than it saves. Only formulas compiled with <c>AllowUnsafeBlocks</c> get the split (the
/// built-in losses have it); others always run on the calling thread.
/// </remarks>
public static class Parallelism
{
    private static int s_max = Environment.ProcessorCount;

    /// <summary>
    /// The most threads (the calling thread included) a single loss call may use; 1 keeps every call on the calling
    /// thread. Defaults to <see cref="Environment.ProcessorCount"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxDegreeOfParallelism
    {
        get => s_max;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            s_max = value;
        }
    }
}
