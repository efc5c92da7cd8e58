// This file imports the runtime API, the DSL vocabulary and System.Numerics.Tensors at once, as a user's single-file
// program would: the DSL's tensor marker is TensorExpr, so Tensor.Create below is System.Numerics.Tensors's and nothing
// here is ambiguous (it would not compile otherwise).
using System.Numerics.Tensors;
using DslLosses;
using Xunit;
using static DslLosses.Dsl;

namespace DslLosses.Tests;

public static partial class OneFileFormulas
{
    /// <summary>Mean absolute error, declared beside code that creates tensors with System.Numerics.Tensors.</summary>
    [Loss]
    static TensorExpr Mae([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => Mean(Abs(yTrue - yPred), axis: -1);
}

[Trait("Category", "Kernels")]
public class OneFileTests
{
    [Fact]
    public void Runtime_api_dsl_markers_and_System_Numerics_Tensors_share_one_file()
    {
        Tensor<float> yTrue = Tensor.Create(new float[] { 0f, 1f, 2f, 3f }, [2, 2]);
        Tensor<float> yPred = Tensor.Create(new float[] { 1f, 1f, 0f, 3f }, [2, 2]);

        // rows: (|0-1| + |1-1|) / 2 = 0.5 and (|2-0| + |3-3|) / 2 = 1, worked by hand
        Assert.Equal(1.5f, OneFileFormulas.Mae(yTrue, yPred, Reduction.Sum));
        Assert.Equal(0.75f, OneFileFormulas.Mae(yTrue, yPred));
        Assert.Equal(0.75f, new MeanAbsoluteError().Compute(yTrue, yPred));
    }
}
