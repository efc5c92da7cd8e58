using static DslLosses.Dsl;

namespace DslLosses.TorchSharpSample;

/// <summary>A loss of this program's own: the generator makes its kernels and, since the project references DslLosses.TorchSharp, its TorchSharp entry point.</summary>
public static partial class SampleLosses
{
    /// <summary>Focal binary cross-entropy on probabilities: easy examples (pt near 1) weigh less.</summary>
    [Loss(Axis = -1)]
    static TensorExpr FocalBce([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, Scalar gamma)
    {
        var p = Clip(yPred, Epsilon, 1 - Epsilon);
        var pt = yTrue * p + (1 - yTrue) * (1 - p);
        return Mean(-Pow(1 - pt, gamma) * Log(pt), axis: -1);
    }
}
