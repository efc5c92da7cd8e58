using System.Linq;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using TorchSharp;
using TTensor = TorchSharp.torch.Tensor;

namespace DslLosses.Benchmarks;

/// <summary>
/// Sparse CCE on logits at 4096x100, one thread, with int64 labels (TorchSharp's default): where a bridged training
/// step's time goes. The steps (forward + backward) through the bridge with int64 and int32 labels, with int64 labels
/// converted by TorchSharp's <c>to(Int32)</c> first (what the bridge did per call before it narrowed them itself),
/// and TorchSharp's own <c>cross_entropy</c>; the parts: the conversion alone, the bridge's narrowing alone, and the
/// fused kernel alone on arrays against the loss and gradient kernels called one after the other.
/// </summary>
public class SparseLabelBenchmarks : OneThreadStep
{
    private const int Rows = 4096, Columns = 100;
    private TTensor _labels32 = null!, _labels64 = null!;
    private SparseCategoricalCrossentropy _scce = null!;
    private int[] _labels = null!, _narrowed = null!;
    private float[] _yPred = null!, _gradient = null!;

    [GlobalSetup]
    public void GlobalSetup()
    {
        var d = Setup(Loss.SparseCceLogits, Rows, Columns);
        _labels = d.Labels;
        _yPred = d.YPred;
        _gradient = new float[Rows * Columns];
        _narrowed = new int[Rows];
        _labels32 = Track(torch.tensor(d.Labels, new long[] { Rows }));
        _labels64 = Track(torch.tensor(d.Labels.Select(l => (long)l).ToArray(), new long[] { Rows }));
        _scce = new SparseCategoricalCrossentropy(fromLogits: true);
    }

    [Benchmark(Baseline = true, Description = "bridge, int64 labels")]
    public void BridgeInt64()
    {
        using TTensor loss = _scce.Call(_labels64, Logits);
        loss.backward();
    }

    [Benchmark(Description = "bridge, int32 labels")]
    public void BridgeInt32()
    {
        using TTensor loss = _scce.Call(_labels32, Logits);
        loss.backward();
    }

    [Benchmark(Description = "bridge, int64 labels through to(Int32)")]
    public void BridgeInt64ConvertedByTorch()
    {
        using TTensor labels = _labels64.to(torch.ScalarType.Int32);
        using TTensor loss = _scce.Call(labels, Logits);
        loss.backward();
    }

    [Benchmark(Description = "TorchSharp cross_entropy, int64 labels")]
    public void TorchSharpInt64()
    {
        using TTensor loss = torch.nn.functional.cross_entropy(Logits, _labels64);
        loss.backward();
    }

    [Benchmark(Description = "to(Int32) alone")]
    public void ConvertByTorch()
    {
        using TTensor labels = _labels64.to(torch.ScalarType.Int32);
    }

    [Benchmark(Description = "bridge's narrowing alone")]
    public bool Narrow()
        => ClassIndexLabels.TryNarrow(MemoryMarshal.Cast<byte, long>(_labels64.bytes), _narrowed);

    [Benchmark(Description = "fused kernel alone (arrays)")]
    public float KernelOnly()
        => _scce.ComputeWithGradient(new ReadOnlyTensorSpan<int>(_labels, [Rows], []), new ReadOnlyTensorSpan<float>(_yPred, [Rows, Columns], []), new TensorSpan<float>(_gradient));

    /// <summary>What a step's kernels cost before the fused step: the loss kernel in forward, the gradient kernel in backward.</summary>
    [Benchmark(Description = "loss kernel + gradient kernel (arrays)")]
    public float TwoKernels()
    {
        var labels = new ReadOnlyTensorSpan<int>(_labels, [Rows], []);
        var yPred = new ReadOnlyTensorSpan<float>(_yPred, [Rows, Columns], []);
        _scce.Gradient(labels, yPred, new TensorSpan<float>(_gradient));
        return _scce.Compute(labels, yPred);
    }
}
