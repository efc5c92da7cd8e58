using System;

namespace DslLosses;

/// <summary>Validation of the options shared by the Keras losses.</summary>
internal static class KerasOptions
{
    public static double LabelSmoothing(double value)
    {
        if (!(value >= 0.0 && value <= 1.0))
            throw new ArgumentOutOfRangeException("labelSmoothing", value, $"labelSmoothing must be in [0, 1], not {value}.");
        return value;
    }

    public static Reduction Defined(Reduction reduction)
        => reduction is Reduction.None or Reduction.Sum or Reduction.SumOverBatchSize
            ? reduction
            : throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Use Reduction.None, Sum or SumOverBatchSize.");
}
