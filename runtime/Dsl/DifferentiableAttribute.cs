using System;

namespace DslLosses;

/// <summary>
/// Marks the formula parameter the generated gradient kernels differentiate by. Without it, the last full-shape
/// <see cref="Tensor"/> parameter is used (the prediction, by the <c>(yTrue, yPred)</c> convention).
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute
{
}
