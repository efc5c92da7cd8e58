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
}
