#if EMITTER_COMPARISON
using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Current = DslLosses.Benchmarks.CurrentEmitter.KerasFormulas;
using Previous = DslLosses.Benchmarks.PreviousEmitter.KerasFormulas;

namespace DslLosses.Benchmarks;

/// <summary>
/// The Keras kernels of two emitters side by side (Previous.g.cs and Current.g.cs, made by
/// benchmarks/emitter-comparison/make-baseline.sh), both compiled into this program against the same runtime: float32,
/// Keras's default reduction (sum over batch size), label smoothing 0, no sample weight.
/// </summary>
/// <remarks>
/// More iterations than the other benchmarks, and the minimum and median beside the mean: the two kernels differ by a few
/// percent at most, and this machine is shared.
/// </remarks>
[WarmupCount(3), IterationCount(15), MinColumn, MedianColumn]
public abstract class EmitterComparisonBase
{
    private protected Inputs D = null!;
    private protected nint[] Shape = null!, LabelShape = null!;
    private protected float[] Gradient = null!;
    private int _savedThreads;

    /// <summary>"1": every call on the calling thread; "default": <see cref="Parallelism.MaxDegreeOfParallelism"/> left at the core count.</summary>
    [Params("1", "default")]
    public string Threads { get; set; } = "1";

    private protected void Setup(Loss loss, string size)
    {
        (int rows, int columns) = Inputs.ParseSize(size);
        D = new Inputs(loss, rows, columns);
        Shape = new nint[] { rows, columns };
        LabelShape = new nint[] { rows };
        Gradient = new float[rows * columns];
        _savedThreads = Parallelism.MaxDegreeOfParallelism;
        Parallelism.MaxDegreeOfParallelism = Threads == "1" ? 1 : Environment.ProcessorCount;
    }

    /// <summary>Both emitters' kernels must compute the same loss (else the comparison is meaningless); prints whether the bits agree.</summary>
    private protected static void CheckSame(string what, float previous, float current)
    {
        if (!(Math.Abs(previous - current) <= 1e-5f * Math.Abs(previous)))
            throw new InvalidOperationException($"{what}: previous emitter {previous:R}, current emitter {current:R}");
        Console.WriteLine($"// {what}: previous {previous:R}, current {current:R}{(previous == current ? " (bit-identical)" : "")}");
    }

    [GlobalCleanup]
    public void GlobalCleanup() => Parallelism.MaxDegreeOfParallelism = _savedThreads;

    private protected ReadOnlyTensorSpan<float> YTrue => new(D.YTrue, Shape, default);
    private protected ReadOnlyTensorSpan<float> YPred => new(D.YPred, Shape, default);
    private protected ReadOnlyTensorSpan<int> Labels => new(D.Labels, LabelShape, default);
    private protected TensorSpan<float> GradientSpan => new(Gradient, Shape, default);
}

/// <summary>The forward kernels: the previous emitter's (baseline) and the current emitter's.</summary>
public class EmitterComparison : EmitterComparisonBase
{
    [ParamsAllValues]
    public Loss Loss { get; set; }

    [Params("32x10", "4096x100", "65536x256")]
    public string Size { get; set; } = "32x10";

    [GlobalSetup]
    public void GlobalSetup()
    {
        Setup(Loss, Size);
        CheckSame($"{Loss} {Size}", PreviousEmitter(), CurrentEmitter());
    }

    [Benchmark(Baseline = true, Description = "previous emitter")]
    public float PreviousEmitter() => Loss switch
    {
        Loss.BceProbs => Previous.BinaryCrossentropyProbabilities(YTrue, YPred, 0f),
        Loss.BceLogits => Previous.BinaryCrossentropyLogits(YTrue, YPred, 0f),
        Loss.CceProbs => Previous.CategoricalCrossentropyProbabilities(YTrue, YPred, 0f),
        Loss.CceLogits => Previous.CategoricalCrossentropyLogits(YTrue, YPred, 0f),
        Loss.SparseCceLogits => Previous.SparseCategoricalCrossentropyLogits(Labels, YPred),
        Loss.Poisson => Previous.Poisson(YTrue, YPred),
        _ => Previous.KLDivergence(YTrue, YPred),
    };

    [Benchmark(Description = "current emitter")]
    public float CurrentEmitter() => Loss switch
    {
        Loss.BceProbs => Current.BinaryCrossentropyProbabilities(YTrue, YPred, 0f),
        Loss.BceLogits => Current.BinaryCrossentropyLogits(YTrue, YPred, 0f),
        Loss.CceProbs => Current.CategoricalCrossentropyProbabilities(YTrue, YPred, 0f),
        Loss.CceLogits => Current.CategoricalCrossentropyLogits(YTrue, YPred, 0f),
        Loss.SparseCceLogits => Current.SparseCategoricalCrossentropyLogits(Labels, YPred),
        Loss.Poisson => Current.Poisson(YTrue, YPred),
        _ => Current.KLDivergence(YTrue, YPred),
    };
}

/// <summary>The fused loss + gradient kernels of the two emitters, for the logits losses, at the medium size.</summary>
public class EmitterComparisonWithGradient : EmitterComparisonBase
{
    [Params(Loss.BceLogits, Loss.CceLogits)]
    public Loss Loss { get; set; }

    [Params("4096x100")]
    public string Size { get; set; } = "4096x100";

    [GlobalSetup]
    public void GlobalSetup()
    {
        Setup(Loss, Size);
        CheckSame($"{Loss} {Size} with gradient", PreviousEmitter(), CurrentEmitter());
    }

    [Benchmark(Baseline = true, Description = "previous emitter")]
    public float PreviousEmitter() => Loss == Loss.BceLogits
        ? Previous.BinaryCrossentropyLogitsWithGradient(YTrue, YPred, 0f, GradientSpan)
        : Previous.CategoricalCrossentropyLogitsWithGradient(YTrue, YPred, 0f, GradientSpan);

    [Benchmark(Description = "current emitter")]
    public float CurrentEmitter() => Loss == Loss.BceLogits
        ? Current.BinaryCrossentropyLogitsWithGradient(YTrue, YPred, 0f, GradientSpan)
        : Current.CategoricalCrossentropyLogitsWithGradient(YTrue, YPred, 0f, GradientSpan);
}
#endif
