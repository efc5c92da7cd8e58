using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using TorchSharp;
using TTensor = TorchSharp.torch.Tensor;

namespace DslLosses.Benchmarks;

/// <summary>
/// The setup of the one-thread training-step benchmarks: seeded inputs, logits that require grad, one thread for
/// libtorch and for the kernels; the tensors made are disposed and the kernels' parallelism restored after the run.
/// </summary>
public abstract class OneThreadStep
{
    private readonly List<TTensor> _tensors = new();

    /// <summary>The logits, <c>rows x columns</c>, requiring grad.</summary>
    protected TTensor Logits { get; private set; } = null!;

    /// <summary>Makes the inputs and the logits and sets one thread; returns the inputs.</summary>
    protected Inputs Setup(Loss loss, int rows, int columns)
    {
        var d = new Inputs(loss, rows, columns);
        Logits = Track(torch.tensor(d.YPred, new long[] { rows, columns }).requires_grad_(true));
        torch.set_num_threads(1);
        Parallelism.MaxDegreeOfParallelism = 1;
        return d;
    }

    /// <summary>A tensor to dispose after the run.</summary>
    protected TTensor Track(TTensor tensor)
    {
        _tensors.Add(tensor);
        return tensor;
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        Parallelism.MaxDegreeOfParallelism = Environment.ProcessorCount;
        foreach (TTensor t in _tensors)
            t.Dispose();
        _tensors.Clear();
    }
}
