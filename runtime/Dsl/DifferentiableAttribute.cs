using System;

namespace DslLosses;

/// <summary>
/// Marks the formula parameter the generated gradient kernels differentiate by. Without it, the prediction is taken
/// from the declaration when that leaves no doubt (the only full-shape <see cref="TensorExpr"/>, or the only one after the
/// target, by the <c>(yTrue, yPred)</c> convention, that the loss depends on differentiably); otherwise the generator
/// reports DSL0502 and asks for this attribute. On a <see cref="Scalar"/> parameter (any number of them) it adds a
/// method <c>FGradientBy</c><i>Name</i> returning the gradient of the reduced loss by that scalar.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute
{
}
