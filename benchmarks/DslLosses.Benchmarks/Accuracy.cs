using System;
using System.Numerics.Tensors;

namespace DslLosses.Benchmarks;

/// <summary>Relative error of each float32 implementation against a float64 loop of the Keras formula, at the large size.</summary>
public static class Accuracy
{
    public static void Print()
    {
        const int rows = 65536, columns = 256;
        Console.WriteLine($"relative error against float64, {rows}x{columns}, mean reduction");
        Console.WriteLine($"{"loss",-16} {"DslLosses",12} {"TensorPrimitives",17} {"naive float",12}");
        foreach (Loss loss in Enum.GetValues<Loss>())
        {
            var d = new Inputs(loss, rows, columns);
            double reference = Baselines.Naive<double>(loss, d);
            var shape = new nint[] { rows, columns };
            var yTrue = new ReadOnlyTensorSpan<float>(d.YTrue, shape, default);
            var yPred = new ReadOnlyTensorSpan<float>(d.YPred, shape, default);
            float ours = loss switch
            {
                Loss.BceProbs => new BinaryCrossentropy().Compute(yTrue, yPred),
                Loss.BceLogits => new BinaryCrossentropy(fromLogits: true).Compute(yTrue, yPred),
                Loss.CceProbs => new CategoricalCrossentropy().Compute(yTrue, yPred),
                Loss.CceLogits => new CategoricalCrossentropy(fromLogits: true).Compute(yTrue, yPred),
                Loss.SparseCceLogits => new SparseCategoricalCrossentropy(fromLogits: true).Compute(new ReadOnlyTensorSpan<int>(d.Labels), yPred),
                Loss.Poisson => new Poisson().Compute(yTrue, yPred),
                _ => new KLDivergence().Compute(yTrue, yPred),
            };
            float composed = Baselines.Composed(loss, d, new Baselines.Scratch(rows * columns));
            float naive = Baselines.Naive<float>(loss, d);
            static string Rel(double v, double r) => (Math.Abs(v - r) / Math.Abs(r)).ToString("0.0e+0", System.Globalization.CultureInfo.InvariantCulture);
            Console.WriteLine($"{loss,-16} {Rel(ours, reference),12} {Rel(composed, reference),17} {Rel(naive, reference),12}");
        }
    }
}
