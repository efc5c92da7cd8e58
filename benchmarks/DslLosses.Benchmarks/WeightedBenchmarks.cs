using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;

namespace DslLosses.Benchmarks;

/// <summary>
/// Weighted calls (a weight per row) on large inputs: the fused loss and gradient, the gradient alone and the per-sample
/// losses on one thread (the baseline) and on two, beside the unweighted fused call on two threads. Weighted calls take
/// the same size-determined chunks as unweighted ones.
/// </summary>
[MemoryDiagnoser]
public class WeightedBenchmarks
{
    [Params(Loss.CceLogits, Loss.BceLogits)]
    public Loss Loss { get; set; }

    [Params("4096x100", "65536x256")]
    public string Size { get; set; } = "4096x100";

    private Inputs _d = null!;
    private nint[] _shape = null!;
    private KerasLoss _keras = null!;
    private float[] _weights = null!, _perSample = null!, _gradient = null!;
    private int _threads;

    [GlobalSetup]
    public void GlobalSetup()
    {
        (int rows, int columns) = Inputs.ParseSize(Size);
        _d = new Inputs(Loss, rows, columns);
        _shape = new nint[] { rows, columns };
        _keras = Loss == Loss.CceLogits ? new CategoricalCrossentropy(fromLogits: true) : new BinaryCrossentropy(fromLogits: true);
        var random = new Random(7);
        _weights = new float[rows];
        for (int i = 0; i < _weights.Length; i++)
            _weights[i] = (float)(2 * random.NextDouble());
        _perSample = new float[rows];
        _gradient = new float[rows * columns];
        _threads = Parallelism.MaxDegreeOfParallelism;
    }

    [GlobalCleanup]
    public void GlobalCleanup() => Parallelism.MaxDegreeOfParallelism = _threads;

    private ReadOnlyTensorSpan<float> Weights => new(_weights);
    private ReadOnlyTensorSpan<float> YTrue => new(_d.YTrue, _shape, default);
    private ReadOnlyTensorSpan<float> YPred => new(_d.YPred, _shape, default);

    private float Fused(int threads, bool weighted)
    {
        Parallelism.MaxDegreeOfParallelism = threads;
        return _keras.ComputeWithGradient(YTrue, YPred, new TensorSpan<float>(_gradient, _shape, default), weighted ? Weights : default);
    }

    private float GradientAlone(int threads)
    {
        Parallelism.MaxDegreeOfParallelism = threads;
        _keras.Gradient(YTrue, YPred, new TensorSpan<float>(_gradient, _shape, default), Weights);
        return _gradient[0];
    }

    private float PerSample(int threads)
    {
        Parallelism.MaxDegreeOfParallelism = threads;
        _keras.Compute(YTrue, YPred, new TensorSpan<float>(_perSample), Weights);
        return _perSample[0];
    }

    [Benchmark(Baseline = true, Description = "weighted fused, 1 thread")]
    public float Fused1() => Fused(1, weighted: true);

    [Benchmark(Description = "weighted fused, 2 threads")]
    public float Fused2() => Fused(2, weighted: true);

    [Benchmark(Description = "unweighted fused, 2 threads")]
    public float Unweighted2() => Fused(2, weighted: false);

    [Benchmark(Description = "weighted gradient, 1 thread")]
    public float Gradient1() => GradientAlone(1);

    [Benchmark(Description = "weighted gradient, 2 threads")]
    public float Gradient2() => GradientAlone(2);

    [Benchmark(Description = "weighted per-sample, 1 thread")]
    public float PerSample1() => PerSample(1);

    [Benchmark(Description = "weighted per-sample, 2 threads")]
    public float PerSample2() => PerSample(2);
}
