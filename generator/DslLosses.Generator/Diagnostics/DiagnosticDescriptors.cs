using Microsoft.CodeAnalysis;

namespace DslLosses.Generator.Diagnostics;

/// <summary>
/// Every DslLosses diagnostic. IDs are stable and grouped by area: DSL00xx formula, DSL01xx shapes, DSL02xx options,
/// DSL03xx probable misuse, DSL04xx declarations. Each has a help page under <c>docs/diagnostics/</c> and a line in
/// <c>AnalyzerReleases.*.md</c>.
/// </summary>
internal static class DiagnosticDescriptors
{
    public const string HelpLinkBase = "https://github.com/DslLosses/DslLosses/blob/main/docs/diagnostics/";

    public const string FormulaCategory = "DslLosses.Formula";
    public const string ShapesCategory = "DslLosses.Shapes";
    public const string OptionsCategory = "DslLosses.Options";
    public const string MisuseCategory = "DslLosses.Misuse";
    public const string DeclarationCategory = "DslLosses.Declaration";

    private static DiagnosticDescriptor Error(string id, string title, string message, string category)
        => new(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id + ".md");

    // ---- formula -------------------------------------------------------------------------------------------

    public static readonly DiagnosticDescriptor UnsupportedConstruct = Error(
        "DSL0001", "Unsupported construct in a loss formula",
        "'{0}' cannot be used in a loss formula: {1}", FormulaCategory);

    public static readonly DiagnosticDescriptor UnknownFunction = Error(
        "DSL0002", "Unknown function or symbol in a loss formula",
        "'{0}' is not part of the DSL: a formula can use its parameters, its locals, constants and the members of DslLosses.Dsl (Log, Exp, Sum, ...){1}", FormulaCategory);

    public static readonly DiagnosticDescriptor InvalidArgument = Error(
        "DSL0003", "Invalid argument to a DSL function",
        "{0}", FormulaCategory);

    public static readonly DiagnosticDescriptor LossWithoutTensor = Error(
        "DSL0004", "The loss does not depend on a tensor",
        "Formula '{0}' returns a value that depends on no tensor parameter; a loss must be computed from its inputs", FormulaCategory);

    public static readonly DiagnosticDescriptor InternalError = Error(
        "DSL0099", "The DslLosses generator failed",
        "The DslLosses generator failed on formula '{0}': {1}. Please report this with the formula.", FormulaCategory);

    // ---- shapes --------------------------------------------------------------------------------------------

    public static readonly DiagnosticDescriptor InconsistentDimensions = Error(
        "DSL0101", "Inconsistent dimensions",
        "{0} is declared {1} but {2} is declared {3}: {4}", ShapesCategory);

    public static readonly DiagnosticDescriptor AxisOutOfRange = Error(
        "DSL0102", "Axis out of range",
        "Axis {0} is out of range for {1}", ShapesCategory);

    public static readonly DiagnosticDescriptor RankMismatch = Error(
        "DSL0103", "Tensor rank does not fit the formula",
        "{0} is declared {1} (rank {2}), but the tensors of '{3}' have rank {4} (the full shape {5}) or {6} (the full shape without the loss axis)", ShapesCategory);

    public static readonly DiagnosticDescriptor WrongAxis = Error(
        "DSL0104", "Axis operation on another axis than the loss axis",
        "{0} works along axis {1}, but the loss axis of '{2}' is {3}: a formula reduces along one axis, set by [Loss(Axis = ...)]", ShapesCategory);

    public static readonly DiagnosticDescriptor InvalidShape = Error(
        "DSL0105", "Invalid shape declaration",
        "The shape of '{0}' is invalid: {1}", ShapesCategory);

    public static readonly DiagnosticDescriptor SeveralAxes = Error(
        "DSL0108", "Axes a formula cannot reduce as one loss axis",
        "{0} in '{1}': {2}", ShapesCategory);

    // ---- gradients -----------------------------------------------------------------------------------------

    public static readonly DiagnosticDescriptor NoGradient = new(
        "DSL0501", "No gradient kernels for this formula",
        "No gradient kernels are generated for '{0}': {1}", FormulaCategory, DiagnosticSeverity.Warning, isEnabledByDefault: true,
        helpLinkUri: HelpLinkBase + "DSL0501.md");

    /// <summary>The property of <see cref="AmbiguousPrediction"/> listing the candidate parameters, comma-separated, for the code fix.</summary>
    public const string CandidatesProperty = "Candidates";

    public static readonly DiagnosticDescriptor AmbiguousPrediction = Error(
        "DSL0502", "Which input is the prediction? Mark it [Differentiable]",
        "Formula '{0}' has more than one full-shape tensor its gradient could be taken by ({1}): mark the prediction [Differentiable]", FormulaCategory);

    // ---- declaration ---------------------------------------------------------------------------------------

    public static readonly DiagnosticDescriptor FormulaNotStatic = Error(
        "DSL0401", "Loss formula must be static",
        "Loss formula '{0}' must be static: make the method static", DeclarationCategory);

    public static readonly DiagnosticDescriptor TypeNotPartial = Error(
        "DSL0402", "Type containing a loss formula must be partial",
        "Type '{0}' must be declared partial so that the kernels of '{1}' can be added to it", DeclarationCategory);

    public static readonly DiagnosticDescriptor InvalidParameter = Error(
        "DSL0403", "Invalid formula parameter",
        "Parameter '{0}' of formula '{1}' {2}", DeclarationCategory);

    public static readonly DiagnosticDescriptor InvalidReturnType = Error(
        "DSL0404", "Loss formula must return TensorExpr",
        "Loss formula '{0}' must return DslLosses.TensorExpr, not {1}", DeclarationCategory);

    public static readonly DiagnosticDescriptor DuplicateFormulaName = Error(
        "DSL0405", "Duplicate formula name",
        "Type '{0}' has more than one loss formula named '{1}': the generated kernels would collide; rename one", DeclarationCategory);

    public static readonly DiagnosticDescriptor GenericFormula = Error(
        "DSL0406", "Generic formulas are not supported",
        "Loss formula '{0}' {1}: the generator adds generic kernels itself; make the method and its containing types non-generic", DeclarationCategory);

    public static readonly DiagnosticDescriptor InvalidLossAttribute = Error(
        "DSL0407", "Invalid [Loss] attribute",
        "[Loss] on '{0}': {1}", DeclarationCategory);

    public static readonly DiagnosticDescriptor HiddenNamespace = Error(
        "DSL0408", "A type hides a namespace the generated code needs",
        "Loss formula '{0}' cannot be generated: the type '{1}' in the global namespace hides the namespace global::{1} that the generated code refers to; rename the type or move it into a namespace", DeclarationCategory);

    /// <summary>
    /// Every descriptor above: what <see cref="FormulaDiagnosticsAnalyzer"/> may report (a test checks that no field is
    /// missing from it).
    /// </summary>
    public static readonly System.Collections.Immutable.ImmutableArray<DiagnosticDescriptor> All = System.Collections.Immutable.ImmutableArray.Create(
        UnsupportedConstruct, UnknownFunction, InvalidArgument, LossWithoutTensor, InternalError,
        InconsistentDimensions, AxisOutOfRange, RankMismatch, WrongAxis, InvalidShape, SeveralAxes,
        NoGradient, AmbiguousPrediction,
        FormulaNotStatic, TypeNotPartial, InvalidParameter, InvalidReturnType, DuplicateFormulaName, GenericFormula, InvalidLossAttribute, HiddenNamespace);
}
