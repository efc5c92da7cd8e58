using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using static DslLosses.Dsl;

namespace DslLosses.Benchmarks;

/// <summary>Keras's Poisson formula, generated into this program, to call its static entry point directly.</summary>
public static partial class FixedCostFormulas
{
    [Loss(ElementTypes = LossElementTypes.Single)]
    static TensorExpr Poisson([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred)
        => Mean(yPred - yTrue * Log(yPred + 1e-7), axis: -1);
}

/// <summary>
/// Where the time of a small call goes (Poisson, 32x10, float32, mean reduction, one thread): the hand-written kernel
/// on arrays; making the two tensor views alone; the generated static entry point (views, checks, dispatch, kernel);
/// the Keras class on top of it.
/// </summary>
[MemoryDiagnoser]
public class FixedCostBenchmarks
{
    [Params("32x10", "256x10", "32x100")]
    public string Size { get; set; } = "32x10";

    private Inputs _d = null!;
    private nint[] _shape = null!;
    private Poisson _poisson = null!;
    private int _threads;

    [GlobalSetup]
    public void GlobalSetup()
    {
        (int rows, int columns) = Inputs.ParseSize(Size);
        _d = new Inputs(Loss.Poisson, rows, columns);
        _shape = new nint[] { rows, columns };
        _poisson = new Poisson();
        _threads = Parallelism.MaxDegreeOfParallelism;
        Parallelism.MaxDegreeOfParallelism = 1;
        float a = Keras(), b = Generated(), c = Hand();
        if (a != b || Math.Abs(a - c) > 1e-5 * Math.Abs(a))
            throw new InvalidOperationException($"Keras class {a}, generated entry {b}, hand kernel {c}");
    }

    [GlobalCleanup]
    public void GlobalCleanup() => Parallelism.MaxDegreeOfParallelism = _threads;

    [Benchmark(Baseline = true, Description = "hand-fused kernel (arrays)")]
    public float Hand() => HandFused.Compute(Loss.Poisson, _d);

    [Benchmark(Description = "two views, no loss")]
    public nint Views()
    {
        var y = new ReadOnlyTensorSpan<float>(_d.YTrue, _shape, default);
        var p = new ReadOnlyTensorSpan<float>(_d.YPred, _shape, default);
        return y.Lengths[1] + p.Lengths[0];
    }

    [Benchmark(Description = "generated entry point (views)")]
    public float Generated()
        => FixedCostFormulas.Poisson(new ReadOnlyTensorSpan<float>(_d.YTrue, _shape, default), new ReadOnlyTensorSpan<float>(_d.YPred, _shape, default));

    [Benchmark(Description = "Keras class (views)")]
    public float Keras()
        => _poisson.Compute(new ReadOnlyTensorSpan<float>(_d.YTrue, _shape, default), new ReadOnlyTensorSpan<float>(_d.YPred, _shape, default));
}
