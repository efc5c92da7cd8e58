using DslLosses;
using static DslLosses.Dsl;

namespace DslLosses.Sample;

/// <summary>A loss of our own, written in the DSL: the generator emits its kernels when this project builds.</summary>
public static partial class MyLosses
{
    /// <summary>Focal binary crossentropy (Lin et al. 2017) on probabilities, mean over the last axis.</summary>
    [Loss(Axis = -1)]
    static TensorExpr FocalBce([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, Scalar gamma)
    {
        var p = Clip(yPred, Epsilon, 1 - Epsilon);
        var pt = yTrue * p + (1 - yTrue) * (1 - p);
        return Mean(-Pow(1 - pt, gamma) * Log(pt), axis: -1);
    }
}
