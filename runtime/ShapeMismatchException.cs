using System;

namespace DslLosses;

/// <summary>
/// The tensors passed to a loss do not have the shapes its formula declares. The message names the loss, the
/// arguments and their shapes.
/// </summary>
public sealed class ShapeMismatchException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="lossName">The loss whose arguments do not fit.</param>
    /// <param name="message">What does not fit, naming the arguments and their shapes.</param>
    /// <param name="paramName">The argument found to be wrong.</param>
    public ShapeMismatchException(string lossName, string message, string? paramName)
        : base(message, paramName) => LossName = lossName;

    /// <summary>The loss whose arguments do not fit.</summary>
    public string LossName { get; }
}
