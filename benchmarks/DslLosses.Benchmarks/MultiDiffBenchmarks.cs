using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using static DslLosses.Dsl;

namespace DslLosses.Benchmarks;

/// <summary>Gaussian NLL with a learnt mean and variance, each marked [Differentiable] alone and both together.</summary>
public static partial class MultiDiffFormulas
{
    [Loss(ElementTypes = LossElementTypes.Single)]
    static TensorExpr GaussianNll([Shape("B", "N")] TensorExpr y, [Differentiable, Shape("B", "N")] TensorExpr mean, [Differentiable, Shape("B", "N")] TensorExpr variance)
        => Mean(0.5 * (Log(variance) + Square(y - mean) / variance), axis: -1);

    [Loss(ElementTypes = LossElementTypes.Single)]
    static TensorExpr GaussianNllByMean([Shape("B", "N")] TensorExpr y, [Differentiable, Shape("B", "N")] TensorExpr mean, [Shape("B", "N")] TensorExpr variance)
        => Mean(0.5 * (Log(variance) + Square(y - mean) / variance), axis: -1);

    [Loss(ElementTypes = LossElementTypes.Single)]
    static TensorExpr GaussianNllByVariance([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr mean, [Differentiable, Shape("B", "N")] TensorExpr variance)
        => Mean(0.5 * (Log(variance) + Square(y - mean) / variance), axis: -1);
}

/// <summary>Both gradients of a two-input loss in one pass against one pass per input (one thread, float32, mean reduction).</summary>
[MemoryDiagnoser]
public class MultiDiffBenchmarks
{
    [Params("4096x100", "65536x256")]
    public string Size { get; set; } = "4096x100";

    private float[] _y = null!, _mean = null!, _variance = null!, _gMean = null!, _gVariance = null!;
    private nint[] _shape = null!;
    private int _threads;

    [GlobalSetup]
    public void GlobalSetup()
    {
        (int rows, int columns) = Inputs.ParseSize(Size);
        var random = new Random(1);
        float[] Fill(float lo, float hi)
        {
            var v = new float[rows * columns];
            for (int i = 0; i < v.Length; i++)
                v[i] = lo + (hi - lo) * random.NextSingle();
            return v;
        }
        _y = Fill(-1, 1);
        _mean = Fill(-1, 1);
        _variance = Fill(0.3f, 2);
        _gMean = new float[_y.Length];
        _gVariance = new float[_y.Length];
        _shape = new nint[] { rows, columns };
        _threads = Parallelism.MaxDegreeOfParallelism;
        Parallelism.MaxDegreeOfParallelism = 1;
    }

    [GlobalCleanup]
    public void GlobalCleanup() => Parallelism.MaxDegreeOfParallelism = _threads;

    private ReadOnlyTensorSpan<float> In(float[] v) => new(v, _shape, default);

    private TensorSpan<float> Out(float[] v) => new(v, _shape, default);

    [Benchmark(Baseline = true, Description = "one pass per input")]
    public float Separate()
    {
        MultiDiffFormulas.GaussianNllByMeanGradient(In(_y), In(_mean), In(_variance), Out(_gMean));
        MultiDiffFormulas.GaussianNllByVarianceGradient(In(_y), In(_mean), In(_variance), Out(_gVariance));
        return _gMean[0] + _gVariance[0];
    }

    [Benchmark(Description = "both in one pass")]
    public float Fused()
    {
        MultiDiffFormulas.GaussianNllGradient(In(_y), In(_mean), In(_variance), Out(_gMean), Out(_gVariance));
        return _gMean[0] + _gVariance[0];
    }
}
