namespace DslLosses;

/// <summary>How per-sample losses are reduced, with the meaning of Keras's <c>ReductionV2</c>.</summary>
public enum Reduction
{
    /// <summary>No reduction: the (weighted) per-sample losses, one per element of the loss shape.</summary>
    None = 0,

    /// <summary>The sum of the weighted per-sample losses.</summary>
    Sum = 1,

    /// <summary>
    /// The sum of the weighted per-sample losses divided by the number of loss elements (never by the sum of the weights;
    /// zero weights still count). An empty batch gives 0. Keras's <c>auto</c> is this reduction, and it is the default.
    /// For a loss with ignored entries (<c>ignore_class</c>) the divisor is the number of entries not ignored.
    /// </summary>
    SumOverBatchSize = 2,

    /// <summary>
    /// Keras 3's <c>mean_with_sample_weight</c>: the sum of the weighted per-sample losses divided by the sum of the
    /// sample weights as given (a scalar weight counts once, a <c>[B]</c> weight B times, whatever the loss shape),
    /// or, without weights, by the number of loss elements (as <see cref="SumOverBatchSize"/>). A zero divisor gives 0
    /// (<c>divide_no_nan</c>). For a loss with ignored entries (<c>ignore_class</c>) the unweighted divisor is the
    /// number of entries not ignored (0 when all are ignored, not NaN); the weighted divisor is still the sum of the
    /// weights as given, ignored entries' weights included: give ignored entries weight 0 to leave them out, as Keras 3 does.
    /// </summary>
    MeanWithSampleWeight = 3,
}
