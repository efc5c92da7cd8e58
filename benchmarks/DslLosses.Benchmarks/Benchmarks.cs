using System;
using System.Linq;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using TorchSharp;
using static TorchSharp.torch;
using TTensor = TorchSharp.torch.Tensor;

namespace DslLosses.Benchmarks;

/// <summary>Holds one loss's inputs as spans, DslLosses loss objects and TorchSharp tensors.</summary>
public abstract class LossBench
{
    [ParamsAllValues]
    public Loss Loss { get; set; }

    private protected Inputs D = null!;
    private protected nint[] Shape = null!, LabelShape = null!;
    private protected float[] Gradient = null!;
    private protected KerasLoss? Keras;
    private protected SparseCategoricalCrossentropy Sparse = new(fromLogits: true);

    private protected void Setup(string size)
    {
        (int rows, int columns) = Inputs.ParseSize(size);
        D = new Inputs(Loss, rows, columns);
        Shape = new nint[] { rows, columns };
        LabelShape = new nint[] { rows };
        Gradient = new float[rows * columns];
        Keras = Loss switch
        {
            Loss.BceProbs => new BinaryCrossentropy(),
            Loss.BceLogits => new BinaryCrossentropy(fromLogits: true),
            Loss.CceProbs => new CategoricalCrossentropy(),
            Loss.CceLogits => new CategoricalCrossentropy(fromLogits: true),
            Loss.Poisson => new Poisson(),
            Loss.KLDivergence => new KLDivergence(),
            _ => null,
        };
    }

    private protected ReadOnlyTensorSpan<float> YTrue => new(D.YTrue, Shape, default);
    private protected ReadOnlyTensorSpan<float> YPred => new(D.YPred, Shape, default);
    private protected ReadOnlyTensorSpan<int> Labels => new(D.Labels, LabelShape, default);

    private protected float Forward()
        => Keras is not null ? Keras.Compute(YTrue, YPred) : Sparse.Compute(Labels, YPred);
}

/// <summary>Each built-in loss, float32, mean reduction: DslLosses against its peers, in one run.</summary>
[MemoryDiagnoser]
public class LossBenchmarks : LossBench
{
    private Baselines.Scratch _scratch = null!;
    private TTensor _yTrue = null!, _yPred = null!, _labels = null!;

    [Params("32x10", "4096x100", "65536x256")]
    public string Size { get; set; } = "32x10";

    [GlobalSetup]
    public void GlobalSetup()
    {
        Setup(Size);
        _scratch = new Baselines.Scratch(D.YTrue.Length);
        _yTrue = torch.tensor(D.YTrue, new long[] { D.Rows, D.Columns });
        _yPred = torch.tensor(D.YPred, new long[] { D.Rows, D.Columns });
        _labels = torch.tensor(D.Labels.Select(l => (long)l).ToArray(), new long[] { D.Rows });
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _yTrue.Dispose();
        _yPred.Dispose();
        _labels.Dispose();
    }

    [Benchmark(Baseline = true, Description = "DslLosses")]
    public float DslLosses() => Forward();

    [Benchmark(Description = "TorchSharp 1 thread")]
    public float TorchSharp1() => Torch.Compute(Loss, _yTrue, _yPred, _labels, threads: 1);

    [Benchmark(Description = "TorchSharp 2 threads")]
    public float TorchSharp2() => Torch.Compute(Loss, _yTrue, _yPred, _labels, threads: 2);

    [Benchmark(Description = "TensorPrimitives")]
    public float Composed() => Baselines.Composed(Loss, D, _scratch);

    [Benchmark(Description = "naive loop")]
    public float Naive() => Baselines.Naive<float>(Loss, D);

    [Benchmark(Description = "bandwidth floor")]
    public float Floor() => Baselines.Floor(Loss, D);
}

/// <summary>The generated gradient kernels against the forward kernel alone (span entry points, preallocated destination).</summary>
[MemoryDiagnoser]
public class GradientBenchmarks : LossBench
{
    [Params("4096x100", "65536x256")]
    public string Size { get; set; } = "4096x100";

    private int _threads;

    /// <summary>Both kernels on one thread (the forward total alone would otherwise split across cores).</summary>
    [GlobalSetup]
    public void GlobalSetup()
    {
        Setup(Size);
        _threads = Parallelism.MaxDegreeOfParallelism;
        Parallelism.MaxDegreeOfParallelism = 1;
    }

    [GlobalCleanup]
    public void GlobalCleanup() => Parallelism.MaxDegreeOfParallelism = _threads;

    [Benchmark(Baseline = true, Description = "forward")]
    public float ForwardOnly() => Forward();

    [Benchmark(Description = "loss + gradient (fused)")]
    public float WithGradient()
        => Keras is not null
            ? Keras.ComputeWithGradient(YTrue, YPred, new TensorSpan<float>(Gradient, Shape, default))
            : Sparse.ComputeWithGradient(Labels, YPred, new TensorSpan<float>(Gradient, Shape, default));

    [Benchmark(Description = "gradient")]
    public float GradientOnly()
    {
        if (Keras is not null)
            Keras.Gradient(YTrue, YPred, new TensorSpan<float>(Gradient, Shape, default));
        else
            Sparse.Gradient(Labels, YPred, new TensorSpan<float>(Gradient, Shape, default));
        return Gradient[0];
    }
}

/// <summary>The same losses through TorchSharp (libtorch), as close to Keras's formulas as its API allows.</summary>
public static class Torch
{
    private static int s_threads;

