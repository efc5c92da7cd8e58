using Microsoft.CodeAnalysis;

namespace DslLosses.Analyzers;

/// <summary>
/// The diagnostics of the DslLosses analyzers. IDs continue the generator's ranges: DSL01xx shapes, DSL02xx options,
/// DSL03xx probable misuse. Each has a help page under <c>docs/diagnostics/</c> and a line in <c>AnalyzerReleases.*.md</c>;
/// each can be configured in <c>.editorconfig</c> (<c>dotnet_diagnostic.DSL0106.severity = warning</c>).
/// </summary>
public static class Descriptors
{
    /// <summary>Where the help pages live; the ID and <c>.md</c> are appended.</summary>
    public const string HelpLinkBase = "https://github.com/DslLosses/DslLosses/blob/main/docs/diagnostics/";

    /// <summary>Category of the shape diagnostics.</summary>
    public const string ShapesCategory = "DslLosses.Shapes";
    /// <summary>Category of the option diagnostics.</summary>
    public const string OptionsCategory = "DslLosses.Options";
    /// <summary>Category of the probable-misuse diagnostics.</summary>
    public const string MisuseCategory = "DslLosses.Misuse";

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity, string description)
        => new(id, title, message, category, severity, isEnabledByDefault: true, description: description, helpLinkUri: HelpLinkBase + id + ".md");

    /// <summary>DSL0106: arguments whose shapes are known at compile time do not fit the loss's declared shapes.</summary>
    public static readonly DiagnosticDescriptor ArgumentShapeMismatch = Create(
        "DSL0106", "Arguments of known shapes do not fit the loss",
        "{0}: {1}",
        ShapesCategory, DiagnosticSeverity.Error,
        "The shapes of the arguments are known at compile time (array creations with constant lengths, initializers, collection expressions, Tensor.Create with constant lengths, TorchSharp's torch.zeros/ones/rand/randn/empty with constant sizes and torch.tensor of such arrays) and the call throws ShapeMismatchException at run time.");

    /// <summary>DSL0107: a constant axis outside the rank of inputs of known shape.</summary>
    public static readonly DiagnosticDescriptor AxisOutOfRange = Create(
        "DSL0107", "Axis out of range for the inputs",
        "{0}: axis {1} is out of range for '{2}' of rank {3}; use an axis in [-{3}, {4}]",
        ShapesCategory, DiagnosticSeverity.Warning,
        "The axis given to a built-in loss does not name a dimension of the inputs, whose rank is known at compile time; the call throws at run time.");

    /// <summary>DSL0201: a constant label smoothing outside [0, 1].</summary>
    public static readonly DiagnosticDescriptor LabelSmoothingOutOfRange = Create(
        "DSL0201", "label_smoothing outside [0, 1]",
        "{0}: labelSmoothing is {1}, outside [0, 1]; use a value in [0, 1] ({2})",
        OptionsCategory, DiagnosticSeverity.Error,
        "Label smoothing mixes the labels with a uniform target; a factor outside [0, 1] gives targets outside [0, 1]. The built-in losses throw ArgumentOutOfRangeException for it; tf_keras would silently use it.");

    /// <summary>DSL0202: a constant <c>delta</c>, <c>gamma</c> or <c>alpha</c> outside its range given to a built-in loss.</summary>
    public static readonly DiagnosticDescriptor OptionOutOfRange = Create(
        "DSL0202", "Loss option outside its range",
        "{0}: {1} is {2}, but it must be {3}",
        OptionsCategory, DiagnosticSeverity.Error,
        "Huber's delta must be greater than 0, the focal losses' gamma at least 0 and their alpha in [0, 1]; the built-in losses throw ArgumentOutOfRangeException for other values, tf_keras would silently use them.");

    /// <summary>DSL0301: constant probabilities outside [0, 1] with <c>fromLogits: false</c>.</summary>
    public static readonly DiagnosticDescriptor ProbabilitiesOutOfRange = Create(
        "DSL0301", "Predictions outside [0, 1] passed as probabilities",
        "{0}: '{1}' holds {2}, outside [0, 1], but the loss reads it as probabilities (fromLogits: false) and clips it to [1e-7, 1 - 1e-7] silently; pass fromLogits: true if these are logits",
        MisuseCategory, DiagnosticSeverity.Warning,
        "With fromLogits: false the Keras losses clip predictions into [epsilon, 1 - epsilon] without an error, so logits passed as probabilities give a wrong loss and a zero gradient.");

    /// <summary>DSL0302: constant predictions that all lie in [0, 1] passed as logits.</summary>
    public static readonly DiagnosticDescriptor ProbabilitiesAsLogits = Create(
        "DSL0302", "Probabilities passed as logits",
        "{0}: every value of '{1}' lies in [0, 1], which looks like probabilities, but the loss reads it as logits (fromLogits: true) and applies {2} again; pass fromLogits: false if these are probabilities",
        MisuseCategory, DiagnosticSeverity.Warning,
        "Logits are unbounded scores; predictions that all lie in [0, 1] are usually probabilities already, and reading them as logits applies the sigmoid or softmax twice.");

    /// <summary>DSL0303: log of a sigmoid or softmax written by hand in a formula.</summary>
    public static readonly DiagnosticDescriptor LogOfActivation = Create(
        "DSL0303", "Log of a sigmoid or softmax written by hand",
        "{0} is written by hand: write {1}, the numerically stable logits form the kernel computes",
        MisuseCategory, DiagnosticSeverity.Warning,
        "log(sigmoid(x)) underflows to -inf for x below about -88 in float, log(softmax(x)) likewise. The generator rewrites the direct forms, but the formula should say what the kernel computes and the stable form also states the gradient (sigmoid(x) - 1 rather than a quotient).");

    /// <summary>DSL0304: a sigmoid or softmax output fed to an operation that expects logits.</summary>
    public static readonly DiagnosticDescriptor DoubleActivation = Create(
        "DSL0304", "Activation applied twice",
        "{0} takes logits, but its argument is already {1}: the activation is applied twice; pass the logits themselves",
        MisuseCategory, DiagnosticSeverity.Warning,
        "Softplus, LogSoftmax, LogSumExp, Sigmoid and Softmax are the logits-form operations; their argument being the output of Sigmoid or Softmax is almost always a double activation.");
}
