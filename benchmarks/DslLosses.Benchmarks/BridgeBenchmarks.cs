using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using TorchSharp;
using TTensor = TorchSharp.torch.Tensor;

namespace DslLosses.Benchmarks;

/// <summary>
/// One training step's loss, forward and backward, on TorchSharp tensors: through DslLosses.TorchSharp (the generated
/// kernels on the tensors' storage, inside TorchSharp's autograd) against TorchSharp's own loss ops.
/// </summary>
public class BridgeBenchmarks
{
    private TTensor _yTrue = null!, _labels32 = null!, _labels64 = null!, _logits = null!;
    private BinaryCrossentropy _bce = null!;
    private CategoricalCrossentropy _cce = null!;
    private SparseCategoricalCrossentropy _scce = null!;

    [Params(Loss.BceLogits, Loss.CceLogits, Loss.SparseCceLogits)]
    public Loss Loss { get; set; }

    [Params("32x10", "4096x100", "65536x256")]
    public string Size { get; set; } = "32x10";

    /// <summary>Threads for both: <c>torch.set_num_threads</c> and <c>Parallelism.MaxDegreeOfParallelism</c>.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        (int rows, int columns) = Inputs.ParseSize(Size);
        var d = new Inputs(Loss, rows, columns);
        _yTrue = torch.tensor(d.YTrue, new long[] { rows, columns });
        _labels32 = torch.tensor(d.Labels, new long[] { rows });
        _labels64 = torch.tensor(d.Labels.Select(l => (long)l).ToArray(), new long[] { rows });
        _logits = torch.tensor(d.YPred, new long[] { rows, columns }).requires_grad_(true);
        _bce = new BinaryCrossentropy(fromLogits: true);
        _cce = new CategoricalCrossentropy(fromLogits: true);
        _scce = new SparseCategoricalCrossentropy(fromLogits: true);
        torch.set_num_threads(Threads);
        Parallelism.MaxDegreeOfParallelism = Threads;
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        Parallelism.MaxDegreeOfParallelism = Environment.ProcessorCount;
        _yTrue.Dispose();
        _labels32.Dispose();
        _labels64.Dispose();
        _logits.Dispose();
    }

    [Benchmark(Baseline = true, Description = "DslLosses.TorchSharp")]
    public void Bridge()
    {
        using TTensor loss = Loss switch
        {
            Loss.BceLogits => _bce.Call(_yTrue, _logits),
            Loss.CceLogits => _cce.Call(_yTrue, _logits),
            _ => _scce.Call(_labels32, _logits),
        };
        loss.backward();
    }

    [Benchmark(Description = "TorchSharp")]
    public void TorchSharp()
    {
        using TTensor loss = Loss switch
        {
            Loss.BceLogits => torch.nn.functional.binary_cross_entropy_with_logits(_logits, _yTrue),
            Loss.CceLogits => torch.nn.functional.cross_entropy(_logits, _yTrue),
            _ => torch.nn.functional.cross_entropy(_logits, _labels64),
        };
        loss.backward();
    }
}
