using System;

namespace DslLosses;

/// <summary>Validation of the options shared by the Keras losses.</summary>
internal static class KerasOptions
{
    public static double LabelSmoothing(double value) => InUnitInterval(value, "labelSmoothing");

    /// <summary>Huber's <c>delta</c>: greater than 0.</summary>
    public static double Delta(double value)
    {
        if (!(value > 0.0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException("delta", value, $"delta must be a finite number greater than 0, not {value}.");
        return value;
    }

    /// <summary>The focal losses' <c>gamma</c>: at least 0.</summary>
    public static double Gamma(double value)
    {
        if (!(value >= 0.0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException("gamma", value, $"gamma must be a finite number at least 0, not {value}.");
        return value;
    }

    /// <summary>The focal losses' <c>alpha</c>: in [0, 1].</summary>
    public static double Alpha(double value) => InUnitInterval(value, "alpha");

    private static double InUnitInterval(double value, string name)
    {
        if (!(value >= 0.0 && value <= 1.0))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1], not {value}.");
        return value;
    }

    public static Reduction Defined(Reduction reduction)
        => reduction is Reduction.None or Reduction.Sum or Reduction.SumOverBatchSize or Reduction.MeanWithSampleWeight
            ? reduction
            : throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Use Reduction.None, Sum, SumOverBatchSize or MeanWithSampleWeight.");
}
