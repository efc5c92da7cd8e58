using System.Numerics.Tensors;

namespace DslLosses;

/// <summary>A built-in Keras loss object whose labels have the prediction's shape and type, as bridge kernels.</summary>
internal sealed class KerasLossKernels(KerasLoss loss)
    : TorchLossKernels(loss.Name, loss.Reduction, loss switch { BinaryCrossentropy b => b.Axis, CategoricalCrossentropy c => c.Axis, _ => -1 }, classIndexLabels: false)
{
    public override float Loss(in TorchLossInputs<float> x) => loss.Compute(x.YTrue, x.YPred, x.SampleWeight);

    public override double Loss(in TorchLossInputs<double> x) => loss.Compute(x.YTrue, x.YPred, x.SampleWeight);

    public override void PerSample(in TorchLossInputs<float> x, TensorSpan<float> destination) => loss.Compute(x.YTrue, x.YPred, destination, x.SampleWeight);

    public override void PerSample(in TorchLossInputs<double> x, TensorSpan<double> destination) => loss.Compute(x.YTrue, x.YPred, destination, x.SampleWeight);

    public override void Gradient(in TorchLossInputs<float> x, TensorSpan<float> gradient) => loss.Gradient(x.YTrue, x.YPred, gradient, x.SampleWeight);

    public override void Gradient(in TorchLossInputs<double> x, TensorSpan<double> gradient) => loss.Gradient(x.YTrue, x.YPred, gradient, x.SampleWeight);

    public override float LossWithGradient(in TorchLossInputs<float> x, TensorSpan<float> gradient) => loss.ComputeWithGradient(x.YTrue, x.YPred, gradient, x.SampleWeight);

    public override double LossWithGradient(in TorchLossInputs<double> x, TensorSpan<double> gradient) => loss.ComputeWithGradient(x.YTrue, x.YPred, gradient, x.SampleWeight);
}

/// <summary><see cref="SparseCategoricalCrossentropy"/> as bridge kernels: class-index labels along the last axis.</summary>
internal sealed class SparseKernels(SparseCategoricalCrossentropy loss)
    : TorchLossKernels(loss.Name, loss.Reduction, axis: -1, classIndexLabels: true)
{
    public override float Loss(in TorchLossInputs<float> x) => loss.Compute(x.ClassIndices, x.YPred, x.SampleWeight);

    public override double Loss(in TorchLossInputs<double> x) => loss.Compute(x.ClassIndices, x.YPred, x.SampleWeight);

    public override void PerSample(in TorchLossInputs<float> x, TensorSpan<float> destination) => loss.Compute(x.ClassIndices, x.YPred, destination, x.SampleWeight);

    public override void PerSample(in TorchLossInputs<double> x, TensorSpan<double> destination) => loss.Compute(x.ClassIndices, x.YPred, destination, x.SampleWeight);

    public override void Gradient(in TorchLossInputs<float> x, TensorSpan<float> gradient) => loss.Gradient(x.ClassIndices, x.YPred, gradient, x.SampleWeight);

    public override void Gradient(in TorchLossInputs<double> x, TensorSpan<double> gradient) => loss.Gradient(x.ClassIndices, x.YPred, gradient, x.SampleWeight);

    public override float LossWithGradient(in TorchLossInputs<float> x, TensorSpan<float> gradient) => loss.ComputeWithGradient(x.ClassIndices, x.YPred, gradient, x.SampleWeight);

    public override double LossWithGradient(in TorchLossInputs<double> x, TensorSpan<double> gradient) => loss.ComputeWithGradient(x.ClassIndices, x.YPred, gradient, x.SampleWeight);
}
