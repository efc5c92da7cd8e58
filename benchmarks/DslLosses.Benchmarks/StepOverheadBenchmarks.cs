using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using DslLosses.Testing;
using TorchSharp;
using TTensor = TorchSharp.torch.Tensor;

namespace DslLosses.Benchmarks;

/// <summary>
/// What a 32x10 training step costs (BCE on logits, one thread): through the bridge; the same TorchSharp calls
/// with no kernel (<see cref="KernelFreeStep"/>: TorchSharp's custom-function machinery alone); the fused kernel alone
/// on arrays; and TorchSharp's own <c>binary_cross_entropy_with_logits</c>.
/// </summary>
public class StepOverheadBenchmarks : OneThreadStep
{
    private const int Rows = 32, Columns = 10;
    private TTensor _yTrue = null!;
    private BinaryCrossentropy _bce = null!;
    private float[] _y = null!, _p = null!, _gradient = null!;

    [GlobalSetup]
    public void GlobalSetup()
    {
        var d = Setup(Loss.BceLogits, Rows, Columns);
        _y = d.YTrue;
        _p = d.YPred;
        _gradient = new float[Rows * Columns];
        _yTrue = Track(torch.tensor(d.YTrue, new long[] { Rows, Columns }));
        _bce = new BinaryCrossentropy(fromLogits: true);
    }

    [Benchmark(Baseline = true, Description = "bridge step")]
    public void Bridge()
    {
        using TTensor loss = _bce.Call(_yTrue, Logits);
        loss.backward();
    }

    [Benchmark(Description = "same TorchSharp calls, no kernel")]
    public void KernelFree() => KernelFreeStep.Run(_bce, _yTrue, Logits, null);

    [Benchmark(Description = "fused kernel alone (arrays)")]
    public float KernelOnly()
        => _bce.ComputeWithGradient(new ReadOnlyTensorSpan<float>(_y, [Rows, Columns], []), new ReadOnlyTensorSpan<float>(_p, [Rows, Columns], []), new TensorSpan<float>(_gradient));

    [Benchmark(Description = "TorchSharp binary_cross_entropy_with_logits")]
    public void TorchSharp()
    {
        using TTensor loss = torch.nn.functional.binary_cross_entropy_with_logits(Logits, _yTrue);
        loss.backward();
    }
}
