using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;

namespace DslLosses.Benchmarks;

/// <summary>
/// Narrow class axes, where the kernels take tiles of rows (one row per lane): categorical cross-entropy on logits,
/// total and per-sample, one thread, 16,384 rows of C classes. With AVX-512 a float tile is 16 rows of at most 15
/// columns (Vector512), wider rows up to 128 classes take 8-row Vector256 tiles; without AVX-512 every tile is a
/// Vector256 one. Run under both settings: where the 512-bit column loses to the 256-bit one, its limit is too high.
/// </summary>
[MemoryDiagnoser]
public class TileBenchmarks
{
    [Params(4, 10, 15, 16, 32, 100, 128, 200)]
    public int C { get; set; }

    private const int Rows = 16384;
    private float[] _y = null!, _x = null!, _perSample = null!;
    private nint[] _shape = null!;
    private CategoricalCrossentropy _cce = null!;
    private int _threads;

    [GlobalSetup]
    public void GlobalSetup()
    {
        var d = new Inputs(Loss.CceLogits, Rows, C);
        _y = d.YTrue;
        _x = d.YPred;
        _perSample = new float[Rows];
        _shape = new nint[] { Rows, C };
        _cce = new CategoricalCrossentropy(fromLogits: true);
        _threads = Parallelism.MaxDegreeOfParallelism;
        Parallelism.MaxDegreeOfParallelism = 1;
    }

    [GlobalCleanup]
    public void GlobalCleanup() => Parallelism.MaxDegreeOfParallelism = _threads;

    [Benchmark(Baseline = true, Description = "total")]
    public float Total() => _cce.Compute(new ReadOnlyTensorSpan<float>(_y, _shape, default), new ReadOnlyTensorSpan<float>(_x, _shape, default));

    [Benchmark(Description = "per-sample")]
    public float PerSample()
    {
        _cce.Compute(new ReadOnlyTensorSpan<float>(_y, _shape, default), new ReadOnlyTensorSpan<float>(_x, _shape, default), new TensorSpan<float>(_perSample));
        return _perSample[0];
    }
}
