using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading;

namespace DslLosses.Kernels;

/// <summary>A reduction kernel over a range of rows, as a value the parallel driver can hand to a worker thread.</summary>
/// <remarks>Implemented by generated code; not meant to be implemented by hand.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IRowRangeSum
{
    /// <summary>The kernel's total over <paramref name="count"/> rows starting at <paramref name="start"/>.</summary>
    /// <param name="start">The first row.</param>
    /// <param name="count">How many rows.</param>
    /// <param name="kept">How many loss entries the kernel's keep mask kept (0 for kernels without one).</param>
    double Sum(nint start, nint count, out nint kept);
}

/// <summary>
/// Splits a reduction over rows into chunks whose boundaries depend only on the input's size, runs them on up to
/// <see cref="Parallelism.MaxDegreeOfParallelism"/> threads, and adds the chunk totals in chunk order — so the result
/// is bit-identical whatever the number of threads.
/// </summary>
/// <remarks>Used by generated code; not meant to be called directly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class ParallelSum
{
    /// <summary>Inputs with at least this many elements are reduced in chunks (and in parallel where allowed).</summary>
    public const long SplitThreshold = 1 << 18;

    /// <summary>The smallest chunk, in elements.</summary>
    public const long MinChunkElements = 1 << 15;

    /// <summary>The largest number of chunks.</summary>
    public const int MaxChunks = 256;

    /// <summary>Chunks longer than this many rows are a multiple of it: the most rows a row tile takes (16 floats in a Vector512).</summary>
    public const int TileRows = 16;

    /// <summary>Whether an input of <paramref name="rows"/> rows of <paramref name="rowElements"/> elements is reduced in chunks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool ShouldSplit(nint rows, nint rowElements) => rows >= 2 && (long)rows * rowElements >= SplitThreshold;

    /// <summary>Rows per chunk: a function of the size alone, never of the machine or the thread count.</summary>
    public static nint ChunkRows(nint rows, nint rowElements)
    {
        long elements = (long)rows * Math.Max(rowElements, 1);
        long target = Math.Max(MinChunkElements, (elements + MaxChunks - 1) / MaxChunks);
        long chunkRows = Math.Max(1, (target + Math.Max(rowElements, 1) - 1) / Math.Max(rowElements, 1));
        // never more than MaxChunks chunks, whatever the rounding
        chunkRows = Math.Max(chunkRows, (rows + MaxChunks - 1) / MaxChunks);
        // whole tiles of rows: the row-tile kernels take 8 or 16 rows at a time, and a chunk that ends mid-tile runs its
        // last rows one by one (only rounded up, so never more chunks)
        if (chunkRows > TileRows)
            chunkRows = (chunkRows + TileRows - 1) / TileRows * TileRows;
        return (nint)chunkRows;
    }

    /// <summary>Runs <paramref name="job"/> over all rows in size-determined chunks and returns the sum of the chunk totals, in chunk order.</summary>
    public static double Run<TJob>(ref TJob job, nint rows, nint rowElements, out nint kept) where TJob : struct, IRowRangeSum
    {
        nint chunkRows = ChunkRows(rows, rowElements);
        int chunks = (int)((rows + chunkRows - 1) / chunkRows);
        double* partials = stackalloc double[chunks];
        nint* keptParts = stackalloc nint[chunks];

        int threads = Math.Min(Parallelism.MaxDegreeOfParallelism, chunks);
        if (threads > 1 && Monitor.TryEnter(Pool.Gate))
        {
            try
            {
                Slot<TJob>.Job = job;
                Pool.Start(Slot<TJob>.Work, rows, chunkRows, chunks, partials, keptParts, threads - 1);
                try
                {
                    Pool.Drain(Slot<TJob>.Work);
                }
                finally
                {
                    // the helpers write into this frame's buffers: never leave before they are done
                    Pool.Finish();
                    Slot<TJob>.Job = default;
                }
            }
            finally
            {
                Monitor.Exit(Pool.Gate);
            }
        }
        else
        {
            for (int i = 0; i < chunks; i++)
            {
                nint start = i * chunkRows;
                partials[i] = job.Sum(start, Math.Min(chunkRows, rows - start), out keptParts[i]);
            }
        }

        double total = 0.0;
        kept = 0;
        for (int i = 0; i < chunks; i++)
        {
            total += partials[i];
            kept += keptParts[i];
        }
        return total;
    }

    /// <summary>The job being run, per job type, where the workers can reach it (one run at a time: <see cref="Pool.Gate"/>).</summary>
    private static class Slot<TJob> where TJob : struct, IRowRangeSum
    {
        public static TJob Job;

        /// <summary>Runs one chunk of the current job; allocated once per job type.</summary>
        public static readonly ChunkRunner Work = static (nint start, nint count, out nint kept) => Job.Sum(start, count, out kept);
    }

    private delegate double ChunkRunner(nint start, nint count, out nint kept);

    /// <summary>Background threads that take chunks of the current run; started on first use, one per extra core.</summary>
    private static class Pool
    {
        public static readonly object Gate = new();
        private static readonly SemaphoreSlim Wake = new(0);
        private static Thread[]? s_threads;
        private static ChunkRunner? s_work;
        private static nint s_rows, s_chunkRows;
        private static int s_chunks, s_next, s_active;
        private static double* s_partials;
        private static nint* s_kept;
        private static Exception? s_error;

        public static void Start(ChunkRunner work, nint rows, nint chunkRows, int chunks, double* partials, nint* kept, int helpers)
        {
            EnsureThreads(helpers);
            s_work = work;
            s_rows = rows;
            s_chunkRows = chunkRows;
            s_chunks = chunks;
            s_partials = partials;
            s_kept = kept;
            s_error = null;
            Volatile.Write(ref s_next, 0);
            helpers = Math.Min(helpers, s_threads!.Length);
            Volatile.Write(ref s_active, helpers);
            if (helpers > 0)
                Wake.Release(helpers);
        }

        /// <summary>Takes chunks until none is left.</summary>
        public static void Drain(ChunkRunner work)
        {
            while (true)
            {
                int i = Interlocked.Increment(ref s_next) - 1;
                if (i >= s_chunks)
                    return;
                nint start = i * s_chunkRows;
                s_partials[i] = work(start, Math.Min(s_chunkRows, s_rows - start), out s_kept[i]);
            }
        }

        /// <summary>Waits until every helper has stopped touching the run's buffers.</summary>
        public static void Finish()
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref s_active) != 0)
                spin.SpinOnce(sleep1Threshold: -1);
            s_work = null;
            s_partials = null;
            s_kept = null;
            if (s_error is { } error)
                throw new InvalidOperationException("A loss kernel failed on a worker thread.", error);
        }

        private static void EnsureThreads(int helpers)
        {
            if (s_threads is not null && s_threads.Length >= helpers)
                return;
            var threads = new Thread[helpers];
            int have = s_threads?.Length ?? 0;
            for (int i = 0; i < helpers; i++)
            {
                if (i < have)
                {
                    threads[i] = s_threads![i];
                    continue;
                }
                threads[i] = new Thread(Loop) { IsBackground = true, Name = "DslLosses worker " + i };
                threads[i].Start();
            }
            s_threads = threads;
        }

        private static void Loop()
        {
            while (true)
            {
                Wake.Wait();
                try
                {
                    Drain(s_work!);
                }
                catch (Exception ex)
                {
                    s_error = ex;
                }
                finally
                {
                    Interlocked.Decrement(ref s_active);
                }
            }
        }
    }
}
