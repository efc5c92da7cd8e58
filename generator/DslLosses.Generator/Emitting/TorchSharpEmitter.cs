using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DslLosses.Generator.Checking;
using DslLosses.Generator.Diagnostics;
using DslLosses.Generator.Ir;
using DslLosses.Generator.Lowering;
using DslLosses.Generator.Models;
using Microsoft.CodeAnalysis;

namespace DslLosses.Generator.Emitting;

/// <summary>
/// Emits TorchSharp entry points for the formulas of one type, when the consumer references DslLosses.TorchSharp:
/// per formula a <c>F(torch.Tensor ...)</c> overload returning a tensor connected to TorchSharp's autograd, and the
/// <c>TorchLossKernels</c> it runs (the formula's generic entry points on spans over the tensors' storage).
/// </summary>
/// <remarks>
/// A formula gets them when it has gradient kernels by one tensor, labels (its <c>Indices</c> tensor, or else its first
/// other tensor) and at most <see cref="MaxExtras"/> further tensors of its element type (a per-class weight vector, row
/// weights, another tensor...), which the bridge passes as constants to autograd (<c>TorchLossInputs.Extra0</c>...).
/// A formula differentiated by several tensors passes the first as the prediction and the others as differentiable
/// extra tensors (first among the extras; <c>TorchLossKernels.DifferentiableExtraCount</c>), each getting its gradient
/// in backward. Others are listed in a comment with the reason.
/// </remarks>
internal static class TorchSharpEmitter
{
    /// <summary>The bridge's assembly name: referencing it turns the TorchSharp entry points on.</summary>
    public const string BridgeAssembly = "DslLosses.TorchSharp";

    private const string TorchTensor = "global::TorchSharp.torch.Tensor";
    private const string Reduction = "global::DslLosses.Reduction";
    private const string Ts = "global::System.Numerics.Tensors.TensorSpan";

    /// <summary>The most extra tensors the bridge passes (<c>TorchLossKernels.MaxExtraTensors</c>).</summary>
    public const int MaxExtras = 4;

    /// <summary>Whether the compilation references the bridge (the one bit of the compilation this emitter needs).</summary>
    public static bool IsReferenced(Compilation compilation)
        => compilation.ReferencedAssemblyNames.Any(a => a.Name == BridgeAssembly);