    public static float Compute(Loss loss, TTensor yTrue, TTensor yPred, TTensor labels, int threads)
    {
        if (s_threads != threads)
        {
            torch.set_num_threads(threads);
            s_threads = threads;
        }
        const double eps = 1e-7;
        using var scope = torch.NewDisposeScope();
        TTensor result = loss switch
        {
            Loss.BceProbs => nn.functional.binary_cross_entropy(yPred, yTrue),
            Loss.BceLogits => nn.functional.binary_cross_entropy_with_logits(yPred, yTrue),
            Loss.CceProbs => -(yTrue * (yPred / yPred.sum(1, keepdim: true)).clamp(eps, 1 - eps).log()).sum(1).mean(),
            Loss.CceLogits => nn.functional.cross_entropy(yPred, yTrue),
            Loss.SparseCceLogits => nn.functional.cross_entropy(yPred, labels),
            Loss.Poisson => nn.functional.poisson_nll_loss(yPred, yTrue, log_input: false, full: false, eps: (float)eps),
            Loss.KLDivergence => nn.functional.kl_div(yPred.clamp(eps, 1).log(), yTrue.clamp(eps, 1), reduction: nn.Reduction.Sum) / yPred.shape[0],
            _ => throw new ArgumentOutOfRangeException(nameof(loss)),
        };
        return result.item<float>();
    }
}

/// <summary>Nanoseconds per input element (rows x columns of y_pred).</summary>
public sealed class NsPerElementColumn : IColumn
{
    public string Id => nameof(NsPerElementColumn);
    public string ColumnName => "ns/elem";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Mean time divided by the number of prediction elements";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var report = summary[benchmarkCase];
        object? size = benchmarkCase.Parameters["Size"];
        if (report?.ResultStatistics is null || size is null)
            return "-";
        (int rows, int columns) = Inputs.ParseSize((string)size);
        return (report.ResultStatistics.Mean / ((double)rows * columns)).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
}

/// <summary>
/// What the instruction set gives each elementwise loss: the public API on one and two threads, its per-sample
/// (<c>None</c>) output on one and two threads, a hand-written single-pass kernel with the BCL's vector Log/Exp, and
/// TorchSharp's best, in one run. Run it once as is and once under <c>DOTNET_EnableAVX512=0</c> for the AVX2 table.
/// </summary>
[MemoryDiagnoser]
public class IsaBenchmarks
{
    [Params(Loss.BceProbs, Loss.BceLogits, Loss.Poisson, Loss.KLDivergence)]
    public Loss Loss { get; set; }

    [Params("32x10", "4096x100", "65536x256")]
    public string Size { get; set; } = "32x10";

    private Inputs _d = null!;
    private nint[] _shape = null!;
    private float[] _perSample = null!;
    private KerasLoss _keras = null!;
    private TTensor _yTrue = null!, _yPred = null!, _labels = null!;
    private int _threads;

    [GlobalSetup]
    public void GlobalSetup()
    {
        (int rows, int columns) = Inputs.ParseSize(Size);
        _d = new Inputs(Loss, rows, columns);
        _shape = new nint[] { rows, columns };
        _perSample = new float[rows];
        _keras = Loss switch
        {
            Loss.BceProbs => new BinaryCrossentropy(),
            Loss.BceLogits => new BinaryCrossentropy(fromLogits: true),
            Loss.Poisson => new Poisson(),
            _ => new KLDivergence(),
        };
        _yTrue = torch.tensor(_d.YTrue, new long[] { rows, columns });
        _yPred = torch.tensor(_d.YPred, new long[] { rows, columns });
        _labels = torch.zeros(rows, ScalarType.Int64);
        _threads = Parallelism.MaxDegreeOfParallelism;
        // the hand kernel is the same formula: it must give the same loss, to float rounding
        float api = Api(1), hand = HandFused.Compute(Loss, _d);
        if (Math.Abs(api - hand) > 1e-4 * Math.Abs(api))
            throw new InvalidOperationException($"{Loss} {Size}: the hand-fused kernel gives {hand}, the API {api}");
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        Parallelism.MaxDegreeOfParallelism = _threads;
        _yTrue.Dispose();
        _yPred.Dispose();
        _labels.Dispose();
    }

    private float Api(int threads)
    {
        Parallelism.MaxDegreeOfParallelism = threads;
        return _keras.Compute(new ReadOnlyTensorSpan<float>(_d.YTrue, _shape, default), new ReadOnlyTensorSpan<float>(_d.YPred, _shape, default));
    }

    private float PerSample(int threads)
    {
        Parallelism.MaxDegreeOfParallelism = threads;
        _keras.Compute(new ReadOnlyTensorSpan<float>(_d.YTrue, _shape, default), new ReadOnlyTensorSpan<float>(_d.YPred, _shape, default),
            new TensorSpan<float>(_perSample));
        return _perSample[0];
    }

    [Benchmark(Baseline = true, Description = "DslLosses 1 thread")]
    public float Api1() => Api(1);

    [Benchmark(Description = "DslLosses 2 threads")]
    public float Api2() => Api(2);

    [Benchmark(Description = "hand-fused 1 thread")]
    public float Hand() => HandFused.Compute(Loss, _d);

    [Benchmark(Description = "per-sample 1 thread")]
    public float PerSample1() => PerSample(1);

    [Benchmark(Description = "per-sample 2 threads")]
    public float PerSample2() => PerSample(2);

    [Benchmark(Description = "TorchSharp 1 thread")]
    public float TorchSharp1() => Torch.Compute(Loss, _yTrue, _yPred, _labels, threads: 1);

    [Benchmark(Description = "TorchSharp 2 threads")]
    public float TorchSharp2() => Torch.Compute(Loss, _yTrue, _yPred, _labels, threads: 2);

    [Benchmark(Description = "bandwidth floor")]
    public float Floor() => Baselines.Floor(Loss, _d);
}