    /// <summary>
    /// The TorchSharp output of the pipeline: the formulas of each type, combined with whether the compilation
    /// references the bridge (one bit of the compilation, step <see cref="LossGenerator.Steps.TorchSharp"/>, so that
    /// other edits re-run nothing).
    /// </summary>
    public static void Register(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<EquatableArray<KernelPlan>> byType)
    {
        IncrementalValueProvider<bool> referenced = context.CompilationProvider
            .Select(static (c, _) => IsReferenced(c))
            .WithTrackingName(LossGenerator.Steps.TorchSharp);
        context.RegisterSourceOutput(byType.Combine(referenced), static (spc, input) =>
        {
            if (!input.Right)
                return;
            try
            {
                spc.AddSource(HintName(input.Left[0].Formula), Emit(input.Left.ToList()));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                foreach (KernelPlan plan in input.Left)
                    spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, plan.Formula.MethodName, ex.GetType().Name + ": " + ex.Message));
            }
        });
    }

    public static string HintName(FormulaModel formula) => SourceEmitter.HintName(formula).Replace(".g.cs", ".TorchSharp.g.cs");

    /// <summary>Why a formula gets no TorchSharp entry point, or null when it gets one.</summary>
    internal static string? Unsupported(KernelPlan plan)
    {
        FormulaModel f = plan.Formula;
        if (!plan.HasGradient)
            return "no gradient kernels (DSL0501)";
        if (f.DifferentiableTensors.Count > 1 && f.DifferentiableScalars.Count > 0)
            return "several differentiable tensors and a differentiable scalar: the bridge differentiates by tensors only (call the generated FGradient)";
        if (f.Parameters.Count(p => p.IsTensor) == f.DifferentiableTensors.Count)
            return "no tensor besides the differentiated ones to pass as the labels";
        if (f.Parameters.Count(p => p.Kind == ParamKind.Indices) > 1)
            return "several Indices tensors: the bridge takes one, as the labels";
        int tensors = f.Parameters.Count(p => p.IsTensor);
        if (tensors < 2)
            return "the bridge takes labels besides the tensor differentiated by";
        if (tensors - 2 > MaxExtras)
            return $"{tensors - 2} tensors besides labels and the one differentiated by: the bridge passes at most {MaxExtras}";
        if ((f.ElementTypes & (FormulaModel.Single | FormulaModel.Double)) == 0)
            return "neither float nor double kernels are generated";
        if (f.LossAxisCount > 1)
            return "the bridge's per-sample losses drop one axis, and this formula reduces several";
        return null;
    }

    public static string Emit(IReadOnlyList<KernelPlan> plans)
        => SourceEmitter.EmitFile(plans, ": their TorchSharp entry points (the project references DslLosses.TorchSharp)", static (w, plan) =>
        {
            if (Unsupported(plan) is string reason)
                w.Line($"// {plan.Formula.MethodName}: no TorchSharp entry point: {reason}.");
            else
                EmitFormula(w, plan);
        });

    private static void EmitFormula(CodeWriter w, KernelPlan plan)
    {
        FormulaModel f = plan.Formula;
        string kernels = "__" + f.MethodName + "_TorchKernels";
        bool runtimeAxis = plan.Geometry.Variadic && plan.Geometry.HasLossAxis;
        string loss = Quote(f.LossName);
        int labelIndex = LabelIndex(f);
        ParamModel label = f.Parameters[labelIndex];
        // the other tensors: TorchLossInputs' Extra0, Extra1..., the differentiable ones first, each group in the formula's order
        int predictionIndex = f.DifferentiableTensors[0];
        var differentiable = f.DifferentiableTensors.Skip(1).ToList();
        var extras = differentiable.Concat(Enumerable.Range(0, f.Parameters.Count).Where(i => f.Parameters[i].IsTensor && i != labelIndex && !f.DifferentiableTensors.Contains(i))).ToList();
        ParamModel prediction = f.Parameters[predictionIndex];
        var extraGradients = Enumerable.Range(0, differentiable.Count).Select(k => "g.G" + k.ToString(CultureInfo.InvariantCulture)).ToArray();
        var options = f.Parameters.Where(p => !p.IsTensor).ToList();

        // the public entry point, in the formula's parameter order
        var parameters = f.Parameters.Select(p => p.Kind switch
        {
            ParamKind.Tensor or ParamKind.Indices => $"{TorchTensor} {Id(p.Name)}",
            ParamKind.Scalar => $"double {Id(p.Name)}",
            _ => $"int {Id(p.Name)}",
        }).ToList();
        parameters.Add($"{Reduction} reduction = {Reduction}.SumOverBatchSize");
        parameters.Add($"{TorchTensor}? sampleWeight = null");
        if (runtimeAxis)
            parameters.Add("int axis = " + f.LossAxis.ToString(CultureInfo.InvariantCulture));
        var constructed = options.Select(p => Id(p.Name)).Concat(new[] { "reduction" }).Concat(runtimeAxis ? new[] { "axis" } : new string[0]);
        w.Line($"// ==== {f.MethodName} on TorchSharp tensors ====");
        w.Line($"/// <summary>Loss <c>{Xml(f.LossName)}</c> on TorchSharp tensors, connected to autograd: <paramref name=\"{prediction.Name}\"/> (a CPU float32 or float64 tensor) is differentiated by the generated gradient kernels; the kernels read the tensors' own storage. Returns a 0-dimensional tensor, or the per-sample losses for <see cref=\"{Reduction.Replace("global::", "")}.None\"/>. See <see cref=\"global::DslLosses.TorchSharpLosses\"/> for the tensors accepted.</summary>");
        w.Line(SourceEmitter.GeneratedCode);
        w.Line($"public static {TorchTensor} {Id(f.MethodName)}({string.Join(", ", parameters)})");
        string extraArguments = string.Concat(extras.Select(i => ", " + Id(f.Parameters[i].Name)));
        w.Line($"    => global::DslLosses.TorchSharpLosses.Call(new {kernels}({string.Join(", ", constructed)}), {Id(label.Name)}, {Id(prediction.Name)}, sampleWeight{extraArguments});");
        w.Line();

        // the kernels: the formula's generic entry points on spans over the tensors' storage
        w.Line($"/// <summary>The kernels of <c>{Xml(f.LossName)}</c> as the TorchSharp bridge runs them, with the options of one call.</summary>");
        w.Line(SourceEmitter.GeneratedCode);
        using (w.Block($"private sealed class {kernels} : global::DslLosses.TorchLossKernels"))
        {
            foreach (ParamModel p in options)
                w.Line($"private readonly {(p.Kind == ParamKind.Scalar ? "double" : "int")} _{p.Name};");
            if (runtimeAxis)
                w.Line("private readonly int _axis;");
            if (extras.Count > 0)
                w.Line($"private static readonly string[] __extraNames = {{ {string.Join(", ", extras.Select(i => Quote(f.Parameters[i].Name)))} }};");
            w.Line();
            var ctorParameters = options.Select(p => $"{(p.Kind == ParamKind.Scalar ? "double" : "int")} {Id(p.Name)}").Concat(new[] { $"{Reduction} reduction" }).Concat(runtimeAxis ? new[] { "int axis" } : new string[0]);
            string axisArgument = runtimeAxis ? "axis" : plan.Geometry.HasLossAxis && !plan.LossHasAxis ? f.LossAxis.ToString(CultureInfo.InvariantCulture) : "null";
            using (w.Block($"public {kernels}({string.Join(", ", ctorParameters)}) : base({loss}, reduction, {axisArgument}, classIndexLabels: {(label.Kind == ParamKind.Indices ? "true" : "false")}{(extras.Count > 0 ? ", extraNames: __extraNames" : "")}{(differentiable.Count > 0 ? ", differentiableExtras: " + differentiable.Count.ToString(CultureInfo.InvariantCulture) : "")})"))
            {
                foreach (ParamModel p in options)
                    w.Line($"_{p.Name} = {Id(p.Name)};");
                if (runtimeAxis)
                    w.Line("_axis = axis;");
            }
            bool total = (f.Reductions & FormulaModel.Totals) != 0;
            bool perSample = (f.Reductions & FormulaModel.PerSample) != 0;
            foreach (DType t in new[] { DType.Single, DType.Double })
            {
                bool generated = (f.ElementTypes & t.Flag) != 0;
                string inputs = $"in global::DslLosses.TorchLossInputs<{t.Type}> x";
                string Args(params string[] trailing)
                {
                    var args = f.Parameters.Select((p, i) =>
                        i == predictionIndex ? "x.YPred"
                        : i == labelIndex ? (p.Kind == ParamKind.Indices ? "x.ClassIndices" : "x.YTrue")
                        : p.IsTensor ? "x.Extra" + extras.IndexOf(i).ToString(CultureInfo.InvariantCulture)
                        : p.Kind == ParamKind.Scalar ? $"({t.Type})_{p.Name}"
                        : "_" + p.Name).ToList();
                    args.AddRange(trailing);
                    if (runtimeAxis)
                        args.Add("_axis");
                    return string.Join(", ", args);
                }
                string Missing(string what) => $"throw new global::System.NotSupportedException({Quote($"{f.MethodName}: the formula's [Loss] options generate no {what} kernels for {t.Type} tensors.")})";
                w.Line();
                w.Line($"public override {t.Type} Loss({inputs})");
                w.Line(generated && total ? $"    => {Id(f.MethodName)}<{t.Type}>({Args("Reduction", "x.SampleWeight")});" : $"    => {Missing("reduced")};");
                w.Line();
                w.Line($"public override void PerSample({inputs}, {Ts}<{t.Type}> destination)");
                w.Line(generated && perSample ? $"    => {Id(f.MethodName)}<{t.Type}>({Args("destination", "x.SampleWeight")});" : $"    => {Missing("per-sample")};");
                w.Line();
                string[] destinations = new[] { "gradient" }.Concat(extraGradients).ToArray();
                string gradients = differentiable.Count > 0 ? $", in global::DslLosses.TorchExtraGradients<{t.Type}> g" : "";
                if (differentiable.Count > 0)
                {
                    // the bridge calls the overloads with the extra tensors' gradients
                    w.Line();
                    w.Line($"public override void Gradient({inputs}, {Ts}<{t.Type}> gradient)");
                    w.Line($"    => throw new global::System.NotSupportedException({Quote($"{f.MethodName}: differentiated by several tensors; pass a destination for each.")});");
                }
                w.Line();
                w.Line($"public override void Gradient({inputs}, {Ts}<{t.Type}> gradient{gradients})");
                w.Line(generated ? $"    => {f.MethodName}Gradient<{t.Type}>({Args(destinations.Concat(new[] { "Reduction", "x.SampleWeight" }).ToArray())});" : $"    => {Missing("gradient")};");
                if (generated && total)
                {
                    // the fused entry point: the bridge's forward computes the loss and keeps the gradient for backward
                    w.Line();
                    w.Line($"public override {t.Type} LossWithGradient({inputs}, {Ts}<{t.Type}> gradient{gradients})");
                    w.Line($"    => {f.MethodName}WithGradient<{t.Type}>({Args(destinations.Concat(new[] { "Reduction", "x.SampleWeight" }).ToArray())});");
                }
            }
        }
    }

    /// <summary>The labels: the formula's <c>Indices</c> tensor, or else its first tensor not differentiated by.</summary>
    private static int LabelIndex(FormulaModel f)
    {
        var tensors = Enumerable.Range(0, f.Parameters.Count).Where(i => f.Parameters[i].IsTensor && !f.DifferentiableTensors.Contains(i)).ToList();
        foreach (int i in tensors)
        {
            if (f.Parameters[i].Kind == ParamKind.Indices)
                return i;
        }
        return tensors[0];
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string Id(string name) => CSharpText.Id(name);
}
